"""The card's pages once filing is in play: editing a draft, a pending or a filed card or document, the
catalogue, the director's revert on the trail, the administration site, and what the card says is waiting."""

import re

import pytest
from django.contrib import messages
from django.utils.translation import gettext, override

from archive import filing
from archive.choices import FilingStatus
from archive.models import FilingRequest
from customers import services
from customers.choices import AttachmentKind
from customers.forms import AttachmentEditForm, CustomerForm
from customers.models import Customer

from ..helpers import (
    LOGIN,
    SIGNED_IN,
    assert_matrix,
    file_through_approval,
    form_data,
    image_bytes,
    message_levels,
    shown_messages,
    upload,
)

SEES_A = {"director", "archivist", "owner", "co_owner", "granted_manager", "group_clerk", "admin"}

Kind = FilingRequest.Kind
State = FilingRequest.State


def _edit_body(customer, **changes) -> dict:
    customer.refresh_from_db()
    return form_data(CustomerForm(instance=customer), **changes)


def _trail_size(entry) -> int:
    return type(entry).history.filter(id=entry.pk).count()


@pytest.fixture
def filed_a(world):
    """Customer A, submitted by its owner and filed by the director."""
    return file_through_approval(world["a"], author=world["owner"], decider=world["director"])


# ---- Editing the card --------------------------------------------------------------------------------------------


def test_a_draft_card_is_saved_directly(client, world):
    a = world["a"]
    client.force_login(world["owner"])
    page = client.get(f"/customers/{a.pk}/edit/")
    assert page.status_code == 200
    assert page.context["proposing"] is False
    assert 'name="note"' not in page.content.decode()
    response = client.post(f"/customers/{a.pk}/edit/", _edit_body(a, phone="021-5555"))
    assert response.status_code == 302
    assert response["Location"] == f"/customers/{a.pk}/"
    a.refresh_from_db()
    assert (a.phone, a.version, a.status) == ("021-5555", 2, FilingStatus.DRAFT)
    assert not FilingRequest.objects.exists()


def test_a_returned_card_is_saved_directly_too(client, world):
    a = world["a"]
    request = filing.entry_submit(actor=world["owner"], entry=a)
    filing.request_return(actor=world["director"], request_id=request.pk, comment="补充电话")
    client.force_login(world["owner"])
    response = client.post(f"/customers/{a.pk}/edit/", _edit_body(a, phone="021-6666"))
    assert response.status_code == 302
    a.refresh_from_db()
    assert (a.phone, a.status) == ("021-6666", FilingStatus.RETURNED)


def test_a_pending_card_cannot_be_edited(client, world):
    a = world["a"]
    body = _edit_body(a, phone="021-7777")  # the owner opened the form before submitting
    filing.entry_submit(actor=world["owner"], entry=a)
    a.refresh_from_db()
    version = a.version
    client.force_login(world["owner"])

    response = client.get(f"/customers/{a.pk}/edit/")
    assert response.status_code == 302
    assert response["Location"] == f"/customers/{a.pk}/"
    assert message_levels(response) == [messages.WARNING]
    client.get(response["Location"])  # the card shows the warning

    response = client.post(f"/customers/{a.pk}/edit/", {**body, "version": str(version)})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    a.refresh_from_db()
    assert (a.phone, a.version, a.status) == ("", version, FilingStatus.PENDING)
    assert FilingRequest.objects.filter(kind=Kind.CHANGE).count() == 0


def test_the_form_of_a_filed_card_asks_for_a_reason(client, world, filed_a):
    client.force_login(world["owner"])
    response = client.get(f"/customers/{filed_a.pk}/edit/")
    assert response.status_code == 200
    assert response.context["proposing"] is True
    assert response.context["form"].fields["note"].required
    assert 'name="note"' in response.content.decode()


