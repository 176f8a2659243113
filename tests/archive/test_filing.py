"""Filing through approval (审批入档), against the database: who may move an archive entry where, and what then holds.

A card or a document starts as a draft; its keepers (owner, co-owners) submit it; a sales director other than
the author approves it (it is filed and numbered) or returns it with a comment. A filed entry changes only
through a change request, leaves only through an approved deletion request (into the recycle bin, from which
the archivist or a director restores it), and a director may put it back to an earlier version.

Reasons on the trail and refusal messages are translated when they are made (the interface is Chinese by
default), so an expected text is ``gettext`` of the source string in the active language, or the English text
inside ``translation.override("en")``.
"""

import datetime
import threading
import time

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.utils import formats, timezone, translation
from django.utils.translation import gettext

from archive import filing
from archive.choices import Category, FilingStatus
from archive.history import build_trail, describe
from archive.models import Counter, FilingRequest, Notification
from archive.registry import registry
from customers import permissions, services
from customers.choices import AttachmentKind, Nature
from customers.models import Attachment, Customer

from ..factories import credit_code, make_customer, make_region, make_user
from ..helpers import error_codes, pks

User = get_user_model()
Kind = FilingRequest.Kind
State = FilingRequest.State

# Everyone of the ``people`` fixture who may not change customer A, kept by ``owner`` with ``co_owner``.
NOT_KEEPERS_OF_A = ["other_manager", "granted_manager", "group_clerk", "clerk", "archivist"]
# Everyone who is not a sales director (the superuser holds every permission, so it is left out here).
NOT_DECIDERS = ["owner", "co_owner", "other_manager", "granted_manager", "group_clerk", "clerk", "archivist"]


# ---- Helpers -------------------------------------------------------------------------------------------------


def fresh(entry):
    """The entry as another user would read it now, recycle bin included."""
    return type(entry).all_objects.get(pk=entry.pk)


def fresh_request(request):
    return FilingRequest.objects.get(pk=request.pk)


def submit(entry, actor, note=""):
    return filing.entry_submit(actor=actor, entry=entry, note=note)


def approve(request, actor):
    return filing.request_approve(actor=actor, request_id=request.pk)


def give_back(request, actor, comment="请补充营业执照复印件"):
    return filing.request_return(actor=actor, request_id=request.pk, comment=comment)


def trail_count(entry) -> int:
    return type(entry).history.filter(id=entry.pk).count()


def last_trail(entry):
    return type(entry).history.filter(id=entry.pk).order_by("-history_id").first()


def archive_no(n: int) -> str:
    return f"KH-{timezone.localdate().year}-{n:05d}"


def label(model, name) -> str:
    return str(model._meta.get_field(name).verbose_name)


def snapshot(entry) -> tuple:
    """What a refusal must leave untouched: the stored entry (every field), its trail, its requests."""
    stored = fresh(entry)
    values = {f.attname: getattr(stored, f.attname) for f in type(entry)._meta.concrete_fields}
    requests = FilingRequest.objects.filter(
        content_type=ContentType.objects.get_for_model(type(entry)), object_id=entry.pk
    ).count()
    return values, trail_count(entry), requests


# ---- Submitting ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["owner", "co_owner"])
def test_a_keeper_submits_a_draft_card(world, role):
    """The owner or a co-owner sends the draft to the director: it waits, and the trail names the request."""
    a = world["a"]
    request = submit(a, world[role], note="新客户建档")

    a = fresh(a)
    assert a.status == FilingStatus.PENDING
    assert a.archive_no == "" and a.entry_no is None
    assert (request.kind, request.state, request.author, request.customer_id) == (
        Kind.FILING,
        State.PENDING,
        world[role],
        a.pk,
    )
    assert request.note == "新客户建档"
    assert request.base_version == a.version == 2
    row = last_trail(a)
    assert row.history_user == world[role]
    assert row.history_change_reason == gettext("Submitted for filing (request #%(number)s)") % {"number": request.pk}
    assert list(filing.inbox(world["director"])) == [request]
    assert filing.inbox_count(world["director"]) == 1
    assert filing.inbox_count(world[role]) == 0  # a manager decides nothing
    assert list(filing.my_requests(world[role])) == [request]
    assert list(filing.entry_requests(a)) == [request]


def test_a_keeper_submits_a_draft_document(world, add_document):
    document = add_document(world["a"], world["owner"])
    request = submit(document, world["co_owner"])
    assert fresh(document).status == FilingStatus.PENDING
    assert request.customer_id == world["a"].pk
    assert request.content_type.model_class() is Attachment


def test_a_returned_card_is_corrected_and_submitted_again(world):
    """Returned with a comment, the card is a draft again for its keepers; the next submission is a new request."""
    a, owner, director = world["a"], world["owner"], world["director"]
    first = submit(a, owner)
    give_back(first, director, comment="缺少法定代表人")
    assert fresh(a).status == FilingStatus.RETURNED

    services.customer_update(actor=owner, customer_id=a.pk, data={"legal_representative": "张三"})
    second = submit(a, owner)

    assert second.pk != first.pk
    assert second.state == State.PENDING
    assert fresh_request(first).state == State.RETURNED
    a = fresh(a)
    assert a.status == FilingStatus.PENDING
    assert a.legal_representative == "张三"
    assert filing.last_returned(a) is None  # no longer returned: the old comment is no longer shown
    approve(second, director)
    assert fresh(a).status == FilingStatus.FILED


