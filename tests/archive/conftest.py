"""Fixtures of the filing tests: a second director, documents on a card, cards already filed."""

import pytest

from archive import filing
from customers import services
from customers.choices import AttachmentKind

from ..factories import make_user
from ..helpers import image_bytes, upload


@pytest.fixture
def director2(people):
    """A second sales director: the one who may approve what the first director asked for."""
    return make_user("director2", "sales_director")


@pytest.fixture
def add_document():
    """Upload a real PNG scan onto a customer's card as ``actor``; the document starts as a draft."""

    def add(customer, actor, title="营业执照", kind=AttachmentKind.BUSINESS_LICENCE):
        return services.attachment_create(
            actor=actor,
            customer_id=customer.pk,
            upload=upload(f"{title}.png", image_bytes("PNG"), "image/png"),
            kind=kind,
            title=title,
        )

    return add


@pytest.fixture
def file_entry():
    """Submit ``entry`` as ``author`` and have ``decider`` approve it; the entry comes back as filed."""

    def file(entry, author, decider):
        request = filing.entry_submit(actor=author, entry=entry)
        filing.request_approve(actor=decider, request_id=request.pk)
        return type(entry).all_objects.get(pk=entry.pk)

    return file


@pytest.fixture
def filed_a(world, file_entry):
    """Customer A, submitted by its owner and filed by the director."""
    return file_entry(world["a"], world["owner"], world["director"])