def test_a_filed_card_without_reason_is_shown_back_with_what_was_typed(client, world, filed_a):
    a = filed_a
    client.force_login(world["owner"])
    body = _edit_body(a, phone="021-9999", industry="新能源汽车零部件", note="")
    response = client.post(f"/customers/{a.pk}/edit/", body)
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == ["note"]
    content = response.content.decode()
    assert form.errors["note"][0] in content
    # Nothing the user typed is lost.
    assert 'value="021-9999"' in content
    assert 'value="新能源汽车零部件"' in content
    assert f'name="version" value="{a.version}"' in content
    a.refresh_from_db()
    assert (a.phone, a.industry) == ("", "")
    assert not FilingRequest.objects.filter(kind=Kind.CHANGE).exists()


def test_a_filed_card_with_reason_becomes_a_change_request(client, world, filed_a):
    a = filed_a
    version, trail = a.version, _trail_size(a)
    client.force_login(world["owner"])
    body = _edit_body(a, phone="021-9999", note="客户换了总机号码")
    response = client.post(f"/customers/{a.pk}/edit/", body)
    assert response.status_code == 302
    assert response["Location"] == f"/customers/{a.pk}/"
    request = FilingRequest.objects.get(kind=Kind.CHANGE)
    assert (request.state, request.author, request.note, request.proposed, request.base_version) == (
        State.PENDING,
        world["owner"],
        "客户换了总机号码",
        {"phone": "021-9999"},
        version,
    )
    assert message_levels(response) == [messages.SUCCESS]
    assert f"#{request.pk}" in shown_messages(response)[0][1]
    # The filed card stays exactly as it was until the director approves.
    a.refresh_from_db()
    assert (a.phone, a.version, a.status) == ("", version, FilingStatus.FILED)
    assert _trail_size(a) == trail

    filing.request_approve(actor=world["director"], request_id=request.pk)
    a.refresh_from_db()
    assert (a.phone, a.version) == ("021-9999", version + 1)


def test_a_filed_card_posted_unchanged_proposes_nothing(client, world, filed_a):
    client.force_login(world["owner"])
    response = client.post(f"/customers/{filed_a.pk}/edit/", _edit_body(filed_a, note="没改什么"))
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not FilingRequest.objects.filter(kind=Kind.CHANGE).exists()


def test_a_stale_change_request_is_refused(client, world, filed_a):
    a = filed_a
    body = _edit_body(a, phone="021-9999", note="换号码", version=str(a.version - 1))
    client.force_login(world["owner"])
    response = client.post(f"/customers/{a.pk}/edit/", body)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not FilingRequest.objects.filter(kind=Kind.CHANGE).exists()
    a.refresh_from_db()
    assert a.phone == ""


def test_a_change_request_on_a_card_changed_since_the_form_was_opened_is_refused(client, world, filed_a):
    a = filed_a
    stale = _edit_body(a, fax="021-1234", note="传真")
    first = services.card_change_propose(actor=world["co_owner"], customer_id=a.pk, data={"phone": "1"}, note="改")
    filing.request_approve(actor=world["director"], request_id=first.pk)
    client.force_login(world["owner"])
    response = client.post(f"/customers/{a.pk}/edit/", stale)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert FilingRequest.objects.filter(kind=Kind.CHANGE, state=State.PENDING).count() == 0
    a.refresh_from_db()
    assert (a.phone, a.fax) == ("1", "")


@pytest.mark.parametrize(("role", "status"), [("granted_manager", 403), ("group_clerk", 403), ("clerk", 404)])
def test_a_reader_cannot_propose_a_change(client, world, filed_a, role, status):
    client.force_login(world[role])
    response = client.post(f"/customers/{filed_a.pk}/edit/", _edit_body(filed_a, phone="1", note="改"))
    assert response.status_code == status
    assert not FilingRequest.objects.filter(kind=Kind.CHANGE).exists()


# ---- Editing a document --------------------------------------------------------------------------------------------


def _edit_document_url(attachment) -> str:
    return f"/customers/{attachment.customer_id}/attachments/{attachment.pk}/edit/"


def _document_body(attachment, **changes) -> dict:
    attachment.refresh_from_db()
    return form_data(AttachmentEditForm(instance=attachment, proposing=attachment.is_filed), **changes)