@pytest.mark.parametrize("role", NOT_KEEPERS_OF_A)
def test_only_keepers_submit(world, add_document, role):
    """Whoever may not change the customer cannot send its card or documents for filing; nothing is written.

    The filing service answers every such refusal with ``PermissionDenied`` (the page that calls it has
    already answered 404 to those who cannot see the customer).
    """
    a = world["a"]
    document = add_document(a, world["owner"])
    for entry in (a, document):
        before = snapshot(entry)
        with pytest.raises(PermissionDenied):
            submit(entry, world[role])
        assert snapshot(entry) == before
        assert fresh(entry).status == FilingStatus.DRAFT
    assert not FilingRequest.objects.exists()


@pytest.mark.parametrize("state", ["pending", "filed"])
def test_a_pending_or_filed_card_cannot_be_submitted(world, state):
    a, owner = world["a"], world["owner"]
    request = submit(a, owner)
    if state == "filed":
        approve(request, world["director"])
    before = snapshot(a)
    with pytest.raises(ValidationError) as refused:
        submit(a, owner)
    assert error_codes(refused.value) == {"state"}
    assert snapshot(a) == before


# ---- Approving -----------------------------------------------------------------------------------------------


def test_the_director_files_a_submitted_card(world):
    """Approved, the card is filed with the year's next archive number and the first catalogue entry, 1-001."""
    a, owner, director = world["a"], world["owner"], world["director"]
    request = submit(a, owner)

    decided = approve(request, director)

    a = fresh(a)
    assert a.status == FilingStatus.FILED
    assert a.archive_no == archive_no(1)
    assert a.entry_no == 1
    assert a.entry_code == "1-001"
    assert a.filed_at is not None
    assert filing.catalogue_number(a, a) == f"{archive_no(1)} / 1-001"
    request = fresh_request(request)
    assert request.state == decided.state == State.APPROVED
    assert (request.decided_by, request.decided_by_name) == (director, "director")
    assert request.decided_at is not None
    (notice,) = Notification.objects.all()
    assert (notice.recipient, notice.request, notice.read_at) == (owner, request, None)
    assert list(filing.unread_notifications(owner)) == [notice]
    row = last_trail(a)
    assert row.history_user == director
    assert f"#{request.pk}" in row.history_change_reason
    assert row.history_change_reason == gettext("Filed: approved filing request #%(number)s") % {"number": request.pk}
    assert list(filing.inbox(director)) == []


def test_no_one_approves_their_own_request(people, director2):
    """A director who keeps a card submits it like a manager; another director decides it, never they themself."""
    director = people["director"]
    own = make_customer(director)
    request = submit(own, director)
    assert list(filing.inbox(director)) == []
    assert list(filing.inbox(director2)) == [request]

    for decide in (approve, give_back):
        with pytest.raises(PermissionDenied):
            decide(request, director)
    assert fresh(own).status == FilingStatus.PENDING
    assert fresh_request(request).state == State.PENDING

    approve(request, director2)
    own = fresh(own)
    assert own.status == FilingStatus.FILED
    assert own.archive_no == archive_no(1)
    assert fresh_request(request).decided_by == director2


@pytest.mark.parametrize("role", NOT_DECIDERS)
def test_only_a_director_approves_or_returns(world, role):
    """Keepers, readers and the archivist cannot decide; nothing is filed and no number is used up."""
    a = world["a"]
    request = submit(a, world["owner"] if role != "owner" else world["co_owner"])
    before = snapshot(a)
    with pytest.raises(PermissionDenied):
        approve(request, world[role])
    with pytest.raises(PermissionDenied):
        give_back(request, world[role])
    assert snapshot(a) == before
    assert fresh_request(request).state == State.PENDING
    assert not Counter.objects.filter(value__gt=0).exists()
    assert not Notification.objects.exists()
    with pytest.raises(PermissionDenied):
        filing.requests_approve(actor=world[role], request_ids=[request.pk])
    assert fresh(a).status == FilingStatus.PENDING


def test_a_superuser_approves_like_a_director(world):
    """The superuser holds every permission, the decision's among them, and is not the author: the card is filed."""
    request = submit(world["a"], world["owner"])
    approve(request, world["admin"])
    assert fresh(world["a"]).archive_no == archive_no(1)
    assert fresh_request(request).decided_by == world["admin"]


def test_a_request_is_decided_only_once(world, director2):
    a, director = world["a"], world["director"]
    request = submit(a, world["owner"])
    approve(request, director)
    after_first = snapshot(a)

    for decider in (director, director2):
        with pytest.raises(ValidationError) as refused:
            approve(request, decider)
        assert error_codes(refused.value) == {"decided"}
        with pytest.raises(ValidationError) as refused:
            give_back(request, decider)
        assert error_codes(refused.value) == {"decided"}
    assert snapshot(a) == after_first
    assert Notification.objects.count() == 1
    assert Counter.objects.get(key=f"KH-{timezone.localdate().year}").value == 1


@pytest.mark.parametrize("request_id", [999_999, "abc", None])
def test_an_unknown_request_is_refused(people, request_id):
    with pytest.raises(ValidationError) as refused:
        filing.request_approve(actor=people["director"], request_id=request_id)
    assert error_codes(refused.value) == {"missing"}


def test_a_request_waiting_on_a_customer_in_the_recycle_bin_cannot_be_approved(world, filed_a, add_document, director2):
    """Binning a customer returns what waited on it; approving one of those afterwards is refused."""
    document = add_document(filed_a, world["owner"])
    waiting = submit(document, world["owner"])
    deletion = filing.deletion_request(actor=world["owner"], entry=filed_a, note="客户已注销")
    approve(deletion, world["director"])

    with pytest.raises(ValidationError) as refused:
        approve(waiting, director2)
    assert error_codes(refused.value) == {"missing"}
    assert fresh(document).status == FilingStatus.RETURNED
    assert fresh(document).entry_no is None


