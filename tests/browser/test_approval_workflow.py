"""Nothing enters the archive without the director, in a real browser: submit, return, approve, propose a change.

An account manager opens a card and sends it to the director; the director reads the submitted values in the
inbox and approves, and the card gets its archive number and its place in the catalogue. A returned card comes
back with the director's comment; a change to a filed card waits, as old → new, until it is approved.

Navigation goes by addresses, ids and names, never by button labels: the labels are translated. Where a label is
checked, it is the Chinese one, looked up in the catalogue of translations.
"""

from __future__ import annotations

import re

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture then skips, or fails under REQUIRE_BROWSER=1, with the reason
    expect = None

from django.utils import timezone, translation

from archive import filing, roles
from archive.choices import FilingStatus
from archive.models import FilingRequest
from customers.models import Customer

from ..factories import PASSWORD, make_customer, make_user
from .conftest import login, snapshot

MANAGER_NAME = "张伟"
DIRECTOR_NAME = "王芳"


@pytest.fixture
def people(transactional_db):
    """An account manager and the sales director who decides on what the manager submits."""
    return {
        "manager1": make_user("manager1", roles.ACCOUNT_MANAGER, first_name=MANAGER_NAME),
        "director": make_user("director", roles.SALES_DIRECTOR, first_name=DIRECTOR_NAME),
    }


def zh(text) -> str:
    """``text`` (a message or a lazy label) as the archive shows it: in Simplified Chinese."""
    with translation.override("zh-hans"):
        return translation.gettext(text) if isinstance(text, str) else str(text)


def archive_no(number: int) -> str:
    return f"KH-{timezone.localdate().year}-{number:05d}"


def logout(page, live_server) -> None:
    """Sign out through the user menu of the navigation bar."""
    page.locator("#user-menu").click()
    button = page.locator("form[action='/accounts/logout/'] button[type=submit]")
    expect(button).to_be_visible()
    with page.expect_navigation():
        button.click()
    assert page.url.startswith(f"{live_server.url}/accounts/login/")
    expect(page.locator(".app-navbar")).to_have_count(0)


def expect_status(page, status: FilingStatus) -> None:
    """The card's header shows ``status`` as a badge, in Chinese."""
    label = re.compile(rf"^{re.escape(zh(status.label))}$")
    expect(page.locator(".card-header-block .badge", has_text=label)).to_be_visible()


def address_and_contact(page) -> str:
    """Open the card's second, collapsed, section (address and contact) and return its text."""
    page.locator("button[data-bs-target='#fs-2']").click()
    expect(page.locator("#fs-2")).to_have_class(re.compile(r"\bshow\b"))  # Bootstrap's opening transition is over
    return page.locator("#fs-2").inner_text()


def open_card(page, live_server, customer: Customer) -> None:
    page.goto(f"{live_server.url}/customers/{customer.pk}/")
    expect(page.locator("h1")).to_contain_text(customer.name)


def open_inbox(page, live_server) -> None:
    """Into the inbox by the navigation bar's link."""
    with page.expect_navigation():
        page.locator("#nav-inbox").click()
    assert page.url == f"{live_server.url}/approvals/"
    expect(page.locator("#nav-inbox")).to_have_class(re.compile(r"\bactive\b"))


def approve(page, request: FilingRequest) -> None:
    """Approve one request by its own Approve button, and see the inbox say so."""
    item = page.locator(f"#request-{request.pk}")
    with page.expect_navigation():
        item.locator(f"form[action='/approvals/{request.pk}/approve/'] button[type=submit]").click()
    expect(page.locator(".alert-success", has_text=f"#{request.pk}")).to_be_visible()
    expect(page.locator("main .alert-danger")).to_have_count(0)
    expect(page.locator(f"#request-{request.pk}")).to_have_count(0)
    expect(page.locator("#nav-inbox-count")).to_have_count(0)  # nothing else waits


