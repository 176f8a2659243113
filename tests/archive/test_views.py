"""The archive's own pages: the director's inbox and its decisions, the author's submissions, submitting and
asking for deletion, the recycle bin; who may open them and what each click changes in the database."""

import datetime
import re

import pytest
from django.contrib import messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.translation import override

from archive import filing, views
from archive.choices import FilingStatus
from archive.models import FilingRequest, Notification
from customers import services
from customers.choices import AttachmentKind
from customers.models import Attachment, Customer

from ..factories import make_customer, make_region, make_user
from ..helpers import (
    LOGIN,
    SIGNED_IN,
    assert_matrix,
    file_through_approval,
    image_bytes,
    message_levels,
    queries_text,
    shown_messages,
    upload,
)

Kind = FilingRequest.Kind
State = FilingRequest.State

DECIDERS = {"director", "admin"}  # the sales director, and a superuser who holds every permission
RESTORERS = {"director", "archivist", "admin"}
SEES_A = {"director", "archivist", "owner", "co_owner", "granted_manager", "group_clerk", "admin"}


# ---- Builders ------------------------------------------------------------------------------------------------


@pytest.fixture
def director2(db):
    """A second sales director, to decide what the first one submitted."""
    return make_user("director2", "sales_director")


def _attachment(actor, customer, title="营业执照") -> Attachment:
    return services.attachment_create(
        actor=actor,
        customer_id=customer.pk,
        upload=upload(f"{title}.png", image_bytes("PNG"), "image/png"),
        kind=AttachmentKind.BUSINESS_LICENCE,
        title=title,
    )