def test_a_draft_document_is_edited_directly(client, world, attachment):
    client.force_login(world["owner"])
    page = client.get(_edit_document_url(attachment))
    assert page.status_code == 200
    assert "note" not in page.context["form"].fields
    response = client.post(
        _edit_document_url(attachment), _document_body(attachment, title="营业执照副本", kind=AttachmentKind.OTHER)
    )
    assert response.status_code == 302
    assert response["Location"] == f"/customers/{world['a'].pk}/"
    attachment.refresh_from_db()
    assert (attachment.title, attachment.kind, attachment.version) == ("营业执照副本", AttachmentKind.OTHER, 2)
    assert not FilingRequest.objects.exists()


def test_a_pending_document_is_not_edited(client, world, attachment):
    filing.entry_submit(actor=world["owner"], entry=attachment)
    client.force_login(world["owner"])
    response = client.post(_edit_document_url(attachment), _document_body(attachment, title="改标题"))
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    attachment.refresh_from_db()
    assert (attachment.title, attachment.status) == ("营业执照", FilingStatus.PENDING)


@pytest.fixture
def filed_document(world, filed_a, attachment):
    return file_through_approval(attachment, author=world["owner"], decider=world["director"])


def test_a_filed_document_asks_for_a_reason(client, world, filed_document):
    client.force_login(world["owner"])
    page = client.get(_edit_document_url(filed_document))
    assert page.status_code == 200
    assert page.context["form"].fields["note"].required
    response = client.post(_edit_document_url(filed_document), _document_body(filed_document, title="新标题"))
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["note"]
    assert 'value="新标题"' in response.content.decode()
    assert not FilingRequest.objects.filter(kind=Kind.CHANGE).exists()


def test_a_filed_document_with_reason_becomes_a_change_request(client, world, filed_document):
    version = filed_document.version
    client.force_login(world["co_owner"])
    response = client.post(
        _edit_document_url(filed_document), _document_body(filed_document, title="营业执照(2026年换发)", note="换发")
    )
    assert response.status_code == 302
    request = FilingRequest.objects.get(kind=Kind.CHANGE)
    assert (request.object_id, request.author, request.proposed) == (
        filed_document.pk,
        world["co_owner"],
        {"title": "营业执照(2026年换发)"},
    )
    filed_document.refresh_from_db()
    assert (filed_document.title, filed_document.version) == ("营业执照", version)


# ---- The catalogue -----------------------------------------------------------------------------------------------


def test_catalogue_matrix(client, people, world):
    assert_matrix(
        client,
        people,
        f"/customers/{world['a'].pk}/catalogue/",
        {"anonymous": LOGIN, **{role: 200 if role in SEES_A else 404 for role in SIGNED_IN}},
    )


def test_the_catalogue_lists_the_filed_card_and_documents(client, world, filed_document):
    a = Customer.objects.get(pk=world["a"].pk)
    draft = services.attachment_create(
        actor=world["owner"],
        customer_id=a.pk,
        upload=upload("草稿扫描件.png", image_bytes("PNG"), "image/png"),
        kind=AttachmentKind.OTHER,
        title="还没归档的扫描件",
    )
    client.force_login(world["group_clerk"])
    response = client.get(f"/customers/{a.pk}/catalogue/")
    assert response.status_code == 200
    content = response.content.decode()
    assert re.fullmatch(r"KH-\d{4}-\d{5}", a.archive_no)
    assert f"{a.archive_no} / 1-001" in content  # the card
    assert f"{a.archive_no} / 1-002" in content  # the document filed after it
    assert "营业执照" in content
    assert draft.title not in content  # only what the director filed is in the catalogue
    assert f'id="catalogue-archive-no">{a.archive_no}<' in content
    assert re.search(r'<body class="[^"]*\bcatalogue-page\b', content)
    assert 'onclick="window.print()"' in content


def test_the_catalogue_of_an_unfiled_card_is_empty(client, world):
    client.force_login(world["owner"])
    response = client.get(f"/customers/{world['a'].pk}/catalogue/")
    assert response.status_code == 200
    assert response.context["catalogue"] == []
    assert " / 1-001" not in response.content.decode()


# ---- The director's revert on the trail ----------------------------------------------------------------------------


