"""Uploaded documents are stored where the ``STORAGES["attachments"]`` setting says, never elsewhere."""

from pathlib import Path

from django.core.files.storage import storages

from customers import services
from customers.choices import AttachmentKind

from ..helpers import image_bytes, upload


def test_attachments_follow_the_storages_setting(world):
    # tests/conftest.py points STORAGES["attachments"] at a temporary folder for every test; an upload must land
    # there and not in the project's own data folder.
    configured = Path(storages["attachments"].location)
    attachment = services.attachment_create(
        actor=world["owner"],
        customer_id=world["a"].pk,
        upload=upload("营业执照.png", image_bytes("PNG"), "image/png"),
        kind=AttachmentKind.BUSINESS_LICENCE,
    )
    stored = Path(attachment.file.path)
    try:
        assert stored.is_relative_to(configured), f"stored at {stored}, expected under {configured}"
    finally:
        # Whatever the outcome, leave no test file behind in the project's data folder.
        attachment.file.delete(save=False)
        if not stored.is_relative_to(configured):
            # customers/<pk>/, customers/ and the storage root, each only if this test left it empty
            for folder in (stored.parent, stored.parent.parent, stored.parent.parent.parent):
                try:
                    folder.rmdir()
                except OSError:
                    break