def _text(response) -> str:
    """The page as a reader sees it: tags removed, whitespace collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def _listed(response) -> list[int]:
    return [proposal.request.pk for proposal in response.context["proposals"]]


def _state(request) -> str:
    request.refresh_from_db()
    return request.state


# ---- The inbox: who may open it and what it lists -------------------------------------------------------------


def test_inbox_permission_matrix(client, people):
    assert_matrix(
        client,
        people,
        "/approvals/",
        {"anonymous": LOGIN, **{role: 200 if role in DECIDERS else 403 for role in SIGNED_IN}},
    )


def test_inbox_lists_the_requests_of_others_but_never_the_directors_own(client, world, director2):
    director = world["director"]
    by_owner = filing.entry_submit(actor=world["owner"], entry=world["a"])
    by_other = filing.entry_submit(actor=world["other_manager"], entry=world["b"])
    own_customer = make_customer(director, name="总监自己开的客户有限公司")
    by_director = filing.entry_submit(actor=director, entry=own_customer)

    client.force_login(director)
    response = client.get("/approvals/")
    assert response.status_code == 200
    assert _listed(response) == [by_owner.pk, by_other.pk]  # oldest first
    assert f'id="request-{by_director.pk}"' not in response.content.decode()
    for customer in (world["a"], world["b"]):
        assert customer.name in response.content.decode()

    client.force_login(director2)
    response = client.get("/approvals/")
    assert _listed(response) == [by_owner.pk, by_other.pk, by_director.pk]
    assert own_customer.name in response.content.decode()


def test_decided_requests_leave_the_inbox(client, world):
    submitted = filing.entry_submit(actor=world["owner"], entry=world["a"])
    filing.request_approve(actor=world["director"], request_id=submitted.pk)
    client.force_login(world["director"])
    response = client.get("/approvals/")
    assert _listed(response) == []
    assert response.context["paginator"].count == 0


def test_the_inline_diff_shows_label_old_and_new_value(client, world):
    customer = make_customer(world["owner"], phone="021-1111", industry="纺织")
    file_through_approval(customer, author=world["owner"], decider=world["director"])
    change = services.card_change_propose(
        actor=world["owner"],
        customer_id=customer.pk,
        data={"phone": "021-2222", "industry": "化工"},
        note="客户搬迁, 换了总机",
    )
    client.force_login(world["director"])
    response = client.get("/approvals/")
    assert _listed(response) == [change.pk]
    (proposal,) = response.context["proposals"]
    assert {c.field.name: (c.old_display, c.new_display) for c in proposal.changes} == {
        "phone": ("021-1111", "021-2222"),
        "industry": ("纺织", "化工"),
    }
    with override("zh-hans"):
        phone, industry = (str(Customer._meta.get_field(name).verbose_name) for name in ("phone", "industry"))
    text = _text(response)
    assert f"{phone} 021-1111 021-2222" in text
    assert f"{industry} 纺织 化工" in text
    assert "客户搬迁, 换了总机" in text  # the author's reason is read with the change
    content = response.content.decode()
    assert '<td class="diff-old">021-1111</td>' in content
    assert '<td class="diff-new">021-2222</td>' in content


def test_the_inbox_flags_a_change_request_overtaken_by_another(client, world):
    customer = file_through_approval(make_customer(world["owner"]), author=world["owner"], decider=world["director"])
    first = services.card_change_propose(
        actor=world["owner"], customer_id=customer.pk, data={"phone": "021-1"}, note="第一次"
    )
    second = services.card_change_propose(
        actor=world["owner"], customer_id=customer.pk, data={"fax": "021-2"}, note="第二次"
    )
    filing.request_approve(actor=world["director"], request_id=first.pk)
    client.force_login(world["director"])
    response = client.get("/approvals/")
    (proposal,) = response.context["proposals"]
    assert (proposal.request.pk, proposal.stale) == (second.pk, True)

    # Approving it anyway is refused with a message, and it stays waiting for a return.
    response = client.post(f"/approvals/{second.pk}/approve/")
    assert response.status_code == 302
    assert message_levels(response) == [messages.ERROR]
    assert f"#{second.pk}" in shown_messages(response)[0][1]
    assert _state(second) == State.PENDING
    customer.refresh_from_db()
    assert (customer.phone, customer.fax) == ("021-1", "")


@pytest.fixture
def mixed(world):
    """Three pending requests of different kinds, authors and days."""
    owner, other = world["owner"], world["other_manager"]
    filed = file_through_approval(
        make_customer(owner, name="已归档客户有限公司"), author=owner, decider=world["director"]
    )
    requests = {
        "filing": filing.entry_submit(actor=owner, entry=world["a"]),
        "deletion": filing.deletion_request(actor=other, entry=world["b"], note="重复建档"),
        "change": services.card_change_propose(actor=owner, customer_id=filed.pk, data={"phone": "1"}, note="改"),
    }
    days = {"filing": 10, "deletion": 20, "change": 30}
    for name, request in requests.items():
        when = timezone.make_aware(datetime.datetime(2026, 1, days[name], 12, 0))
        FilingRequest.objects.filter(pk=request.pk).update(submitted_at=when)
    return {**world, "requests": requests}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param({}, {"filing", "deletion", "change"}, id="none"),
        pytest.param({"kind": "change"}, {"change"}, id="kind change"),
        pytest.param({"kind": "deletion"}, {"deletion"}, id="kind deletion"),
        pytest.param({"kind": "filing"}, {"filing"}, id="kind filing"),
        pytest.param({"author": "other_manager"}, {"deletion"}, id="author"),
        pytest.param({"author": "owner"}, {"filing", "change"}, id="author owner"),
        pytest.param({"submitted_from": "2026-01-20"}, {"deletion", "change"}, id="from"),
        pytest.param({"submitted_to": "2026-01-20"}, {"filing", "deletion"}, id="to"),
        pytest.param({"submitted_from": "2026-01-15", "submitted_to": "2026-01-25"}, {"deletion"}, id="between"),
        pytest.param({"author": "owner", "kind": "change", "submitted_from": "2026-01-30"}, {"change"}, id="all"),
        pytest.param({"submitted_from": "2026-02-01"}, set(), id="after everything"),
    ],
)
def test_inbox_filters(client, mixed, query, expected):
    query = dict(query)
    if "author" in query:
        query["author"] = mixed[query["author"]].pk
    client.force_login(mixed["director"])
    response = client.get("/approvals/", query)
    assert response.status_code == 200
    assert set(_listed(response)) == {mixed["requests"][name].pk for name in expected}
    assert response.context["paginator"].count == len(expected)


def test_the_nav_bar_counts_the_waiting_requests_for_directors_only(client, world, director2):
    filing.entry_submit(actor=world["owner"], entry=world["a"])
    filing.entry_submit(actor=world["other_manager"], entry=world["b"])
    filing.entry_submit(actor=world["director"], entry=make_customer(world["director"]))

    def badge(user):
        client.force_login(user)
        content = client.get("/customers/").content.decode()
        found = re.search(r'id="nav-inbox-count"[^>]*>\s*(\d+)\s*<', content)
        return found and int(found.group(1)), 'id="nav-inbox"' in content

    assert badge(world["director"]) == (2, True)  # their own request is not waiting for them
    assert badge(director2) == (3, True)
    for role in ("owner", "other_manager", "archivist", "clerk"):
        assert badge(world[role]) == (None, False), role


def test_an_empty_inbox_shows_no_count(client, world):
    client.force_login(world["director"])
    content = client.get("/approvals/").content.decode()
    assert 'id="nav-inbox"' in content
    assert 'id="nav-inbox-count"' not in content


# ---- The inbox costs the same for 10 and 100 requests -----------------------------------------------------------

# Session, user, two for the user's permissions, the page's count and rows, one per entry type, one per model
# the diffs name (users, customers, regions), the navigation's two counts and the filter's authors: 14.
INBOX_CEILING = 15


def _add_pending(people, count: int, start: int = 0) -> None:
    """``count`` pending requests, each on its own customer: filing, change and deletion requests on cards and
    on their documents, by two managers in turn, made through the services like the pages make them."""
    director, region = people["director"], make_region()
    for i in range(start, start + count):
        author = people["owner"] if i % 2 == 0 else people["other_manager"]
        customer = make_customer(author, phone=f"021-{i:04d}", region=region if i % 4 else None)
        kind = i % 6
        if kind == 0:
            filing.entry_submit(actor=author, entry=customer, note=f"新客户{i}")
        elif kind == 1:
            filing.deletion_request(actor=author, entry=customer, note=f"重复建档{i}")
        elif kind == 2:
            file_through_approval(customer, author=author, decider=director)
            services.card_change_propose(
                actor=author, customer_id=customer.pk, data={"phone": f"022-{i:04d}", "industry": "化工"}, note="改"
            )
        elif kind == 3:
            filing.entry_submit(actor=author, entry=_attachment(author, customer, f"执照{i}"))
        elif kind == 4:
            filing.deletion_request(actor=author, entry=_attachment(author, customer, f"旧件{i}"), note="作废")
        else:
            file_through_approval(customer, author=author, decider=director)
            document = file_through_approval(_attachment(author, customer, f"合同{i}"), author=author, decider=director)
            services.attachment_change_propose(
                actor=author, attachment_id=document.pk, data={"title": f"新标题{i}"}, note="更正标题"
            )


def _inbox_queries(client, director):
    client.force_login(director)
    assert client.get("/approvals/").status_code == 200  # warm the process-wide caches (content types…)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/approvals/")
    assert response.status_code == 200
    return len(ctx), ctx, response


def test_the_inbox_costs_the_same_for_10_and_100_requests(client, people, record_property):
    _add_pending(people, 10)
    small, small_ctx, response = _inbox_queries(client, people["director"])
    assert response.context["paginator"].count == 10
    assert len(response.context["proposals"]) == 10
    assert response.content.decode().count('class="list-group-item request-item"') == 10
    assert {p.request.kind for p in response.context["proposals"]} == set(Kind.values)

    _add_pending(people, 90, start=10)
    large, large_ctx, response = _inbox_queries(client, people["director"])
    assert response.context["paginator"].count == 100
    page = min(100, views.InboxView.paginate_by)
    assert len(response.context["proposals"]) == page
    assert response.content.decode().count('class="list-group-item request-item"') == page

    print(f"\n/approvals/ queries: 10 pending -> {small}, 100 pending -> {large}")
    record_property("inbox_queries_10", small)
    record_property("inbox_queries_100", large)
    assert small == large, f"10 requests:\n{queries_text(small_ctx)}\n\n100 requests:\n{queries_text(large_ctx)}"
    assert large <= INBOX_CEILING, queries_text(large_ctx)


# ---- Approve, return, bulk approve ------------------------------------------------------------------------------


@pytest.fixture
def waiting(world):
    """The owner's filing request for A, waiting for the director."""
    return filing.entry_submit(actor=world["owner"], entry=world["a"])