@pytest.fixture
def changed_a(world, filed_a):
    """Filed A whose phone was then changed through an approved change request."""
    request = services.card_change_propose(
        actor=world["owner"], customer_id=filed_a.pk, data={"phone": "021-8888"}, note="新号码"
    )
    filing.request_approve(actor=world["director"], request_id=request.pk)
    filed_a.refresh_from_db()
    assert filed_a.phone == "021-8888"
    return filed_a


def _filed_version(customer):
    """The historical row of the card as it was filed, before the change."""
    return Customer.history.filter(id=customer.pk, phone="", status=FilingStatus.FILED).latest("history_id")


def _revert_ids(content: str) -> set[int]:
    forms = re.findall(r'<form[^>]*class="[^"]*revert-form[^"]*"[^>]*>(.*?)</form>', content, re.S)
    return {int(re.search(r'name="history_id" value="(\d+)"', form).group(1)) for form in forms}


def test_the_director_sees_revert_buttons_on_earlier_versions(client, world, changed_a):
    client.force_login(world["director"])
    response = client.get(f"/customers/{changed_a.pk}/history/")
    assert response.status_code == 200
    ids = _revert_ids(response.content.decode())
    assert _filed_version(changed_a).history_id in ids
    assert changed_a.history.latest("history_id").history_id not in ids  # not on the current version


@pytest.mark.parametrize("role", ["owner", "co_owner", "archivist", "group_clerk"])
def test_others_see_no_revert_button(client, world, changed_a, role):
    client.force_login(world[role])
    response = client.get(f"/customers/{changed_a.pk}/history/")
    assert response.status_code == 200
    assert "revert-form" not in response.content.decode()


def test_no_revert_button_on_a_draft_card(client, world):
    a = world["a"]
    services.customer_update(actor=world["owner"], customer_id=a.pk, data={"phone": "1"})
    services.customer_update(actor=world["owner"], customer_id=a.pk, data={"phone": "2"})
    client.force_login(world["director"])
    assert "revert-form" not in client.get(f"/customers/{a.pk}/history/").content.decode()


def test_the_director_reverts_a_filed_card(client, world, changed_a):
    a = changed_a
    version, trail = a.version, _trail_size(a)
    client.force_login(world["director"])
    url = f"/customers/{a.pk}/history/"
    response = client.post(
        f"/entries/customers.customer/{a.pk}/revert/",
        {"history_id": _filed_version(a).history_id, "next": url},
    )
    assert response.status_code == 302
    assert response["Location"] == url
    assert message_levels(response) == [messages.SUCCESS]
    a.refresh_from_db()
    assert (a.phone, a.version, a.status) == ("", version + 1, FilingStatus.FILED)
    assert _trail_size(a) == trail + 1  # the revert is itself a version of the trail


@pytest.mark.parametrize("role", ["owner", "co_owner"])
def test_a_manager_cannot_revert(client, world, changed_a, role):
    a = changed_a
    version = a.version
    client.force_login(world[role])
    response = client.post(f"/entries/customers.customer/{a.pk}/revert/", {"history_id": _filed_version(a).history_id})
    assert response.status_code == 302
    assert message_levels(response) == [messages.ERROR]
    a.refresh_from_db()
    assert (a.phone, a.version) == ("021-8888", version)


def test_a_revert_to_another_cards_version_is_refused(client, world, changed_a):
    b = world["b"]
    client.force_login(world["director"])
    foreign = Customer.history.filter(id=b.pk).latest("history_id").history_id
    response = client.post(f"/entries/customers.customer/{changed_a.pk}/revert/", {"history_id": foreign})
    assert message_levels(response) == [messages.ERROR]
    changed_a.refresh_from_db()
    assert changed_a.phone == "021-8888"


# ---- The administration site -----------------------------------------------------------------------------------


def _admin_url(customer) -> str:
    return f"/admin/customers/customer/{customer.pk}/change/"


def test_a_filed_card_is_read_only_in_the_admin(client, world, filed_a):
    a = filed_a
    client.force_login(world["admin"])
    page = client.get(_admin_url(a))
    assert page.status_code == 200
    content = page.content.decode()
    assert 'name="_save"' not in content
    assert 'name="_continue"' not in content
    assert page.context["has_change_permission"] is False

    version, trail = a.version, _trail_size(a)
    body = {**_edit_body(a, name="管理员改的名字", industry="管理员改的行业"), "_save": "Save"}
    response = client.post(_admin_url(a), body)
    assert response.status_code == 403
    a.refresh_from_db()
    assert (a.name, a.industry, a.version) == (world["a"].name, "", version)
    assert _trail_size(a) == trail


