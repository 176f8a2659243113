"""The permission matrix of every page and endpoint of the fifth category (``complaints/urls.py``).

Rows are URLs, cells the answer each role gets: the lists are open to everyone signed in and show only the rows of
customers the reader sees; an entry of customer A is read by those who see A and a 404 for the rest (never a 403
that would confirm it exists); its writes are for A's keepers, a 403 for those who only read A. A page entered on a
customer, an order or a contract of A (``?customer=``, ``?order=``, ``?contract=``) answers as the entry's own pages
do. Every refused write leaves the database as it was, history included.
"""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from archive import filing
from complaints import services
from complaints.models import ChurnRecord, Complaint, ComplaintStep, Discount, Return, ReturnLine, WinBackPlan
from customers.models import Customer

from ..helpers import LOGIN, SIGNED_IN, assert_matrix, matrix_params
from .conftest import churn_data, closed, make_complaint, return_data, return_lines

pytestmark = pytest.mark.django_db

SEES_A = {"director", "archivist", "owner", "co_owner", "granted_manager", "group_clerk", "admin"}
CHANGES_A = {"director", "owner", "co_owner", "admin"}
KEEPS_SOMEONE = {"director", "owner", "co_owner", "other_manager", "admin"}
SEES_B = {"director", "archivist", "other_manager", "admin"}


def _everyone(status=200):
    return {"anonymous": LOGIN, **dict.fromkeys(SIGNED_IN, status)}


def _keepers(allowed=200):
    """A page that starts a new entry on no particular customer: for anyone who keeps a customer."""
    return {"anonymous": LOGIN, **{role: allowed if role in KEEPS_SOMEONE else 403 for role in SIGNED_IN}}


def _read_a():
    """Pages of an entry of A: those who see A read it; the rest get a 404 that confirms nothing."""
    return {"anonymous": LOGIN, **{role: 200 if role in SEES_A else 404 for role in SIGNED_IN}}


def _change_a(allowed=200):
    """Writes on A: its keepers may; those who only read A get 403; those who do not see A get 404."""
    cells = {"anonymous": LOGIN}
    for role in SIGNED_IN:
        cells[role] = allowed if role in CHANGES_A else 403 if role in SEES_A else 404
    return cells


def _refusals(cells):
    return {role: cell for role, cell in cells.items() if cell not in (200, 302)}


@pytest.fixture
def entries(world, order_a, order_b, contract_a, complaint_a, complaint_b, churn_a):
    """One of everything on A (and the same on B for the lists): a draft return, a returned discount and a
    pending one on the contract, a closed complaint, the draft churn record with its win-back plan."""
    owner = world["owner"]
    return_a = services.return_create(
        actor=owner, order_id=order_a.pk, data=return_data(), lines=return_lines(order_a, "1")
    )
    services.return_create(
        actor=world["other_manager"],
        order_id=order_b.pk,
        data=return_data(reason="B 的退货"),
        lines=return_lines(order_b, "1"),
    )
    discount_a = services.discount_request(
        actor=owner, order_id=order_a.pk, data={"mode": "amount", "amount": Decimal("100.00"), "reason": "折让"}
    )
    filing.request_return(
        actor=world["director"], request_id=filing.entry_requests(discount_a).get().pk, comment="请补充依据"
    )
    contract_discount = services.discount_request(
        actor=owner, contract_id=contract_a.pk, data={"mode": "percent", "percent": Decimal("1"), "reason": "返利"}
    )
    services.discount_request(
        actor=world["other_manager"],
        order_id=order_b.pk,
        data={"mode": "amount", "amount": Decimal("10.00"), "reason": "B 的折让"},
    )
    closed_a = closed(world, make_complaint(world, world["a"], subject="已结案的投诉"))
    services.plan_save(
        actor=owner,
        churn_id=churn_a.pk,
        data={
            "next_steps": "拜访",
            "target_on": timezone.localdate() + datetime.timedelta(days=7),
            "responsible": owner,
        },
    )
    churn_b = services.churn_create(actor=world["other_manager"], customer_id=world["b"].pk, data=churn_data())
    return {
        "complaint": complaint_a,
        "closed": closed_a,
        "return": return_a,
        "discount": discount_a,
        "contract_discount": contract_discount,
        "churn": churn_a,
        "order": order_a,
        "contract": contract_a,
        "complaint_b": complaint_b,
        "churn_b": churn_b,
    }