@pytest.mark.parametrize("action", ["approve", "return", "bulk-approve"])
def test_decisions_need_the_csrf_token(world, waiting, action):
    url = "/approvals/bulk-approve/" if action == "bulk-approve" else f"/approvals/{waiting.pk}/{action}/"
    body = {"request": [str(waiting.pk)], "comment": "请补充"}
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(world["director"])
    assert csrf_client.post(url, body).status_code == 403
    assert _state(waiting) == State.PENDING

    # With the token the inbox page hands out, the same post goes through.
    csrf_client.get("/approvals/")
    token = csrf_client.cookies["csrftoken"].value
    assert csrf_client.post(url, {**body, "csrfmiddlewaretoken": token}).status_code == 302
    assert _state(waiting) != State.PENDING


@pytest.mark.parametrize("action", ["approve", "return", "bulk-approve"])
def test_decisions_are_posts_only(client, world, waiting, action):
    url = "/approvals/bulk-approve/" if action == "bulk-approve" else f"/approvals/{waiting.pk}/{action}/"
    client.force_login(world["director"])
    assert client.get(url).status_code == 405
    assert _state(waiting) == State.PENDING


def test_the_director_approves_and_the_card_is_filed(client, world, waiting):
    client.force_login(world["director"])
    response = client.post(f"/approvals/{waiting.pk}/approve/")
    assert response.status_code == 302
    assert response["Location"] == "/approvals/"
    assert message_levels(response) == [messages.SUCCESS]
    assert f"#{waiting.pk}" in shown_messages(response)[0][1]
    assert _state(waiting) == State.APPROVED
    a = Customer.objects.get(pk=world["a"].pk)
    assert a.status == FilingStatus.FILED
    assert re.fullmatch(rf"KH-{timezone.localdate().year}-\d{{5}}", a.archive_no)
    assert Notification.objects.filter(recipient=world["owner"], request=waiting).exists()
    # The card now shows its archive number.
    assert f'id="archive-no">{a.archive_no}<' in client.get(f"/customers/{a.pk}/").content.decode()