# ---- Returning -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("comment", ["", "   \n"])
def test_returning_needs_a_comment(world, comment):
    """The author must learn what to correct: a return without a comment is refused and nothing changes."""
    a = world["a"]
    request = submit(a, world["owner"])
    before = snapshot(a)
    with pytest.raises(ValidationError) as refused:
        give_back(request, world["director"], comment=comment)
    assert "comment" in refused.value.error_dict
    assert snapshot(a) == before
    assert fresh_request(request).state == State.PENDING
    assert not Notification.objects.exists()


def test_a_returned_card_goes_back_to_its_author_with_the_comment(world):
    a, owner, director = world["a"], world["owner"], world["director"]
    request = submit(a, owner)
    comment = "统一社会信用代码与营业执照不符"

    give_back(request, director, comment=comment)

    a = fresh(a)
    assert a.status == FilingStatus.RETURNED
    assert a.archive_no == "" and a.entry_no is None
    request = fresh_request(request)
    assert (request.state, request.comment, request.decided_by) == (State.RETURNED, comment, director)
    assert filing.last_returned(a) == request
    assert filing.last_returned(a).comment == comment
    (notice,) = Notification.objects.all()
    assert (notice.recipient, notice.request) == (owner, request)
    row = last_trail(a)
    assert row.history_user == director
    assert comment in row.history_change_reason
    assert f"#{request.pk}" in row.history_change_reason
    assert not Counter.objects.filter(value__gt=0).exists()


def test_returning_a_change_request_leaves_the_filed_card_as_it_was(world, filed_a):
    owner, director = world["owner"], world["director"]
    request = services.card_change_propose(actor=owner, customer_id=filed_a.pk, data={"phone": "110"}, note="换号")
    before = snapshot(filed_a)

    give_back(request, director, comment="号码有误")

    after_values, after_trail, _ = snapshot(filed_a)
    assert (after_values, after_trail) == before[:2]
    assert fresh(filed_a).status == FilingStatus.FILED
    assert fresh_request(request).state == State.RETURNED
    assert Notification.objects.filter(recipient=owner, request=request).exists()
    assert filing.last_returned(fresh(filed_a)) is None  # a filed card shows no returned comment


# ---- Direct edits ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("state", "code"), [("pending", "pending"), ("filed", "filed")])
def test_a_pending_or_filed_card_cannot_be_edited_directly(world, state, code):
    """Only a draft or a returned card is edited in place; otherwise nothing is saved and the trail is untouched."""
    a, owner = world["a"], world["owner"]
    request = submit(a, owner)
    if state == "filed":
        approve(request, world["director"])
    before = snapshot(a)
    for actor in (owner, world["director"]):
        with pytest.raises(ValidationError) as refused:
            services.customer_update(actor=actor, customer_id=a.pk, data={"phone": "13800000000"})
        assert error_codes(refused.value) == {code}
    assert snapshot(a) == before


@pytest.mark.parametrize("state", ["draft", "returned"])
def test_a_draft_or_returned_card_is_edited_directly(world, state):
    a, owner = world["a"], world["owner"]
    if state == "returned":
        give_back(submit(a, owner), world["director"])
    version, rows = fresh(a).version, trail_count(a)
    services.customer_update(actor=owner, customer_id=a.pk, data={"phone": "13800000000"})
    a = fresh(a)
    assert a.phone == "13800000000"
    assert a.status == state
    assert (a.version, trail_count(a)) == (version + 1, rows + 1)


@pytest.mark.parametrize(("state", "code"), [("pending", "pending"), ("filed", "filed")])
def test_a_pending_or_filed_document_cannot_be_edited_directly(world, filed_a, add_document, state, code):
    owner = world["owner"]
    document = add_document(filed_a, owner)
    request = submit(document, owner)
    if state == "filed":
        approve(request, world["director"])
    before = snapshot(document)
    with pytest.raises(ValidationError) as refused:
        services.attachment_update(actor=owner, attachment_id=document.pk, data={"title": "新标题"})
    assert error_codes(refused.value) == {code}
    assert snapshot(document) == before


@pytest.mark.parametrize("state", ["draft", "returned"])
def test_a_draft_or_returned_document_is_edited_directly(world, add_document, state):
    owner = world["owner"]
    document = add_document(world["a"], owner)
    if state == "returned":
        give_back(submit(document, owner), world["director"])
    services.attachment_update(
        actor=owner, attachment_id=document.pk, data={"title": "身份证复印件", "kind": AttachmentKind.ID_COPY}
    )
    document = fresh(document)
    assert (document.title, document.kind, document.status) == ("身份证复印件", AttachmentKind.ID_COPY, state)


# ---- Change requests -------------------------------------------------------------------------------------------


@pytest.fixture
def richly_filed_a(world, file_entry):
    """Customer A with a few filled-in fields of different kinds, filed."""
    a = world["a"]
    services.customer_update(
        actor=world["owner"],
        customer_id=a.pk,
        data={"phone": "0571-1111", "registered_capital": "1000000.00", "nature": Nature.ORDINARY},
    )
    return file_entry(a, world["owner"], world["director"])


CHANGE = {
    "phone": "0571-2222",
    "registered_capital": "2500000.50",
    "nature": Nature.PARTNER,
    "founded_on": "2008-08-08",
}


