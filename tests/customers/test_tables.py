"""The customer list's rows: what a reader sees of each card on the list page."""

import datetime
import re

import pytest
from django.utils import timezone

from customers import services
from customers.models import Customer

from ..factories import make_customer


def _row(client, user, customer) -> str:
    client.force_login(user)
    page = client.get("/customers/").content.decode()
    rows = re.findall(r"<tr class=\"grade-row.*?</tr>", page, re.S)
    [row] = [r for r in rows if f'href="/customers/{customer.pk}/"' in r]
    return row


@pytest.fixture
def key_card(world):
    card = make_customer(
        world["owner"],
        name="上海<b>精工</b>机械有限公司",
        short_name="精工",
        tier="key",
        grade_override="B",
        region=world["region"],
        route="沪西线",
        visit_order=3,
    )
    services.contact_create(actor=world["owner"], customer_id=card.pk, data={"name": "王采购"})
    # The archive number a filed card gets (the filing workflow is tested elsewhere).
    Customer.objects.filter(pk=card.pk).update(archive_no="KH-2026-00017")
    return Customer.objects.get(pk=card.pk)


def test_a_row_shows_the_card_as_the_reader_expects(client, world, key_card):
    world["owner"].first_name = "李明"  # the archive keeps a Chinese name whole, in first_name
    world["owner"].save()
    row = _row(client, world["owner"], key_card)
    assert 'class="grade-row grade-row-B"' in row
    assert ">上海&lt;b&gt;精工&lt;/b&gt;机械有限公司</a>" in row  # the name is escaped, never markup
    assert '<span class="font-monospace me-2">KH-2026-00017</span>精工 · ' in row
    assert f'<span class="font-monospace">{key_card.credit_code}</span>' in row
    assert 'class="badge grade-badge"' in row and ">B</span>" in row
    assert '<span class="badge text-bg-dark">主力客户</span>' in row
    assert "华东区" in row and '<div class="small text-muted">沪西线 · #3</div>' in row
    assert "<td>李明</td>" in row
    # A key customer with one contact is flagged: the archive wants two on the customer's side.
    assert "<td>1 <span" in row and "key-contact-flag" in row
    assert "草稿" in row
    local = timezone.localtime(key_card.updated_at)
    assert f">{local:%Y-%m-%d %H:%M}</td>" in row


def test_a_plain_card_shows_dashes_and_no_flags(client, world):
    card = make_customer(world["owner"], name="普通客户有限公司", short_name="", credit_code="")
    row = _row(client, world["owner"], card)
    assert "key-contact-flag" not in row and "text-bg-dark" not in row
    assert '<div class="small text-muted"></div>' in row  # no numbers, no separator
    assert "<td>—</td>" in row  # no region
    assert f"<td>{world['owner'].username}</td>" in row  # no full name: the login


def test_the_time_is_the_local_time_of_the_archive(client, world, settings):
    card = make_customer(world["owner"])
    Customer.objects.filter(pk=card.pk).update(updated_at=datetime.datetime(2026, 3, 1, 17, 30, tzinfo=datetime.UTC))
    assert ">2026-03-02 01:30</td>" in _row(client, world["owner"], card)  # Asia/Shanghai, UTC+8