def test_return_without_a_comment_is_refused(client, world, waiting):
    client.force_login(world["director"])
    for body in ({}, {"comment": ""}, {"comment": "   "}):
        response = client.post(f"/approvals/{waiting.pk}/return/", body, follow=True)
        assert response.redirect_chain == [("/approvals/", 302)]
        assert message_levels(response) == [messages.ERROR]  # shown on the inbox the director comes back to
        assert _listed(response) == [waiting.pk]
        assert _state(waiting) == State.PENDING
    world["a"].refresh_from_db()
    assert world["a"].status == FilingStatus.PENDING
    assert not Notification.objects.exists()


def test_return_with_a_comment_sends_the_card_back(client, world, waiting):
    client.force_login(world["director"])
    response = client.post(f"/approvals/{waiting.pk}/return/", {"comment": "请补充营业执照"})
    assert response.status_code == 302
    assert message_levels(response) == [messages.SUCCESS]
    waiting.refresh_from_db()
    assert (waiting.state, waiting.comment, waiting.decided_by) == (State.RETURNED, "请补充营业执照", world["director"])
    world["a"].refresh_from_db()
    assert world["a"].status == FilingStatus.RETURNED


def test_bulk_approve_reports_every_request_and_skips_the_directors_own(client, world, director2):
    director = world["director"]
    by_owner = filing.entry_submit(actor=world["owner"], entry=world["a"])
    by_other = filing.entry_submit(actor=world["other_manager"], entry=world["b"])
    own = filing.entry_submit(actor=director, entry=make_customer(director))
    client.force_login(director)
    ids = [by_owner.pk, own.pk, by_other.pk]
    response = client.post("/approvals/bulk-approve/", {"request": [str(pk) for pk in ids] + ["abc"]})
    assert response.status_code == 302
    assert response["Location"] == "/approvals/"
    got = shown_messages(response)
    assert [level for level, _text in got] == [messages.SUCCESS, messages.ERROR, messages.SUCCESS]
    for (_level, text), pk in zip(got, ids, strict=True):
        assert f"#{pk}" in text
    assert (_state(by_owner), _state(by_other), _state(own)) == (State.APPROVED, State.APPROVED, State.PENDING)

    # The second director decides the first one's request.
    client.force_login(director2)
    response = client.post("/approvals/bulk-approve/", {"request": [str(own.pk)]})
    assert message_levels(response) == [messages.SUCCESS]
    assert _state(own) == State.APPROVED