def _urls(world, entries) -> dict[str, str]:
    a = world["a"].pk
    e = {key: getattr(value, "pk", None) for key, value in entries.items()}
    return {
        "complaint-list": "/complaints/",
        "return-list": "/complaints/returns/",
        "discount-list": "/complaints/discounts/",
        "churn-list": "/complaints/churn/",
        "complaint-detail": f"/complaints/{e['complaint']}/",
        "closed-complaint-detail": f"/complaints/{e['closed']}/",
        "return-detail": f"/complaints/returns/{e['return']}/",
        "discount-detail": f"/complaints/discounts/{e['discount']}/",
        "contract-discount-detail": f"/complaints/discounts/{e['contract_discount']}/",
        "churn-detail": f"/complaints/churn/{e['churn']}/",
        "complaint-create": "/complaints/new/",
        "return-create": "/complaints/returns/new/",
        "discount-create": "/complaints/discounts/new/",
        "churn-create": "/complaints/churn/new/",
        "complaint-create-for-a": f"/complaints/new/?customer={a}",
        "return-create-on-order-a": f"/complaints/returns/new/?order={e['order']}",
        "discount-create-on-order-a": f"/complaints/discounts/new/?order={e['order']}",
        "discount-create-on-contract-a": f"/complaints/discounts/new/?contract={e['contract']}",
        "churn-create-for-a": f"/complaints/churn/new/?customer={a}",
        "complaint-edit": f"/complaints/{e['complaint']}/edit/",
        "return-edit": f"/complaints/returns/{e['return']}/edit/",
        "discount-edit": f"/complaints/discounts/{e['discount']}/edit/",
        "churn-edit": f"/complaints/churn/{e['churn']}/edit/",
        "plan-edit": f"/complaints/churn/{e['churn']}/plan/",
        "step-add": f"/complaints/{e['complaint']}/steps/",
        "complaint-close": f"/complaints/{e['complaint']}/close/",
        "complaint-reopen": f"/complaints/{e['closed']}/reopen/",
        "plan-conclude": f"/complaints/churn/{e['churn']}/plan/conclude/",
    }


GET_MATRIX = {
    "lists": {
        "complaint-list": _everyone(),
        "return-list": _everyone(),
        "discount-list": _everyone(),
        "churn-list": _everyone(),
    },
    "entries of A": {
        "complaint-detail": _read_a(),
        "closed-complaint-detail": _read_a(),
        "return-detail": _read_a(),
        "discount-detail": _read_a(),
        "contract-discount-detail": _read_a(),
        "churn-detail": _read_a(),
    },
    "new entries": {
        "complaint-create": _keepers(),
        "return-create": _keepers(),
        "discount-create": _keepers(),
        "churn-create": _keepers(),
    },
    "new entries on A": {
        "complaint-create-for-a": _change_a(),
        "return-create-on-order-a": _change_a(),
        "discount-create-on-order-a": _change_a(),
        "discount-create-on-contract-a": _change_a(),
        "churn-create-for-a": _change_a(),
    },
    "edit pages of A": {
        "complaint-edit": _change_a(),
        "return-edit": _change_a(),
        "discount-edit": _change_a(),
        "churn-edit": _change_a(),
        "plan-edit": _change_a(),
        "complaint-close": _change_a(),
        "plan-conclude": _change_a(),
    },
}


