import pytest

from customers import services
from customers.choices import AttachmentKind

from ..helpers import image_bytes, upload


@pytest.fixture
def attachment(world):
    """A real PNG scan of a business licence on customer A, uploaded by its owner."""
    return services.attachment_create(
        actor=world["owner"],
        customer_id=world["a"].pk,
        upload=upload("营业执照.png", image_bytes("PNG"), "image/png"),
        kind=AttachmentKind.BUSINESS_LICENCE,
        title="营业执照",
    )