def test_bulk_approve_files_a_card_before_its_documents(client, world):
    owner = world["owner"]
    document = _attachment(owner, world["a"])
    for_document = filing.entry_submit(actor=owner, entry=document)
    for_card = filing.entry_submit(actor=owner, entry=world["a"])
    client.force_login(world["director"])
    # The document is ticked first, but it can only be numbered inside the card's archive number.
    response = client.post("/approvals/bulk-approve/", {"request": [str(for_document.pk), str(for_card.pk)]})
    assert message_levels(response) == [messages.SUCCESS, messages.SUCCESS]
    document.refresh_from_db()
    world["a"].refresh_from_db()
    assert (world["a"].status, document.status) == (FilingStatus.FILED, FilingStatus.FILED)
    assert (world["a"].entry_code, document.entry_code) == ("1-001", "1-002")


def test_bulk_approve_with_nothing_ticked_warns(client, world, waiting):
    client.force_login(world["director"])
    response = client.post("/approvals/bulk-approve/", {})
    assert message_levels(response) == [messages.WARNING]
    assert _state(waiting) == State.PENDING


def test_only_a_director_can_decide(client, world, people, waiting):
    refused = {"anonymous": LOGIN, **{role: 403 for role in SIGNED_IN if role not in DECIDERS}}
    for url, body in (
        (f"/approvals/{waiting.pk}/approve/", {}),
        (f"/approvals/{waiting.pk}/return/", {"comment": "退回"}),
        ("/approvals/bulk-approve/", {"request": [str(waiting.pk)]}),
    ):
        assert_matrix(client, people, url, refused, method="post", data=body, complete=False)
    assert _state(waiting) == State.PENDING
    world["a"].refresh_from_db()
    assert (world["a"].status, world["a"].archive_no) == (FilingStatus.PENDING, "")
    assert not Notification.objects.exists()


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/steal", "//evil.example/steal", "http://evil.example", "javascript:alert(1)"],
)
def test_a_next_address_on_another_host_is_ignored(client, world, waiting, target):
    client.force_login(world["director"])
    response = client.post(f"/approvals/{waiting.pk}/approve/", {"next": target})
    assert response.status_code == 302
    assert response["Location"] == "/approvals/"
    assert _state(waiting) == State.APPROVED


def test_a_next_address_of_our_own_is_followed(client, world, waiting):
    client.force_login(world["director"])
    response = client.post(f"/approvals/{waiting.pk}/return/", {"comment": "补充", "next": "/approvals/?kind=filing"})
    assert response["Location"] == "/approvals/?kind=filing"


def test_a_missing_request_is_reported_not_crashed(client, world):
    client.force_login(world["director"])
    response = client.post("/approvals/999999/approve/")
    assert response.status_code == 302
    assert message_levels(response) == [messages.ERROR]


def test_deciding_the_last_request_of_the_last_page_returns_to_a_page_that_exists(client, world, monkeypatch):
    monkeypatch.setattr(views.InboxView, "paginate_by", 1)
    first = filing.entry_submit(actor=world["owner"], entry=world["a"])
    last = filing.entry_submit(actor=world["other_manager"], entry=world["b"])
    client.force_login(world["director"])
    page = client.get("/approvals/?page=2")
    assert _listed(page) == [last.pk]
    response = client.post(f"/approvals/{last.pk}/approve/", {"next": "/approvals/?page=2"}, follow=True)
    assert _state(last) == State.APPROVED
    assert response.status_code == 200
    assert _listed(response) == [first.pk]


# ---- My submissions ---------------------------------------------------------------------------------------------


def test_my_submissions_matrix(client, people):
    assert_matrix(client, people, "/approvals/mine/", {"anonymous": LOGIN, **dict.fromkeys(SIGNED_IN, 200)})