def _each(rows: dict, check) -> None:
    """Run ``check(name, expected)`` for every row and report every failing row at once."""
    failures = []
    for name, expected in rows.items():
        try:
            check(name, expected)
        except AssertionError as failure:
            failures.append(f"[{name}] {failure}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize(("group", "rows"), matrix_params(GET_MATRIX))
def test_the_permission_matrix_of_every_page(client, people, world, entries, group, rows):
    urls = _urls(world, entries)
    _each(rows, lambda name, expected: assert_matrix(client, people, urls[name], expected))


def _rows() -> tuple[int, ...]:
    """Everything a write of the category could leave behind, trail included."""
    models = (Complaint, ComplaintStep, Return, ReturnLine, Discount, ChurnRecord, WinBackPlan)
    return (
        *(model.all_objects.count() if hasattr(model, "all_objects") else model.objects.count() for model in models),
        *(model.history.count() for model in models),
        Customer.history.count(),
    )


def _version(entry) -> str:
    return str(type(entry).all_objects.get(pk=entry.pk).version)


def _bodies(world, entries) -> dict[str, dict]:
    """A complete, valid POST body for each write (what a keeper's browser sends), on the current versions."""
    order = entries["order"]
    today = timezone.localdate().isoformat()
    now = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    complaint = {
        "customer": str(world["a"].pk),
        "received_at": (timezone.localtime() - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "channel": "phone",
        "category": "delivery",
        "severity": "minor",
        "subject": "伪造的投诉",
        "content": "伪造",
        "order": "",
        "contact": "",
        "their_people": "",
        "handler": "",
        "our_people": "",
        "version": _version(entries["complaint"]),
    }
    lines = {}
    for line in order.lines.order_by("position"):
        lines[f"line-{line.pk}-quantity"] = "1" if line.position == 1 else ""
        lines[f"line-{line.pk}-amount"] = ""
    churn = {
        "customer": str(world["a"].pk),
        "churned_on": today,
        "reason_category": "price",
        "narrative": "伪造",
        "competitor": "伪造",
        "version": _version(entries["churn"]),
    }
    return {
        "complaint-create-for-a": complaint,
        "complaint-edit": complaint,
        "step-add": {"action": "伪造的处理步骤", "taken_at": now},
        "complaint-close": {
            "result": "伪造",
            "responsibility": "none",
            "responsibility_note": "",
            "satisfaction": "5",
            "closed_on": today,
            "version": _version(entries["complaint"]),
        },
        "complaint-reopen": {"reason": "伪造", "version": _version(entries["closed"])},
        "return-create-on-order-a": {**return_data(), "returned_on": today, "complaint": "", **lines},
        "return-edit": {
            **return_data(),
            "returned_on": today,
            "complaint": "",
            "version": _version(entries["return"]),
            **lines,
        },
        "discount-create-on-order-a": {"mode": "amount", "amount": "1.00", "percent": "", "reason": "伪造"},
        "discount-create-on-contract-a": {"mode": "amount", "amount": "1.00", "percent": "", "reason": "伪造"},
        "discount-edit": {
            "mode": "amount",
            "amount": "1.00",
            "percent": "",
            "reason": "伪造",
            "complaint": "",
            "version": _version(entries["discount"]),
        },
        "churn-create-for-a": churn,
        "churn-edit": churn,
        "plan-edit": {"next_steps": "伪造", "target_on": today, "responsible": str(world["owner"].pk)},
        "plan-conclude": {"state": "abandoned", "outcome_on": today, "outcome_note": "伪造"},
    }


POSTS = [
    "complaint-create-for-a",
    "complaint-edit",
    "step-add",
    "complaint-close",
    "complaint-reopen",
    "return-create-on-order-a",
    "return-edit",
    "discount-create-on-order-a",
    "discount-create-on-contract-a",
    "discount-edit",
    "churn-create-for-a",
    "churn-edit",
    "plan-edit",
    "plan-conclude",
]


def test_every_write_is_refused_to_readers_and_strangers_and_writes_nothing(client, people, world, entries):
    urls, bodies = _urls(world, entries), _bodies(world, entries)
    before = _rows()

    def check(write, expected):
        assert_matrix(client, people, urls[write], expected, method="post", data=bodies[write], complete=False)
        assert _rows() == before, f"a refused POST to {urls[write]} left a row or a history row behind"

    _each(dict.fromkeys(POSTS, _refusals(_change_a())), check)


def _form_errors(response) -> str:
    """What the re-rendered form says is wrong (the failure message of a refused keeper's post)."""
    try:
        form = response.context["form"]
    except (KeyError, TypeError):
        return response.content.decode()[:2000]
    return str(form.errors.as_data())


def test_a_keeper_writes_through_every_endpoint(client, world, entries):
    """Each write in turn as a co-owner of A, on the versions the previous writes left: a redirect, and a row."""
    client.force_login(world["co_owner"])

    def check(write, _expected):
        url, body = _urls(world, entries)[write], _bodies(world, entries)[write]
        before = _rows()
        response = client.post(url, body)
        assert response.status_code == 302, f"POST {url} as a keeper: {response.status_code} " + (
            _form_errors(response) if response.status_code == 200 else ""
        )
        assert _rows() != before, f"POST {url} as a keeper wrote nothing"

    _each(dict.fromkeys(POSTS), check)


def test_the_post_only_endpoints_refuse_get(client, world, entries):
    client.force_login(world["owner"])
    for write in ("step-add", "complaint-reopen"):
        assert client.get(_urls(world, entries)[write]).status_code == 405, write


# ---- What the lists show --------------------------------------------------------------------------------------

A_ONLY = ("owner", "co_owner", "granted_manager", "group_clerk")


def test_the_lists_show_only_the_rows_the_reader_may_see(client, people, world, entries):
    urls = _urls(world, entries)
    a_name, b_name = world["a"].name, world["b"].name

    def check(page, _expected):
        failures = []
        for role in SIGNED_IN:
            client.force_login(people[role])
            response = client.get(urls[page])
            assert response.status_code == 200
            html = response.content.decode()
            shows, want = (a_name in html, b_name in html), (role in SEES_A, role in SEES_B)
            if shows != want:
                failures.append(f"{role}: shows A={shows[0]} B={shows[1]}, expected A={want[0]} B={want[1]}")
        assert not failures, f"{urls[page]}: " + "; ".join(failures)

    _each(dict.fromkeys(["complaint-list", "return-list", "discount-list", "churn-list"]), check)


def test_the_complaint_list_shows_subjects_of_a_only_to_those_who_see_a(client, people, world, entries):
    for role in A_ONLY:
        client.force_login(people[role])
        html = client.get("/complaints/").content.decode()
        assert entries["complaint"].subject in html, role
        assert entries["complaint_b"].subject not in html, role
    client.force_login(people["clerk"])
    html = client.get("/complaints/").content.decode()
    assert entries["complaint"].subject not in html and entries["complaint_b"].subject not in html


def test_filtering_a_list_by_a_hidden_customer_shows_nothing(client, world, entries):
    client.force_login(world["owner"])
    for url in ("/complaints/", "/complaints/returns/", "/complaints/discounts/", "/complaints/churn/"):
        response = client.get(url, {"customer": world["b"].pk})
        assert response.status_code == 200
        html = response.content.decode()
        assert world["b"].name not in html, url
        assert entries["complaint_b"].subject not in html, url


# ---- Forged posts ---------------------------------------------------------------------------------------------


def test_a_forged_post_naming_a_hidden_customer_creates_nothing(client, world, entries):
    client.force_login(world["owner"])
    bodies = _bodies(world, entries)
    before = _rows()
    b = world["b"].pk
    for url, body in (
        (f"/complaints/new/?customer={b}", {**bodies["complaint-create-for-a"], "customer": str(b)}),
        (f"/complaints/churn/new/?customer={b}", {**bodies["churn-create-for-a"], "customer": str(b)}),
    ):
        response = client.post(url, body)
        assert response.status_code in (200, 404), f"{url}: {response.status_code}"
    assert not Complaint.objects.filter(customer=world["b"], subject="伪造的投诉").exists()
    assert ChurnRecord.all_objects.filter(customer=world["b"]).count() == 1  # B's own
    assert _rows() == before