def test_a_change_request_waits_while_the_filed_card_stays_as_it_is(world, richly_filed_a):
    """Until the director approves, every reader sees the filed card; the request carries the proposed values."""
    a, owner = richly_filed_a, world["owner"]
    region = make_region("华南区", "south")
    before = snapshot(a)

    request = services.card_change_propose(
        actor=owner, customer_id=a.pk, data={**CHANGE, "region": region}, note="客户搬迁并增资"
    )

    assert (request.kind, request.state, request.base_version, request.note) == (
        Kind.CHANGE,
        State.PENDING,
        a.version,
        "客户搬迁并增资",
    )
    assert set(request.proposed) == {*CHANGE, "region"}
    assert snapshot(a) == (before[0], before[1], before[2] + 1)  # only the request was written
    seen = Customer.objects.get(pk=a.pk)
    assert (seen.phone, seen.nature, seen.region_id) == ("0571-1111", Nature.ORDINARY, world["region"].pk)
    assert seen.status == FilingStatus.FILED

    (proposal,) = filing.proposals([request])
    assert not proposal.stale
    shown = {change.label: (change.old_display, change.new_display) for change in proposal.changes}
    assert shown == {
        label(Customer, "phone"): ("0571-1111", "0571-2222"),
        label(Customer, "registered_capital"): ("1,000,000.00", "2,500,000.50"),
        label(Customer, "nature"): (str(Nature.ORDINARY.label), str(Nature.PARTNER.label)),
        label(Customer, "founded_on"): ("—", formats.date_format(datetime.date(2008, 8, 8), "DATE_FORMAT")),
        label(Customer, "region"): ("华东区", "华南区"),
    }


def test_approving_a_change_applies_exactly_what_the_director_read(world, richly_filed_a):
    """The trail's new version differs from the filed one in exactly the proposal's fields, old and new alike."""
    a, owner, director = richly_filed_a, world["owner"], world["director"]
    region = make_region("华南区", "south")
    request = services.card_change_propose(
        actor=owner, customer_id=a.pk, data={**CHANGE, "region": region}, note="客户搬迁并增资"
    )
    (proposal,) = filing.proposals([request])
    read = sorted((c.label, c.old_display, c.new_display) for c in proposal.changes)
    assert len(read) == len(CHANGE) + 1

    with translation.override("en"):
        approve(request, director)

    newest = build_trail([(Customer, {"id": a.pk})])[0]
    describe([newest])
    applied = sorted((c.label, c.old_display, c.new_display) for c in newest.changes)
    assert applied == read
    assert newest.reason == f"Approved change request #{request.pk}"
    assert newest.record.history_user == director

    a_now = fresh(a)
    assert (a_now.phone, a_now.nature, a_now.region_id, str(a_now.founded_on)) == (
        "0571-2222",
        Nature.PARTNER,
        region.pk,
        "2008-08-08",
    )
    assert str(a_now.registered_capital) == "2500000.50"
    assert a_now.version == a.version + 1
    assert (a_now.archive_no, a_now.entry_no, a_now.status) == (a.archive_no, 1, FilingStatus.FILED)
    assert fresh_request(request).state == State.APPROVED
    assert Notification.objects.filter(recipient=owner, request=request).exists()


def test_an_overtaken_change_request_is_refused_as_stale(world, filed_a):
    """Two keepers propose against the same version; once the first is approved the second would undo it.

    The refusal names the field that changed and who saved that change, and leaves the card as it is.
    """
    owner, co_owner, director = world["owner"], world["co_owner"], world["director"]
    first = services.card_change_propose(actor=owner, customer_id=filed_a.pk, data={"phone": "111"}, note="新电话")
    second = services.card_change_propose(
        actor=co_owner, customer_id=filed_a.pk, data={"address": "上海市浦东新区"}, note="新地址"
    )
    approve(first, director)
    before = snapshot(filed_a)
    (proposal,) = filing.proposals([second])
    assert proposal.stale

    with translation.override("en"), pytest.raises(filing.StaleRequest) as refused:
        approve(second, director)

    message = " ".join(refused.value.messages)
    with translation.override("en"):
        assert label(Customer, "phone") in message
    assert "director" in message
    assert f"#{second.pk}" in message
    assert [change.field.name for change in refused.value.changes] == ["phone"]
    assert refused.value.by == "director"
    assert error_codes(refused.value) == {"stale"}
    assert snapshot(filed_a) == before
    assert fresh(filed_a).address == ""
    assert fresh_request(second).state == State.PENDING
    give_back(second, director, comment="请在新版本上重新提出")  # the way out the message suggests
    assert fresh_request(second).state == State.RETURNED


def test_a_proposal_that_changes_nothing_is_refused(world, filed_a):
    with pytest.raises(ValidationError) as refused:
        services.card_change_propose(
            actor=world["owner"], customer_id=filed_a.pk, data={"name": filed_a.name, "phone": ""}, note="无变化"
        )
    assert error_codes(refused.value) == {"unchanged"}
    assert not FilingRequest.objects.filter(kind=Kind.CHANGE).exists()


@pytest.mark.parametrize("state", ["draft", "pending", "returned"])
def test_only_a_filed_card_takes_a_change_request(world, state):
    a, owner = world["a"], world["owner"]
    if state != "draft":
        request = submit(a, owner)
        if state == "returned":
            give_back(request, world["director"])
    with pytest.raises(ValidationError) as refused:
        services.card_change_propose(actor=owner, customer_id=a.pk, data={"phone": "110"}, note="改电话")
    assert error_codes(refused.value) == {"state"}
    assert not FilingRequest.objects.filter(kind=Kind.CHANGE).exists()


@pytest.mark.parametrize("note", ["", "  "])
def test_a_change_request_needs_a_reason(world, filed_a, note):
    with pytest.raises(ValidationError) as refused:
        services.card_change_propose(actor=world["owner"], customer_id=filed_a.pk, data={"phone": "110"}, note=note)
    assert "note" in refused.value.error_dict
    assert not FilingRequest.objects.filter(kind=Kind.CHANGE).exists()


BAD_CREDIT_CODE = credit_code(424242)[:17] + ("0" if credit_code(424242)[17] != "0" else "1")