def test_my_submissions_show_states_and_the_directors_comment(client, world):
    owner, director = world["owner"], world["director"]
    returned = filing.entry_submit(actor=owner, entry=world["a"])
    filing.request_return(actor=director, request_id=returned.pk, comment="请补充统一社会信用代码证明")
    other_card = make_customer(owner, name="第二家客户有限公司")
    approved = filing.entry_submit(actor=owner, entry=other_card)
    filing.request_approve(actor=director, request_id=approved.pk)
    pending = filing.entry_submit(actor=owner, entry=make_customer(owner, name="第三家客户有限公司"))
    someone_elses = filing.entry_submit(actor=world["other_manager"], entry=world["b"])

    client.force_login(owner)
    response = client.get("/approvals/mine/")
    assert response.status_code == 200
    listed = {p.request.pk: p.request.state for p in response.context["proposals"]}
    assert listed == {returned.pk: State.RETURNED, approved.pk: State.APPROVED, pending.pk: State.PENDING}
    content = response.content.decode()
    assert f'id="request-{someone_elses.pk}"' not in content
    assert world["b"].name not in content
    assert '<span class="decision-comment">请补充统一社会信用代码证明</span>' in content
    # The decisions not yet seen are marked on this first visit.
    assert response.context["unread"] == {returned.pk, approved.pk}
    assert content.count("list-group-item-warning") == 2


def test_visiting_my_submissions_reads_the_notifications(client, world):
    owner = world["owner"]
    first = filing.entry_submit(actor=owner, entry=world["a"])
    filing.request_return(actor=world["director"], request_id=first.pk, comment="退回")
    second = filing.entry_submit(actor=owner, entry=make_customer(owner))
    filing.request_approve(actor=world["director"], request_id=second.pk)

    client.force_login(owner)
    content = client.get("/customers/").content.decode()
    assert re.search(r'id="nav-unread"[^>]*>\s*2\s*<', content)
    assert client.get("/approvals/mine/").status_code == 200
    assert not Notification.objects.filter(recipient=owner, read_at__isnull=True).exists()
    assert 'id="nav-unread"' not in client.get("/customers/").content.decode()
    # A second visit marks nothing new.
    assert client.get("/approvals/mine/").context["unread"] == set()


def test_my_submissions_leave_others_notifications_alone(client, world):
    mine = filing.entry_submit(actor=world["owner"], entry=world["a"])
    theirs = filing.entry_submit(actor=world["other_manager"], entry=world["b"])
    for request in (mine, theirs):
        filing.request_approve(actor=world["director"], request_id=request.pk)
    client.force_login(world["owner"])
    client.get("/approvals/mine/")
    assert Notification.objects.get(request=theirs).read_at is None
    client.force_login(world["other_manager"])
    assert 'id="nav-unread"' in client.get("/customers/").content.decode()


def test_the_author_reads_the_approved_deletion_of_their_customer(client, world):
    request = filing.deletion_request(actor=world["owner"], entry=world["a"], note="客户已注销")
    filing.request_approve(actor=world["director"], request_id=request.pk)
    client.force_login(world["owner"])
    assert 'id="nav-unread"' in client.get("/customers/").content.decode()
    response = client.get("/approvals/mine/")
    assert {p.request.pk: p.request.state for p in response.context["proposals"]} == {request.pk: State.APPROVED}
    assert response.context["unread"] == {request.pk}


# ---- Submitting an entry ---------------------------------------------------------------------------------------


def _submit_url(customer) -> str:
    return f"/entries/customers.customer/{customer.pk}/submit/"


def test_the_owner_submits_a_draft_card(client, world):
    a = world["a"]
    client.force_login(world["owner"])
    response = client.post(_submit_url(a), {"note": "新客户建档"})
    assert response.status_code == 302
    assert response["Location"] == f"/customers/{a.pk}/"
    (request,) = FilingRequest.objects.all()
    assert (request.kind, request.state, request.author, request.note) == (
        Kind.FILING,
        State.PENDING,
        world["owner"],
        "新客户建档",
    )
    assert message_levels(response) == [messages.SUCCESS]
    assert f"#{request.pk}" in shown_messages(response)[0][1]
    a.refresh_from_db()
    assert a.status == FilingStatus.PENDING