def filed_card(owner, director, **fields) -> Customer:
    """A card already in the archive: opened, submitted and approved through the services."""
    customer = make_customer(owner, **fields)
    request = filing.entry_submit(actor=owner, entry=customer)
    filing.request_approve(actor=director, request_id=request.pk)
    customer.refresh_from_db()
    assert customer.status == FilingStatus.FILED
    return customer


def test_manager_submits_a_new_card_and_the_director_files_it(page, live_server, people):
    name = "杭州西湖龙井茶业有限公司"
    phone = "0571-87001234"

    # manager1 opens a card through the "new card" form.
    login(page, live_server, "manager1", PASSWORD)
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    expect(page.locator("#nav-unread")).to_have_count(0)
    expect(page.locator("#nav-inbox")).to_have_count(0)  # a manager does not decide
    with page.expect_navigation():
        page.locator(".app-navbar a[href='/customers/new/']").click()
    page.fill("#id_name", name)
    page.fill("#id_phone", phone)
    with page.expect_navigation():
        page.locator("form:has(#id_name) button[type=submit]").click()

    # It lands on the new card, a draft without a number, ready to be submitted.
    customer = Customer.objects.get(name=name)
    assert page.url == f"{live_server.url}/customers/{customer.pk}/"
    expect(page.locator(".alert-success")).to_contain_text(name)
    expect(page.locator("h1")).to_contain_text(name)
    expect_status(page, FilingStatus.DRAFT)
    expect(page.locator("#archive-no")).to_have_count(0)
    expect(page.locator("#submit-card")).to_contain_text(zh("Submit for approval"))

    with page.expect_navigation():
        page.locator("#submit-card").click()
    assert page.url == f"{live_server.url}/customers/{customer.pk}/"
    request = FilingRequest.objects.get(customer=customer)
    expect(page.locator(".alert-success", has_text=f"#{request.pk}")).to_be_visible()
    expect_status(page, FilingStatus.PENDING)
    expect(page.locator("#submit-card")).to_have_count(0)
    expect(page.locator(f"a[href='/customers/{customer.pk}/edit/']")).to_have_count(0)  # locked while it waits
    expect(page.locator("#waiting-requests")).to_contain_text(f"#{request.pk}")
    expect(page.locator("#archive-no")).to_have_count(0)
    logout(page, live_server)

    # The director sees one request waiting, reads the submitted values and approves.
    login(page, live_server, "director", PASSWORD)
    expect(page.locator("#nav-inbox-count")).to_have_text("1")
    open_inbox(page, live_server)
    expect(page.locator("#inbox-total")).to_have_text("1")
    item = page.locator(f"#request-{request.pk}")
    expect(item).to_contain_text(MANAGER_NAME)
    submitted = item.locator("details:not(.return-box)")
    values = submitted.locator("table.diff-table")
    expect(values).to_be_hidden()
    submitted.locator("summary").click()
    expect(values).to_be_visible()
    expect(values.locator("td.diff-new", has_text=re.compile(rf"^{re.escape(name)}$"))).to_be_visible()
    expect(values.locator("td.diff-new", has_text=phone)).to_be_visible()
    expect(values.locator("td.diff-old")).to_have_count(0)  # a new card: only the values submitted
    snapshot(page, "approval_01_inbox_filing")
    approve(page, request)
    expect(page.locator("#inbox-total")).to_have_text("0")
    logout(page, live_server)

    customer.refresh_from_db()
    assert (customer.status, customer.archive_no, customer.entry_no) == (FilingStatus.FILED, archive_no(1), 1)

    # manager1 is told, and the card has its archive number.
    login(page, live_server, "manager1", PASSWORD)
    expect(page.locator("#nav-unread")).to_have_text("1")
    open_card(page, live_server, customer)
    expect(page.locator("#archive-no")).to_have_text(archive_no(1))
    expect_status(page, FilingStatus.FILED)
    expect(page.locator("#submit-card")).to_have_count(0)
    expect(page.locator("#waiting-requests")).to_have_count(0)
    expect(page.locator(f"a[href='/customers/{customer.pk}/edit/']")).to_contain_text(zh("Propose a change"))

    # The catalogue lists the card under its archive number, first entry of category 1.
    with page.expect_navigation():
        page.locator(f"a[href='/customers/{customer.pk}/catalogue/']").click()
    assert page.url == f"{live_server.url}/customers/{customer.pk}/catalogue/"
    expect(page.locator("#catalogue-archive-no")).to_have_text(archive_no(1))
    rows = page.locator("table.catalogue-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first.locator("td").first).to_have_text(f"{archive_no(1)} / 1-001")
    snapshot(page, "approval_02_catalogue")

    # Reading "my submissions" reads the notification.
    with page.expect_navigation():
        page.locator("#nav-mine").click()
    expect(page.locator(f"#request-{request.pk}")).to_contain_text(name)
    expect(page.locator("#nav-unread")).to_have_count(0)


def test_a_returned_card_comes_back_with_the_comment_and_is_filed_after_the_correction(page, live_server, people):
    manager1 = people["manager1"]
    customer = make_customer(manager1, name="苏州工业园区精密制造有限公司", phone="")
    first = filing.entry_submit(actor=manager1, entry=customer)
    comment = "请补充公司电话，再重新提交。"
    phone = "0512-62881234"

    # The director returns the submission with a comment typed in the return box.
    login(page, live_server, "director", PASSWORD)
    expect(page.locator("#nav-inbox-count")).to_have_text("1")
    open_inbox(page, live_server)
    item = page.locator(f"#request-{first.pk}")
    box = item.locator("details.return-box")
    expect(box.locator("textarea")).to_be_hidden()
    box.locator("summary").click()
    page.fill(f"#comment-{first.pk}", comment)
    snapshot(page, "approval_04_return_box")
    with page.expect_navigation():
        box.locator(f"form[action='/approvals/{first.pk}/return/'] button[type=submit]").click()
    expect(page.locator(".alert-success", has_text=f"#{first.pk}")).to_be_visible()
    expect(page.locator(f"#request-{first.pk}")).to_have_count(0)
    expect(page.locator("#nav-inbox-count")).to_have_count(0)
    logout(page, live_server)

    first.refresh_from_db()
    assert (first.state, first.comment) == (FilingRequest.State.RETURNED, comment)

    # manager1 finds the card returned, with the director's comment on it.
    login(page, live_server, "manager1", PASSWORD)
    expect(page.locator("#nav-unread")).to_have_text("1")
    open_card(page, live_server, customer)
    expect_status(page, FilingStatus.RETURNED)
    expect(page.locator("#returned-comment")).to_be_visible()
    expect(page.locator("#returned-comment strong")).to_have_text(comment)
    expect(page.locator("#returned-comment")).to_contain_text(DIRECTOR_NAME)
    expect(page.locator("#archive-no")).to_have_count(0)
    snapshot(page, "approval_05_returned_card")

    # The correction: the card is edited directly (it is not filed yet) ...
    with page.expect_navigation():
        page.locator(f"a[href='/customers/{customer.pk}/edit/']").click()
    expect(page.locator("#id_note")).to_have_count(0)  # no change request for a card that is not filed
    page.fill("#id_phone", phone)
    with page.expect_navigation():
        page.locator("form:has(#id_phone) button[type=submit]").click()
    assert page.url == f"{live_server.url}/customers/{customer.pk}/"
    expect(page.locator(".alert-success")).to_be_visible()
    assert phone in address_and_contact(page)
    expect_status(page, FilingStatus.RETURNED)  # still returned until it is sent again

    # ... and sent again, which clears the comment.
    with page.expect_navigation():
        page.locator("#submit-card").click()
    second = FilingRequest.objects.filter(customer=customer).exclude(pk=first.pk).get()
    expect(page.locator(".alert-success", has_text=f"#{second.pk}")).to_be_visible()
    expect_status(page, FilingStatus.PENDING)
    expect(page.locator("#returned-comment")).to_have_count(0)
    expect(page.locator("#waiting-requests")).to_contain_text(f"#{second.pk}")
    logout(page, live_server)

    # The director sees the corrected values and approves.
    login(page, live_server, "director", PASSWORD)
    expect(page.locator("#nav-inbox-count")).to_have_text("1")
    open_inbox(page, live_server)
    item = page.locator(f"#request-{second.pk}")
    item.locator("details:not(.return-box) summary").click()
    expect(item.locator("table.diff-table td.diff-new", has_text=phone)).to_be_visible()
    approve(page, second)
    logout(page, live_server)

    customer.refresh_from_db()
    assert (customer.status, customer.phone, customer.archive_no) == (FilingStatus.FILED, phone, archive_no(1))

    login(page, live_server, "manager1", PASSWORD)
    expect(page.locator("#nav-unread")).to_have_text("2")  # the return, then the approval
    open_card(page, live_server, customer)
    expect_status(page, FilingStatus.FILED)
    expect(page.locator("#archive-no")).to_have_text(archive_no(1))
    expect(page.locator("#returned-comment")).to_have_count(0)


def test_a_change_to_a_filed_card_waits_for_the_director(page, live_server, people):
    manager1, director = people["manager1"], people["director"]
    old_phone, new_phone = "025-84561234", "025-86669999"
    reason = "客户总机已更换"
    customer = filed_card(manager1, director, name="南京金陵化工股份有限公司", phone=old_phone)
    version = customer.version

    # manager1 proposes a new phone number from the filed card.
    login(page, live_server, "manager1", PASSWORD)
    open_card(page, live_server, customer)
    expect(page.locator("#archive-no")).to_have_text(archive_no(1))
    propose = page.locator(f"a[href='/customers/{customer.pk}/edit/']")
    expect(propose).to_contain_text(zh("Propose a change"))
    with page.expect_navigation():
        propose.click()
    expect(page.locator("main .alert-info")).to_be_visible()  # the edit becomes a change request
    expect(page.locator("#id_phone")).to_have_value(old_phone)
    page.fill("#id_phone", new_phone)
    page.fill("#id_note", reason)
    with page.expect_navigation():
        page.locator("form:has(#id_phone) button[type=submit]").click()

    # The filed card stays as it is, and says what waits.
    assert page.url == f"{live_server.url}/customers/{customer.pk}/"
    change = FilingRequest.objects.get(customer=customer, kind=FilingRequest.Kind.CHANGE)
    expect(page.locator(".alert-success", has_text=f"#{change.pk}")).to_be_visible()
    expect_status(page, FilingStatus.FILED)
    waiting = page.locator("#waiting-requests")
    expect(waiting).to_contain_text(f"#{change.pk}")
    expect(waiting).to_contain_text(reason)
    values = address_and_contact(page)
    assert old_phone in values and new_phone not in values
    snapshot(page, "approval_06_change_waiting")
    customer.refresh_from_db()
    assert (customer.phone, customer.version) == (old_phone, version)
    logout(page, live_server)

    # The director reads old → new inline, with the reason, and approves.
    login(page, live_server, "director", PASSWORD)
    expect(page.locator("#nav-inbox-count")).to_have_text("1")
    open_inbox(page, live_server)
    item = page.locator(f"#request-{change.pk}")
    expect(item).to_contain_text(reason)
    expect(item).to_contain_text(MANAGER_NAME)
    rows = item.locator("table.diff-table tbody tr")
    expect(rows).to_have_count(1)  # only the phone changes
    expect(rows.locator("td.diff-old")).to_have_text(old_phone)
    expect(rows.locator("td.diff-new")).to_have_text(new_phone)
    expect(rows.locator("td.diff-old")).to_be_visible()
    expect(rows.locator("td.diff-new")).to_be_visible()
    snapshot(page, "approval_03_inbox_change")
    approve(page, change)

    # The card now shows the new phone.
    open_card(page, live_server, customer)
    values = address_and_contact(page)
    assert new_phone in values and old_phone not in values
    expect(page.locator("#waiting-requests")).to_have_count(0)
    expect(page.locator("#archive-no")).to_have_text(archive_no(1))
    customer.refresh_from_db()
    assert (customer.phone, customer.version, customer.status) == (new_phone, version + 1, FilingStatus.FILED)