@pytest.mark.parametrize(
    ("value", "codes"),
    [
        pytest.param("91310000ABCDEFGHI0", {"credit_code_format"}, id="malformed"),
        pytest.param(BAD_CREDIT_CODE, {"credit_code_check_digit"}, id="wrong-check-digit"),
    ],
)
def test_an_invalid_proposal_is_refused_and_not_recorded(world, filed_a, value, codes):
    """The proposal is validated as the card form validates an edit, before anything waits for the director."""
    with pytest.raises(ValidationError) as refused:
        services.card_change_propose(
            actor=world["owner"], customer_id=filed_a.pk, data={"credit_code": value}, note="更正信用代码"
        )
    assert {error.code for error in refused.value.error_dict["credit_code"]} == codes
    assert not FilingRequest.objects.filter(kind=Kind.CHANGE).exists()
    assert fresh(filed_a).credit_code == filed_a.credit_code


def test_a_credit_code_held_by_another_customer_cannot_be_proposed(world, filed_a):
    """Another customer's code, even typed in lower case (the card normalises it), is refused up front."""
    with pytest.raises(ValidationError) as refused:
        services.card_change_propose(
            actor=world["owner"],
            customer_id=filed_a.pk,
            data={"credit_code": world["b"].credit_code.lower()},
            note="更正信用代码",
        )
    assert refused.value.messages  # the unique constraint's own message
    assert not FilingRequest.objects.filter(kind=Kind.CHANGE).exists()
    assert fresh(filed_a).credit_code == filed_a.credit_code


def test_a_credit_code_held_by_a_customer_in_the_recycle_bin_cannot_be_proposed(world, filed_a, file_entry):
    """A binned customer still holds its credit code (the bin can give it back), so the code is still taken."""
    b = file_entry(world["b"], world["other_manager"], world["director"])
    approve(filing.deletion_request(actor=world["other_manager"], entry=b, note="客户已注销"), world["director"])
    with pytest.raises(ValidationError) as refused:
        services.card_change_propose(
            actor=world["owner"], customer_id=filed_a.pk, data={"credit_code": b.credit_code}, note="更正信用代码"
        )
    assert set(refused.value.error_dict) == {"credit_code"}
    assert not FilingRequest.objects.filter(kind=Kind.CHANGE).exists()


@pytest.mark.parametrize(
    ("role", "refusal"),
    [("other_manager", Http404), ("clerk", Http404)]
    + [(role, PermissionDenied) for role in ("granted_manager", "group_clerk", "archivist")],
)
def test_only_keepers_propose_changes(world, filed_a, role, refusal):
    """Those who cannot see A get a 404 as if it did not exist; those who only read it are refused."""
    with pytest.raises(refusal):
        services.card_change_propose(actor=world[role], customer_id=filed_a.pk, data={"phone": "110"}, note="改")
    assert not FilingRequest.objects.filter(kind=Kind.CHANGE).exists()


def test_a_change_to_a_filed_document_keeps_its_catalogue_number(world, filed_a, add_document, file_entry):
    owner, director = world["owner"], world["director"]
    document = file_entry(add_document(filed_a, owner), owner, director)
    request = services.attachment_change_propose(
        actor=owner, attachment_id=document.pk, data={"title": "营业执照（2025年换发）"}, note="换发新照"
    )
    assert fresh(document).title == "营业执照"
    approve(request, director)
    document = fresh(document)
    assert (document.title, document.entry_code, document.status) == ("营业执照（2025年换发）", "1-002", "filed")


# ---- Deletion and the recycle bin --------------------------------------------------------------------------------


@pytest.mark.parametrize("note", ["", "   "])
def test_a_deletion_request_needs_a_reason(world, filed_a, note):
    with pytest.raises(ValidationError) as refused:
        filing.deletion_request(actor=world["owner"], entry=filed_a, note=note)
    assert "note" in refused.value.error_dict
    assert not FilingRequest.objects.filter(kind=Kind.DELETION).exists()


@pytest.mark.parametrize("role", NOT_KEEPERS_OF_A)
def test_only_keepers_ask_for_a_deletion(world, filed_a, role):
    with pytest.raises(PermissionDenied):
        filing.deletion_request(actor=world[role], entry=filed_a, note="删除")
    assert not FilingRequest.objects.filter(kind=Kind.DELETION).exists()


def test_an_approved_deletion_moves_the_customer_and_its_documents_out_of_sight(world, filed_a, add_document):
    """In the bin, the customer is gone from every list — the director's too — but not from the database."""
    owner, director, archivist = world["owner"], world["director"], world["archivist"]
    document = add_document(filed_a, owner)
    other_document = add_document(world["b"], world["other_manager"])
    request = filing.deletion_request(actor=owner, entry=filed_a, note="客户已注销")
    assert Customer.objects.filter(pk=filed_a.pk).exists()  # waiting: nothing moves yet

    approve(request, director)

    assert not Customer.objects.filter(pk=filed_a.pk).exists()
    binned = Customer.all_objects.get(pk=filed_a.pk)
    assert binned.deleted_at is not None
    assert (binned.status, binned.archive_no) == (FilingStatus.FILED, filed_a.archive_no)
    for user in (director, archivist, owner, world["admin"]):
        assert filed_a.pk not in pks(permissions.visible_customers(user))
        assert document.pk not in pks(permissions.restrict_related(Attachment.objects.all(), user))
    assert pks(permissions.restrict_related(Attachment.objects.all(), director)) == {other_document.pk}
    assert not permissions.can(owner, "view", binned)
    assert last_trail(binned).history_change_reason == gettext(
        "Moved to the recycle bin: approved deletion request #%(number)s"
    ) % {"number": request.pk}
    bins = {spec.model: entries for spec, entries in filing.recycle_bin(archivist)}
    assert bins[Customer] == [binned]
    assert filing.recycle_bin(owner) == []