def test_a_draft_card_saved_in_the_admin_goes_through_the_service(client, world):
    a = world["a"]
    client.force_login(world["admin"])
    page = client.get(_admin_url(a))
    assert page.status_code == 200
    assert 'name="_save"' in page.content.decode()
    body = {**form_data(page.context["adminform"].form, industry="管理员改的行业"), "_save": "Save"}
    response = client.post(_admin_url(a), body)
    assert response.status_code == 302
    a.refresh_from_db()
    assert (a.industry, a.version, a.status) == ("管理员改的行业", 2, FilingStatus.DRAFT)
    latest = a.history.latest("history_id")
    with override("zh-hans"):
        reason = gettext("Changed in the administration site")
    assert (latest.history_change_reason, latest.history_user) == (reason, world["admin"])
    assert latest.industry == "管理员改的行业"


def test_a_pending_card_is_read_only_in_the_admin(client, world):
    a = world["a"]
    filing.entry_submit(actor=world["owner"], entry=a)
    client.force_login(world["admin"])
    assert 'name="_save"' not in client.get(_admin_url(a)).content.decode()
    body = {**_edit_body(a, industry="改"), "_save": "Save"}
    assert client.post(_admin_url(a), body).status_code == 403
    a.refresh_from_db()
    assert a.industry == ""


# ---- What the card says is waiting ---------------------------------------------------------------------------------


def test_the_card_shows_a_waiting_change_request(client, world, filed_a):
    request = services.card_change_propose(
        actor=world["co_owner"], customer_id=filed_a.pk, data={"phone": "021-1"}, note="号码变更"
    )
    client.force_login(world["granted_manager"])  # any reader of the card sees it
    content = client.get(f"/customers/{filed_a.pk}/").content.decode()
    waiting = re.search(r'id="waiting-requests">(.*?)</div>', content, re.S)
    assert waiting, "the card does not say a change is waiting"
    assert f"#{request.pk}" in waiting.group(1)
    assert "co_owner" in waiting.group(1)
    assert "号码变更" in waiting.group(1)
    assert 'id="returned-comment"' not in content


def test_the_card_shows_the_directors_comment_when_returned(client, world):
    a = world["a"]
    request = filing.entry_submit(actor=world["owner"], entry=a)
    client.force_login(world["owner"])
    content = client.get(f"/customers/{a.pk}/").content.decode()
    assert f"#{request.pk}" in re.search(r'id="waiting-requests">(.*?)</div>', content, re.S).group(1)

    filing.request_return(actor=world["director"], request_id=request.pk, comment="请补充营业执照扫描件")
    content = client.get(f"/customers/{a.pk}/").content.decode()
    returned = re.search(r'id="returned-comment">(.*?)</div>', content, re.S)
    assert returned, "the card does not show why it was returned"
    assert "请补充营业执照扫描件" in returned.group(1)
    assert "director" in returned.group(1)
    assert 'id="waiting-requests"' not in content
    # Resubmitted, the comment gives way to the waiting request.
    filing.entry_submit(actor=world["owner"], entry=a)
    content = client.get(f"/customers/{a.pk}/").content.decode()
    assert 'id="returned-comment"' not in content
    assert 'id="waiting-requests"' in content


def test_a_plain_draft_card_shows_neither(client, world):
    client.force_login(world["owner"])
    content = client.get(f"/customers/{world['a'].pk}/").content.decode()
    assert 'id="waiting-requests"' not in content
    assert 'id="returned-comment"' not in content
    assert 'id="archive-no"' not in content


def test_a_filed_card_shows_its_archive_number(client, world, filed_a):
    client.force_login(world["group_clerk"])
    content = client.get(f"/customers/{filed_a.pk}/").content.decode()
    assert f'id="archive-no">{filed_a.archive_no}<' in content