def test_submitting_an_unseen_card_answers_404(client, world, people):
    a = world["a"]
    unseen = {role: 404 for role in ("other_manager", "clerk")}
    assert_matrix(client, people, _submit_url(a), unseen, method="post", data={}, complete=False)
    missing = "/entries/customers.customer/999999/submit/"
    assert_matrix(client, people, missing, unseen, method="post", data={}, complete=False)
    a.refresh_from_db()
    assert a.status == FilingStatus.DRAFT
    assert not FilingRequest.objects.exists()


@pytest.mark.parametrize("label", ["customers.contact", "auth.user", "nothing.here", "customers.customer.x"])
def test_submitting_something_not_filed_answers_404(client, world, label):
    client.force_login(world["director"])
    assert client.post(f"/entries/{label}/{world['a'].pk}/submit/").status_code == 404


@pytest.mark.parametrize("role", ["granted_manager", "group_clerk", "archivist"])
def test_a_reader_who_may_not_change_the_card_cannot_submit_it(client, world, role):
    a = world["a"]
    client.force_login(world[role])
    response = client.post(_submit_url(a))
    assert response.status_code == 302
    assert message_levels(response) == [messages.ERROR]
    a.refresh_from_db()
    assert (a.status, a.version) == (FilingStatus.DRAFT, 1)
    assert not FilingRequest.objects.exists()


def test_submitting_a_filed_card_is_refused(client, world):
    a = file_through_approval(world["a"], author=world["owner"], decider=world["director"])
    client.force_login(world["owner"])
    response = client.post(_submit_url(a))
    assert response.status_code == 302
    assert message_levels(response) == [messages.ERROR]
    assert FilingRequest.objects.filter(state=State.PENDING).count() == 0
    a.refresh_from_db()
    assert a.status == FilingStatus.FILED


def test_submitting_twice_is_refused_the_second_time(client, world):
    client.force_login(world["owner"])
    client.post(_submit_url(world["a"]), follow=True)  # the card page shows the first success
    response = client.post(_submit_url(world["a"]))
    assert message_levels(response) == [messages.ERROR]
    assert FilingRequest.objects.count() == 1


def test_submit_is_a_post(client, world):
    client.force_login(world["owner"])
    assert client.get(_submit_url(world["a"])).status_code == 405
    world["a"].refresh_from_db()
    assert world["a"].status == FilingStatus.DRAFT


# ---- Asking for a deletion -------------------------------------------------------------------------------------


def _delete_url(customer) -> str:
    return f"/entries/customers.customer/{customer.pk}/delete/"


def test_the_deletion_form_asks_for_a_reason(client, world):
    a = world["a"]
    client.force_login(world["owner"])
    response = client.get(_delete_url(a))
    assert response.status_code == 200
    assert 'name="note"' in response.content.decode()
    assert a.name in response.content.decode()


def test_a_deletion_request_without_reason_is_shown_back(client, world):
    a = world["a"]
    client.force_login(world["owner"])
    for body in ({}, {"note": ""}, {"note": "   "}):
        response = client.post(_delete_url(a), body)
        assert response.status_code == 200
        assert "note" in response.context["form"].errors
        assert 'class="invalid-feedback d-block"' in response.content.decode()
    assert not FilingRequest.objects.exists()
    a.refresh_from_db()
    assert a.deleted_at is None