def test_binning_a_customer_returns_everything_that_waited_on_it(world, filed_a, add_document):
    owner, co_owner, director = world["owner"], world["co_owner"], world["director"]
    document = add_document(filed_a, owner)
    document_filing = submit(document, owner)
    card_change = services.card_change_propose(actor=co_owner, customer_id=filed_a.pk, data={"phone": "1"}, note="改")
    elsewhere = submit(world["b"], world["other_manager"])
    deletion = filing.deletion_request(actor=owner, entry=filed_a, note="客户已注销")

    approve(deletion, director)

    for request in (document_filing, card_change):
        request = fresh_request(request)
        assert request.state == State.RETURNED
        assert request.comment == gettext("The entry was moved to the recycle bin.")
        assert request.decided_by == director
        assert Notification.objects.filter(recipient=request.author, request=request).exists()
    assert fresh(document).status == FilingStatus.RETURNED
    assert fresh(filed_a).phone == ""
    assert fresh_request(elsewhere).state == State.PENDING  # another customer's request is not touched


def test_a_second_deletion_request_is_refused_while_one_waits(world, filed_a):
    filing.deletion_request(actor=world["owner"], entry=filed_a, note="客户已注销")
    with pytest.raises(ValidationError) as refused:
        filing.deletion_request(actor=world["co_owner"], entry=filed_a, note="重复申请")
    assert error_codes(refused.value) == {"duplicate"}
    assert FilingRequest.objects.filter(kind=Kind.DELETION).count() == 1


def test_a_pending_entry_cannot_be_asked_for_deletion(world):
    submit(world["a"], world["owner"])
    with pytest.raises(ValidationError) as refused:
        filing.deletion_request(actor=world["owner"], entry=world["a"], note="删除")
    assert error_codes(refused.value) == {"pending"}


@pytest.fixture
def binned_a(world, filed_a, add_document):
    """Customer A, filed with one document, then moved to the recycle bin by an approved deletion request."""
    add_document(filed_a, world["owner"])
    request = filing.deletion_request(actor=world["owner"], entry=filed_a, note="客户已注销")
    approve(request, world["director"])
    return fresh(filed_a)


@pytest.mark.parametrize("role", ["archivist", "director"])
def test_the_archivist_or_a_director_restores_a_customer(world, binned_a, role):
    """Restored, the customer and its documents are back in every list, as they were when they went in."""
    (document,) = Attachment.objects.filter(customer_id=binned_a.pk)
    assert document.pk not in pks(permissions.restrict_related(Attachment.objects.all(), world["director"]))

    with translation.override("en"):
        restored = filing.entry_restore(actor=world[role], spec=registry.filable(Customer), pk=binned_a.pk)

    assert restored.deleted_at is None
    assert Customer.objects.filter(pk=binned_a.pk).exists()
    for user in (world["director"], world["archivist"], world["owner"], world["granted_manager"]):
        assert binned_a.pk in pks(permissions.visible_customers(user))
        assert document.pk in pks(permissions.restrict_related(Attachment.objects.all(), user))
    restored = fresh(binned_a)
    assert (restored.status, restored.archive_no, restored.entry_no) == (FilingStatus.FILED, binned_a.archive_no, 1)
    assert restored.version == binned_a.version + 1
    row = last_trail(restored)
    assert row.history_user == world[role]
    assert row.history_change_reason == "Restored from the recycle bin"
    assert all(entries == [] for _spec, entries in filing.recycle_bin(world["archivist"]))


@pytest.mark.parametrize("role", ["owner", "co_owner", "other_manager", "granted_manager", "clerk"])
def test_only_the_archivist_or_a_director_restores(world, binned_a, role):
    with pytest.raises(PermissionDenied):
        filing.entry_restore(actor=world[role], spec=registry.filable(Customer), pk=binned_a.pk)
    assert not Customer.objects.filter(pk=binned_a.pk).exists()


def test_restoring_an_entry_that_is_not_in_the_bin_is_refused(world, filed_a):
    with pytest.raises(ValidationError) as refused:
        filing.entry_restore(actor=world["archivist"], spec=registry.filable(Customer), pk=filed_a.pk)
    assert error_codes(refused.value) == {"state"}


def test_a_document_is_restored_only_after_its_customer(world, filed_a, add_document, file_entry):
    owner, director, archivist = world["owner"], world["director"], world["archivist"]
    document = file_entry(add_document(filed_a, owner), owner, director)
    approve(filing.deletion_request(actor=owner, entry=document, note="扫描件模糊"), director)
    assert not Attachment.objects.filter(pk=document.pk).exists()
    approve(filing.deletion_request(actor=owner, entry=filed_a, note="客户已注销"), director)
    spec = registry.filable(Attachment)

    with pytest.raises(ValidationError) as refused:
        filing.entry_restore(actor=archivist, spec=spec, pk=document.pk)
    assert filed_a.name in " ".join(refused.value.messages)
    assert fresh(document).deleted_at is not None

    filing.entry_restore(actor=archivist, spec=registry.filable(Customer), pk=filed_a.pk)
    assert not Attachment.objects.filter(pk=document.pk).exists()  # the document stays binned on its own
    filing.entry_restore(actor=archivist, spec=spec, pk=document.pk)
    assert Attachment.objects.get(pk=document.pk).entry_code == "1-002"


# ---- Reverting ---------------------------------------------------------------------------------------------------


def test_a_director_reverts_a_filed_card_to_an_earlier_version(world, filed_a):
    """The earlier values come back as a new version; the trail says which version it returned to."""
    owner, director = world["owner"], world["director"]
    filed_row = last_trail(filed_a)
    approve(
        services.card_change_propose(
            actor=owner, customer_id=filed_a.pk, data={"phone": "999", "notes": "误改"}, note="更新"
        ),
        director,
    )
    changed = fresh(filed_a)
    assert changed.phone == "999"

    with translation.override("en"):
        filing.entry_revert(actor=director, entry=changed, history_id=filed_row.history_id)

    reverted = fresh(filed_a)
    assert (reverted.phone, reverted.notes) == (filed_a.phone, filed_a.notes)
    assert reverted.version == changed.version + 1
    assert (reverted.status, reverted.archive_no, reverted.entry_no) == ("filed", filed_a.archive_no, 1)
    newest = build_trail([(Customer, {"id": filed_a.pk})])[0]
    assert newest.reason.startswith("Reverted to the version of ")
    assert newest.record.history_user == director
    assert {change.field.name for change in newest.changes} == {"phone", "notes"}


@pytest.mark.parametrize("role", ["owner", "co_owner", "archivist", "clerk"])
def test_only_a_director_reverts(world, filed_a, role):
    first = filed_a.history.order_by("history_id").first()
    before = snapshot(filed_a)
    with pytest.raises(PermissionDenied):
        filing.entry_revert(actor=world[role], entry=filed_a, history_id=first.history_id)
    assert snapshot(filed_a) == before


def test_a_draft_cannot_be_reverted(world):
    a = world["a"]
    services.customer_update(actor=world["owner"], customer_id=a.pk, data={"phone": "1"})
    first = a.history.order_by("history_id").first()
    with pytest.raises(ValidationError) as refused:
        filing.entry_revert(actor=world["director"], entry=a, history_id=first.history_id)
    assert error_codes(refused.value) == {"state"}
    assert fresh(a).phone == "1"


def test_a_card_cannot_be_reverted_to_another_customers_version(world, filed_a):
    foreign = world["b"].history.order_by("history_id").first()
    before = snapshot(filed_a)
    with pytest.raises(ValidationError) as refused:
        filing.entry_revert(actor=world["director"], entry=filed_a, history_id=foreign.history_id)
    assert error_codes(refused.value) == {"missing"}
    assert snapshot(filed_a) == before


def test_reverting_to_the_values_the_card_holds_is_refused(world, filed_a):
    with pytest.raises(ValidationError) as refused:
        filing.entry_revert(actor=world["director"], entry=filed_a, history_id=last_trail(filed_a).history_id)
    assert error_codes(refused.value) == {"unchanged"}


# ---- Approving several at once -------------------------------------------------------------------------------------


def test_bulk_approval_decides_each_request_on_its_own(world, add_document):
    """One outcome per request, in the order given. A document sent with its card is filed after the card."""
    owner, director = world["owner"], world["director"]
    a, b = world["a"], world["b"]
    document = add_document(a, owner)
    document_filing = submit(document, owner)  # before its card: the batch must still file the card first
    own = submit(make_customer(director), director)
    decided = submit(make_customer(world["other_manager"]), world["other_manager"])
    give_back(decided, director)
    card_a = submit(a, owner)
    card_b = submit(b, world["other_manager"])
    order = [document_filing.pk, own.pk, decided.pk, card_a.pk, 424242, card_b.pk]

    outcomes = filing.requests_approve(actor=director, request_ids=[str(pk) for pk in order])

    assert [o.request_id for o in outcomes] == order
    assert [o.approved for o in outcomes] == [True, False, False, True, False, True]
    assert outcomes[0].message == outcomes[3].message == outcomes[5].message == gettext("Approved.")
    assert outcomes[1].message == gettext("No one approves or returns their own request.")
    assert outcomes[2].message == gettext("Request #%(number)s has already been decided: %(state)s.") % {
        "number": decided.pk,
        "state": State.RETURNED.label,
    }
    assert outcomes[4].message == gettext("There is no request #%(number)s.") % {"number": 424242}
    assert fresh(document).entry_code == "1-002"
    assert fresh(a).entry_code == fresh(b).entry_code == "1-001"
    assert {fresh(a).archive_no, fresh(b).archive_no} == {archive_no(1), archive_no(2)}
    assert fresh_request(own).state == State.PENDING
    assert fresh_request(decided).state == State.RETURNED


# ---- Entry numbers and the catalogue -------------------------------------------------------------------------------


def test_documents_are_numbered_after_the_card_in_the_order_they_are_approved(world, filed_a, add_document):
    owner, director = world["owner"], world["director"]
    first, second, third = (add_document(filed_a, owner, title=t) for t in ("营业执照", "身份证", "签字表"))
    requests = {doc.pk: submit(doc, owner) for doc in (first, second, third)}

    approve(requests[third.pk], director)
    approve(requests[first.pk], director)

    assert fresh(third).entry_code == "1-002"
    assert fresh(first).entry_code == "1-003"
    assert fresh(second).entry_code == ""
    assert filing.catalogue_number(filed_a, fresh(first)) == f"{filed_a.archive_no} / 1-003"
    assert filing.catalogue(fresh(filed_a)) == [(Category.BASIC, [fresh(filed_a), fresh(third), fresh(first)])]

    approve(requests[second.pk], director)
    assert fresh(second).entry_code == "1-004"
    catalogue = filing.catalogue(fresh(filed_a))
    assert [entry.entry_code for entry in catalogue[0][1]] == ["1-001", "1-002", "1-003", "1-004"]