def test_a_deletion_request_with_reason_waits_for_the_director(client, world):
    a = world["a"]
    client.force_login(world["owner"])
    response = client.post(_delete_url(a), {"note": "客户已注销"})
    assert response.status_code == 302
    assert response["Location"] == f"/customers/{a.pk}/"
    (request,) = FilingRequest.objects.all()
    assert (request.kind, request.state, request.note, request.object_id) == (
        Kind.DELETION,
        State.PENDING,
        "客户已注销",
        a.pk,
    )
    a.refresh_from_db()
    assert a.deleted_at is None  # nothing is deleted until the director approves
    # A second request for the same entry is shown back on the form.
    response = client.post(_delete_url(a), {"note": "再次申请"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert FilingRequest.objects.count() == 1


def test_a_deletion_request_for_a_document(client, world):
    document = _attachment(world["owner"], world["a"])
    client.force_login(world["co_owner"])
    response = client.post(f"/entries/customers.attachment/{document.pk}/delete/", {"note": "扫描件模糊"})
    assert response.status_code == 302
    assert response["Location"] == f"/customers/{world['a'].pk}/"
    request = FilingRequest.objects.get()
    assert (request.kind, request.object_id, request.customer_id) == (Kind.DELETION, document.pk, world["a"].pk)


def test_a_deletion_request_by_a_reader_is_refused(client, world, people):
    a = world["a"]
    assert_matrix(
        client,
        people,
        _delete_url(a),
        {"granted_manager": 403, "group_clerk": 403, "other_manager": 404, "clerk": 404},
        method="post",
        data={"note": "删掉"},
        complete=False,
    )
    assert not FilingRequest.objects.exists()


# ---- The recycle bin -------------------------------------------------------------------------------------------


@pytest.fixture
def binned(world):
    """A moved to the recycle bin through an approved deletion request, and a binned document of B."""
    request = filing.deletion_request(actor=world["owner"], entry=world["a"], note="客户已注销")
    filing.request_approve(actor=world["director"], request_id=request.pk)
    document = _attachment(world["other_manager"], world["b"], title="作废的执照")
    request = filing.deletion_request(actor=world["other_manager"], entry=document, note="作废")
    filing.request_approve(actor=world["director"], request_id=request.pk)
    assert not Customer.objects.filter(pk=world["a"].pk).exists()
    return {**world, "document": document}


def test_recycle_bin_matrix(client, people, binned):
    assert_matrix(
        client,
        people,
        "/recycle-bin/",
        {"anonymous": LOGIN, **{role: 200 if role in RESTORERS else 403 for role in SIGNED_IN}},
    )


@pytest.mark.parametrize("role", ["archivist", "director"])
def test_the_recycle_bin_lists_what_was_deleted(client, binned, role):
    client.force_login(binned[role])
    response = client.get("/recycle-bin/")
    content = response.content.decode()
    assert binned["a"].name in content
    assert "作废的执照" in content
    assert binned["b"].name in content  # the document's customer
    assert f"/recycle-bin/customers.customer/{binned['a'].pk}/restore/" in content
    assert f"/recycle-bin/customers.attachment/{binned['document'].pk}/restore/" in content


def test_a_binned_card_answers_404_for_everyone(client, people, binned):
    a = binned["a"].pk
    for url in (f"/customers/{a}/", f"/customers/{a}/edit/", f"/customers/{a}/history/", _delete_url(binned["a"])):
        assert_matrix(client, people, url, {"anonymous": LOGIN, **dict.fromkeys(SIGNED_IN, 404)})


@pytest.mark.parametrize("role", ["owner", "clerk", "granted_manager"])
def test_only_the_archivist_or_a_director_restores(client, binned, role):
    client.force_login(binned[role])
    response = client.post(f"/recycle-bin/customers.customer/{binned['a'].pk}/restore/")
    assert response.status_code == 403
    assert Customer.all_objects.get(pk=binned["a"].pk).deleted_at is not None


def test_the_archivist_restores_a_card(client, binned):
    a = binned["a"]
    client.force_login(binned["archivist"])
    response = client.post(f"/recycle-bin/customers.customer/{a.pk}/restore/")
    assert response.status_code == 302
    assert response["Location"] == "/recycle-bin/"
    assert message_levels(response) == [messages.SUCCESS]
    restored = Customer.objects.get(pk=a.pk)
    assert restored.deleted_at is None
    assert f"/recycle-bin/customers.customer/{a.pk}/restore/" not in client.get("/recycle-bin/").content.decode()
    client.force_login(binned["owner"])
    assert client.get(f"/customers/{a.pk}/").status_code == 200


def test_the_director_restores_a_document(client, binned):
    document = binned["document"]
    client.force_login(binned["director"])
    response = client.post(f"/recycle-bin/customers.attachment/{document.pk}/restore/")
    assert message_levels(response) == [messages.SUCCESS]
    assert Attachment.objects.filter(pk=document.pk).exists()


def test_restoring_what_is_not_in_the_bin(client, binned):
    client.force_login(binned["archivist"])
    response = client.post(f"/recycle-bin/customers.customer/{binned['b'].pk}/restore/")
    assert message_levels(response) == [messages.ERROR]
    assert client.post("/recycle-bin/customers.customer/999999/restore/").status_code == 404
    assert client.post(f"/recycle-bin/customers.contact/{binned['a'].pk}/restore/").status_code == 404