def test_each_customer_numbers_its_own_entries(world, filed_a, add_document, file_entry):
    owner, director = world["owner"], world["director"]
    b = file_entry(world["b"], world["other_manager"], director)
    a_document = file_entry(add_document(filed_a, owner), owner, director)
    b_document = file_entry(add_document(b, world["other_manager"]), world["other_manager"], director)
    assert a_document.entry_code == b_document.entry_code == "1-002"
    assert filing.catalogue(b) == [(Category.BASIC, [b, b_document])]


def test_a_document_cannot_be_filed_before_its_card(world, add_document):
    """A document is numbered inside its customer's archive number, so the card must be filed first."""
    a, owner, director = world["a"], world["owner"], world["director"]
    document = add_document(a, owner)
    request = submit(document, owner)

    with pytest.raises(ValidationError) as refused:
        approve(request, director)
    assert error_codes(refused.value) == {"root_unfiled"}
    assert a.name in " ".join(refused.value.messages)
    assert fresh(document).status == FilingStatus.PENDING
    assert fresh_request(request).state == State.PENDING
    assert filing.catalogue(fresh(a)) == []

    approve(submit(a, owner), director)
    approve(request, director)
    assert fresh(document).entry_code == "1-002"  # the refused approval used no number


def test_the_catalogue_leaves_out_what_is_not_filed(world, add_document):
    a = world["a"]
    add_document(a, world["owner"])
    assert filing.catalogue(a) == []


def test_nothing_of_a_customer_in_the_recycle_bin_moves_through_filing(world, filed_a, add_document, file_entry):
    """A binned customer takes its records with it, for every reader: not even a director files or changes them.

    (Whatever were asked would wait where no director can see it: the inbox leaves binned customers out.)
    """
    owner, director = world["owner"], world["director"]
    filed = file_entry(add_document(filed_a, owner), owner, director)
    first_version = last_trail(filed)
    approve(
        services.attachment_change_propose(actor=owner, attachment_id=filed.pk, data={"title": "新证照"}, note="换发"),
        director,
    )
    draft = add_document(filed_a, owner, title="身份证")
    approve(filing.deletion_request(actor=owner, entry=filed_a, note="客户已注销"), director)
    written = (FilingRequest.objects.count(), Attachment.history.count())

    attempts = {
        "submit": lambda: submit(fresh(draft), director),
        "propose a change": lambda: filing.change_propose(
            actor=director, entry=fresh(filed), data={"title": "再改"}, note="改"
        ),
        "ask for deletion": lambda: filing.deletion_request(actor=director, entry=fresh(filed), note="删除"),
        "revert": lambda: filing.entry_revert(actor=director, entry=fresh(filed), history_id=first_version.history_id),
    }
    outcomes = {}
    for name, attempt in attempts.items():
        try:
            attempt()
        except (PermissionDenied, ValidationError):
            outcomes[name] = "refused"
        else:
            outcomes[name] = "done"
    assert outcomes == dict.fromkeys(attempts, "refused")
    assert (FilingRequest.objects.count(), Attachment.history.count()) == written


# ---- Decisions at the same moment (PostgreSQL) -----------------------------------------------------------------


def _lock_waits() -> int:
    """How many connections to the test database wait for a row lock right now."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs row locks from two connections (PostgreSQL)")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_binning_a_customer_while_its_document_is_approved_does_not_deadlock(people, add_document, monkeypatch):
    """One director bins a customer while another approves one of its documents: both finish cleanly.

    The binning is held at the moment it starts to return what waits on the customer, until the other approval
    has begun; without that pause the same thing happens, only by chance.
    """
    manager, director = people["owner"], people["director"]
    director2 = make_user("director2", "sales_director")
    customer = make_customer(manager)
    filing.request_approve(actor=director, request_id=submit(customer, manager).pk)
    document = add_document(customer, manager)
    document_filing = submit(document, manager)
    deletion = filing.deletion_request(actor=manager, entry=fresh(customer), note="客户已注销")

    binning, go_on, approved = threading.Event(), threading.Event(), threading.Event()
    bin_entry = filing.APPLY[Kind.DELETION]

    def held_bin(*args, **kwargs):
        binning.set()
        go_on.wait(timeout=30)
        return bin_entry(*args, **kwargs)

    monkeypatch.setitem(filing.APPLY, Kind.DELETION, held_bin)
    errors = []

    def decide(user_pk, request_id, done=None):
        try:
            filing.request_approve(actor=User.objects.get(pk=user_pk), request_id=request_id)
        except (ValidationError, PermissionDenied):
            pass  # a clean refusal is an acceptable answer for the document
        except BaseException as exc:  # noqa: BLE001 - a database error in a thread is what the test looks for
            errors.append(exc)
        finally:
            if done:
                done.set()
            connection.close()

    bin_thread = threading.Thread(target=decide, args=(director.pk, deletion.pk), daemon=True)
    bin_thread.start()
    assert binning.wait(timeout=30), "the binning never started"
    approve_thread = threading.Thread(target=decide, args=(director2.pk, document_filing.pk, approved), daemon=True)
    approve_thread.start()
    for _ in range(300):  # until the document's approval waits for a lock, or is already done
        if approved.is_set() or _lock_waits():
            break
        time.sleep(0.01)
    go_on.set()
    for thread in (bin_thread, approve_thread):
        thread.join(timeout=60)
    assert not bin_thread.is_alive() and not approve_thread.is_alive(), "a decision never finished"

    assert errors == []
    assert Customer.all_objects.get(pk=customer.pk).deleted_at is not None
    assert FilingRequest.objects.get(pk=deletion.pk).state == State.APPROVED
    document_state = FilingRequest.objects.get(pk=document_filing.pk).state
    assert (document_state, fresh(document).status) in {
        (State.APPROVED, FilingStatus.FILED),
        (State.RETURNED, FilingStatus.RETURNED),
    }
