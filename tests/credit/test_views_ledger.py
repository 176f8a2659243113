"""The ledger pages: receivables, payments and their allocation, extensions and repayment plans.

The permission matrix of every URL, forged posts that must leave no row behind, over-allocation coming back on
the form, list totals that never include another manager's money, and list costs that do not grow with the rows.
Today is frozen at 2026-06-15 (Shanghai): A's receivable of 2026-03-01 fell due on 2026-03-31 and is overdue.
"""

import datetime
import re
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.translation import gettext, ngettext

from archive import filing
from archive.choices import FilingStatus
from archive.models import FilingRequest
from contracts.models import Order
from credit import services
from credit.choices import InstalmentState
from credit.models import (
    ExtensionRequest,
    Instalment,
    Payment,
    PaymentAllocation,
    Receivable,
    RepaymentPlan,
)

from ..helpers import LOGIN, SIGNED_IN, assert_matrix, queries_text, shown_messages
from .conftest import grant_credit

pytestmark = pytest.mark.django_db

D = Decimal
TODAY = datetime.date(2026, 6, 15)
SEES_A = {"director", "archivist", "owner", "co_owner", "granted_manager", "group_clerk", "admin"}
CHANGES_A = {"director", "owner", "co_owner", "admin"}
KEEPS_SOMEONE = {"director", "owner", "co_owner", "other_manager", "admin"}
# Session, user, the navigation's counts, the owner filter's choices, the page, its count, the totals, whether
# the user may add; with a customer filter, that customer and the right to change it; for the director, the
# access requests waiting for an answer (measured: 10 to 13).
LEDGER_LIST_CEILING = 13


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(datetime.datetime(2026, 6, 15, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)


@pytest.fixture
def ledger(world, receivable_a, receivable_b):
    """A owes ¥1,000 (due 2026-03-31) and paid ¥400 on 2026-03-20; B owes ¥2,000 and paid ¥500; A has a plan."""
    payment_a = services.payment_record(
        actor=world["owner"],
        customer_id=world["a"].pk,
        data={
            "received_on": datetime.date(2026, 3, 20),
            "amount": D("400.00"),
            "method": "transfer",
            "reference": "A-1",
        },
    )
    payment_b = services.payment_record(
        actor=world["other_manager"],
        customer_id=world["b"].pk,
        data={"received_on": datetime.date(2026, 3, 25), "amount": D("500.00"), "method": "cheque", "reference": "B-1"},
    )
    plan_a = services.plan_create(
        actor=world["owner"],
        customer_id=world["a"].pk,
        data={"title": "2026 年回款计划", "starts_on": datetime.date(2026, 3, 1), "note": ""},
        instalments=[{"due_on": datetime.date(2026, 4, 30), "amount": D("500.00")}],
    )
    return SimpleNamespace(
        receivable_a=receivable_a,
        receivable_b=receivable_b,
        payment_a=payment_a,
        payment_b=payment_b,
        allocation_a=payment_a.allocations.get(),
        plan_a=plan_a,
    )


def _row(allowed: set, refused: int, ok=200) -> dict:
    return {"anonymous": LOGIN, **{role: ok if role in allowed else refused for role in SIGNED_IN}}


def _read_a() -> dict:
    """A record of A: those who see A read it; everyone else gets a 404 that confirms nothing."""
    return _row(SEES_A, 404)


def _write_a(ok) -> dict:
    """A write on a record of A: keepers get ``ok``, readers who may not change A 403, the rest 404."""
    return {"anonymous": LOGIN, **{r: ok if r in CHANGES_A else 403 if r in SEES_A else 404 for r in SIGNED_IN}}


def _payment_body(customer, amount="500.00", mode="oldest", **extra) -> dict:
    return {
        "customer": customer.pk if customer else "",
        "received_on": "2026-06-10",
        "amount": amount,
        "method": "transfer",
        "reference": "SLIP-9",
        "note": "",
        "mode": mode,
        **extra,
    }


def _plan_body(*instalments, customer=None, title="分期还款", starts_on="2026-03-01", initial=0, **extra) -> dict:
    body = {
        "title": title,
        "starts_on": starts_on,
        "note": "",
        "instalments-TOTAL_FORMS": str(len(instalments)),
        "instalments-INITIAL_FORMS": str(initial),
        "instalments-MIN_NUM_FORMS": "0",
        "instalments-MAX_NUM_FORMS": "1000",
        **extra,
    }
    if customer is not None:
        body["customer"] = customer.pk
    for index, (due_on, amount, *delete) in enumerate(instalments):
        body[f"instalments-{index}-due_on"] = due_on
        body[f"instalments-{index}-amount"] = amount
        if delete:
            body[f"instalments-{index}-DELETE"] = "on"
    return body


def _cell(response, cell_id: str) -> str:
    return re.search(rf'id="{cell_id}"[^>]*>([^<]*)<', response.content.decode()).group(1).strip()


def _messages(response) -> list[str]:
    return [text for _level, text in shown_messages(response)]


def _yuan(amount) -> str:
    return f"¥{Decimal(amount):,.2f}"


# ---- The permission matrix ----------------------------------------------------------------------------------------


def test_the_ledger_lists_are_open_to_every_signed_in_user(client, people, ledger):
    for url in ("/credit/receivables/", "/credit/payments/"):
        assert_matrix(client, people, url, _row(set(SIGNED_IN), 200))


def test_new_entry_forms_are_for_those_who_keep_a_customer(client, people, world):
    a = world["a"].pk
    for url in ("/credit/receivables/new/", "/credit/payments/new/", "/credit/plans/new/"):
        assert_matrix(client, people, url, _row(KEEPS_SOMEONE, 403))
        assert_matrix(client, people, f"{url}?customer={a}", _row(KEEPS_SOMEONE, 403))


def test_posting_a_new_entry_is_refused_to_those_who_keep_no_customer(client, people, world):
    """Incomplete bodies, so that the keepers' answer is the form again and the matrix writes nothing."""
    a = world["a"]
    assert_matrix(client, people, "/credit/receivables/new/", _row(KEEPS_SOMEONE, 403), method="post", data={})
    body = _payment_body(a, amount="")
    assert_matrix(client, people, "/credit/payments/new/", _row(KEEPS_SOMEONE, 403), method="post", data=body)
    body = _plan_body(customer=a)
    assert_matrix(client, people, "/credit/plans/new/", _row(KEEPS_SOMEONE, 403), method="post", data=body)
    assert not Receivable.all_objects.exists() and not Payment.objects.exists() and not RepaymentPlan.objects.exists()


def test_the_pages_of_one_record_of_A(client, people, ledger):
    assert_matrix(client, people, f"/credit/receivables/{ledger.receivable_a.pk}/", _read_a())
    assert_matrix(client, people, f"/credit/payments/{ledger.payment_a.pk}/", _read_a())
    assert_matrix(client, people, f"/credit/plans/{ledger.plan_a.pk}/", _read_a())
    assert_matrix(client, people, f"/credit/plans/{ledger.plan_a.pk}/edit/", _write_a(200))


def test_the_writes_on_the_records_of_A(client, people, ledger):
    """Bodies a keeper gets back with an error (or a message), so every row of the matrix starts alike."""
    trail = (PaymentAllocation.history.count(), Receivable.history.count(), RepaymentPlan.history.count())
    receivable, payment, allocation, plan = ledger.receivable_a, ledger.payment_a, ledger.allocation_a, ledger.plan_a
    extend = {"requested_due_on": "2026-07-31", "reason": ""}
    assert_matrix(
        client, people, f"/credit/receivables/{receivable.pk}/extend/", _write_a(200), method="post", data=extend
    )
    allocate = {"mode": "manual"}
    assert_matrix(
        client, people, f"/credit/payments/{payment.pk}/allocate/", _write_a(200), method="post", data=allocate
    )
    undo = {"reason": ""}
    assert_matrix(
        client, people, f"/credit/allocations/{allocation.pk}/remove/", _write_a(302), method="post", data=undo
    )
    edit = _plan_body(("2026-05-31", "100.00"), title="")
    assert_matrix(client, people, f"/credit/plans/{plan.pk}/edit/", _write_a(200), method="post", data=edit)
    assert not ExtensionRequest.all_objects.exists()
    assert PaymentAllocation.objects.filter(pk=allocation.pk, amount=D("400.00")).exists()
    assert (PaymentAllocation.history.count(), Receivable.history.count(), RepaymentPlan.history.count()) == trail


def test_the_write_only_addresses_answer_get_with_405(client, world, ledger):
    client.force_login(world["owner"])
    assert client.get(f"/credit/allocations/{ledger.allocation_a.pk}/remove/").status_code == 405
    assert client.get(f"/credit/receivables/{ledger.receivable_a.pk}/extend/").status_code == 405
    assert client.get(f"/credit/payments/{ledger.payment_a.pk}/allocate/").status_code == 405
    assert PaymentAllocation.objects.filter(pk=ledger.allocation_a.pk).exists()


def test_a_record_of_a_binned_order_is_not_found(client, world, ledger):
    Order.all_objects.filter(pk=ledger.receivable_a.order_id).update(
        deleted_at=datetime.datetime(2026, 6, 1, tzinfo=datetime.UTC)
    )
    client.force_login(world["director"])
    assert client.get(f"/credit/receivables/{ledger.receivable_a.pk}/").status_code == 404
    assert [r.pk for r in client.get("/credit/receivables/").context["filter"].qs] == [ledger.receivable_b.pk]


# ---- Forged posts ---------------------------------------------------------------------------------------------------


def test_another_manager_cannot_record_a_payment_for_As_customer(client, world, ledger):
    client.force_login(world["other_manager"])
    response = client.post("/credit/payments/new/", _payment_body(world["a"]))
    assert response.status_code == 200
    assert "customer" in response.context["form"].errors
    assert str(world["a"].pk) not in [
        str(value) for value, _label in response.context["form"].fields["customer"].choices
    ]
    assert not response.context["form"].allocation_rows  # A's receivables are not even offered
    assert list(Payment.objects.filter(customer=world["a"])) == [ledger.payment_a]


def test_another_manager_cannot_enter_a_receivable_or_a_plan_for_A(client, world, ledger):
    client.force_login(world["other_manager"])
    body = {"customer": world["a"].pk, "amount": "10.00", "issued_on": "2026-06-01", "due_on": "", "reason": "x"}
    response = client.post("/credit/receivables/new/", body)
    assert response.status_code == 200 and "customer" in response.context["form"].errors
    response = client.post("/credit/plans/new/", _plan_body(("2026-07-01", "10.00"), customer=world["a"]))
    assert response.status_code == 200 and "customer" in response.context["form"].errors
    assert Receivable.all_objects.filter(customer=world["a"]).count() == 1
    assert list(RepaymentPlan.objects.filter(customer=world["a"])) == [ledger.plan_a]


def test_a_payment_of_A_cannot_be_allocated_to_a_receivable_of_B(client, world, ledger):
    payment = services.payment_record(
        actor=world["owner"],
        customer_id=world["a"].pk,
        data={"received_on": datetime.date(2026, 6, 1), "amount": D("300.00"), "method": "transfer"},
        mode="manual",
    )
    client.force_login(world["owner"])
    body = {"mode": "manual", f"alloc-{ledger.receivable_b.pk}": "300.00"}
    response = client.post(f"/credit/payments/{payment.pk}/allocate/", body)
    assert response.status_code == 200
    assert response.context["allocate_form"].non_field_errors()
    assert not payment.allocations.exists()
    assert not ledger.receivable_b.allocations.filter(payment__customer=world["a"]).exists()
    # Nor from the new-payment form: the whole post is refused, the payment is not recorded.
    count = Payment.objects.count()
    body = _payment_body(world["a"], amount="300.00", mode="manual", **{f"alloc-{ledger.receivable_b.pk}": "300.00"})
    response = client.post("/credit/payments/new/", body)
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert Payment.objects.count() == count


def test_nobody_else_allocates_As_payment_or_asks_for_an_extension(client, world, ledger):
    body = {"mode": "oldest"}
    client.force_login(world["other_manager"])
    assert client.post(f"/credit/payments/{ledger.payment_a.pk}/allocate/", body).status_code == 404
    extend = {"requested_due_on": "2026-09-30", "reason": "资金紧张"}
    assert client.post(f"/credit/receivables/{ledger.receivable_a.pk}/extend/", extend).status_code == 404
    client.force_login(world["granted_manager"])
    assert client.post(f"/credit/receivables/{ledger.receivable_a.pk}/extend/", extend).status_code == 403
    assert not ExtensionRequest.all_objects.exists()
    assert not FilingRequest.objects.filter(content_type__model="extensionrequest").exists()


def test_undoing_someone_elses_allocation_is_refused_and_leaves_it(client, world, ledger):
    trail = PaymentAllocation.history.count()
    url = f"/credit/allocations/{ledger.allocation_a.pk}/remove/"
    client.force_login(world["other_manager"])
    assert client.post(url, {"reason": "forged"}).status_code == 404
    client.force_login(world["granted_manager"])
    assert client.post(url, {"reason": "forged"}).status_code == 403
    client.force_login(world["other_manager"])
    b_allocation = ledger.payment_b.allocations.get()
    assert client.post(f"/credit/allocations/{b_allocation.pk}/remove/", {"reason": ""}).status_code == 302
    assert PaymentAllocation.objects.filter(pk__in=[ledger.allocation_a.pk, b_allocation.pk]).count() == 2
    assert PaymentAllocation.history.count() == trail


def test_another_manager_cannot_change_As_plan(client, world, ledger):
    body = _plan_body(("2026-05-31", "1.00"), title="forged")
    client.force_login(world["other_manager"])
    assert client.post(f"/credit/plans/{ledger.plan_a.pk}/edit/", body).status_code == 404
    client.force_login(world["granted_manager"])
    assert client.post(f"/credit/plans/{ledger.plan_a.pk}/edit/", body).status_code == 403
    ledger.plan_a.refresh_from_db()
    assert ledger.plan_a.title == "2026 年回款计划"
    assert [i.amount for i in ledger.plan_a.instalments.all()] == [D("500.00")]


# ---- Lists: what each user sees, and the totals -------------------------------------------------------------------

EXPECTED = {
    # role: (receivable customers, amount, paid, outstanding, payment total)
    "owner": ({"a"}, "1000.00", "400.00", "600.00", "400.00"),
    "co_owner": ({"a"}, "1000.00", "400.00", "600.00", "400.00"),
    "other_manager": ({"b"}, "2000.00", "500.00", "1500.00", "500.00"),
    "director": ({"a", "b"}, "3000.00", "900.00", "2100.00", "900.00"),
    "group_clerk": ({"a"}, "1000.00", "400.00", "600.00", "400.00"),
    "clerk": (set(), "0.00", "0.00", "0.00", "0.00"),
}


@pytest.mark.parametrize("role", EXPECTED)
def test_a_manager_never_sees_another_managers_money_in_a_list_or_total(client, world, ledger, role):
    customers, amount, paid, outstanding, received = EXPECTED[role]
    expected_ids = {world[name].pk for name in customers}
    client.force_login(world[role])
    response = client.get("/credit/receivables/")
    rows = list(response.context["filter"].qs)
    assert {r.customer_id for r in rows} == expected_ids
    assert response.context["totals"] == {
        "count": len(customers),
        "amount": D(amount),
        "paid": D(paid),
        "outstanding": D(outstanding),
    }
    assert _cell(response, "totals-outstanding") == _yuan(outstanding)
    assert _cell(response, "totals-amount") == _yuan(amount)
    hidden = {"a", "b"} - customers
    content = response.content.decode()
    for name in hidden:
        assert world[name].name not in content
    response = client.get("/credit/payments/")
    assert {p.customer_id for p in response.context["filter"].qs} == expected_ids
    assert response.context["totals"]["amount"] == D(received)
    assert response.context["totals"]["unallocated"] == D("0.00")
    assert _cell(response, "totals-amount") == _yuan(received)
    for name in hidden:
        assert world[name].name not in response.content.decode()


def test_a_list_of_the_visible_ones_never_shows_another_customers_row_even_when_asked_for(client, world, ledger):
    client.force_login(world["owner"])
    response = client.get("/credit/receivables/", {"customer": world["b"].pk})
    assert list(response.context["filter"].qs) == [] and response.context["totals"]["amount"] == D("0.00")
    assert response.context["filter_customer"] is None and world["b"].name not in response.content.decode()
    # Another manager is not among the owner filter's choices for this reader: the filter is refused, so the
    # page lists nothing rather than the reader's own rows under another manager's name.
    response = client.get("/credit/payments/", {"owner": world["other_manager"].pk})
    assert list(response.context["object_list"]) == [] and response.context["totals"]["amount"] == D("0.00")
    assert "owner" in response.context["filter"].form.errors
    assert world["b"].name not in response.content.decode()


def test_the_receivable_list_shows_the_ledger_as_a_user_reads_it(client, world, ledger):
    services.extension_request(
        actor=world["owner"],
        receivable_id=ledger.receivable_a.pk,
        requested_due_on=datetime.date(2026, 6, 30),
        reason="客户资金周转",
    )
    filing.request_approve(actor=world["director"], request_id=FilingRequest.objects.get(state="pending").pk)
    client.force_login(world["owner"])
    response = client.get("/credit/receivables/")
    content = response.content.decode()
    assert gettext("extended to %(date)s") % {"date": "2026-06-30"} in content
    assert "2026-03-31" in content  # the original due date stays in the ledger
    assert 'class="text-danger fw-semibold days-overdue"' not in content  # due 06-30 now, not overdue on 06-15
    assert f'href="/orders/{ledger.receivable_a.order_id}/"' in content
    assert gettext("Enter a receivable") in content and gettext("Record a payment") in content
    client.force_login(world["group_clerk"])
    content = client.get("/credit/receivables/").content.decode()
    assert gettext("Enter a receivable") not in content and gettext("Record a payment") not in content


def test_days_overdue_are_shown_in_red(client, world, ledger):
    client.force_login(world["director"])
    content = client.get("/credit/receivables/").content.decode()
    overdue = re.findall(r'class="text-danger fw-semibold days-overdue">(\d+)<', content)
    assert overdue == ["76", "76"]  # both fell due on 2026-03-31


@pytest.fixture
def three_states(world, ledger):
    """A's ledger: r1 overdue (¥600 open), r2 open and not yet due (¥300), r3 settled (¥100 paid)."""
    owner, a = world["owner"], world["a"].pk
    r2 = services.receivable_create(
        actor=owner,
        customer_id=a,
        data={"amount": D("300.00"), "issued_on": datetime.date(2026, 6, 1), "reason": "服务费"},
    )
    r3 = services.receivable_create(
        actor=owner,
        customer_id=a,
        data={
            "amount": D("100.00"),
            "issued_on": datetime.date(2026, 5, 1),
            "due_on": datetime.date(2026, 5, 10),
            "reason": "旧欠款",
        },
    )
    prepaid = services.payment_record(
        actor=owner,
        customer_id=a,
        data={"received_on": datetime.date(2026, 5, 8), "amount": D("150.00"), "method": "cash"},
        mode="manual",
        amounts={r3.pk: D("100.00")},
    )
    return SimpleNamespace(r1=ledger.receivable_a, r2=r2, r3=r3, prepaid=prepaid)


def test_the_receivable_filters(client, world, ledger, three_states):
    s = three_states
    client.force_login(world["owner"])

    def ids(**query):
        return [r.pk for r in client.get("/credit/receivables/", query).context["filter"].qs]

    assert ids(state="open") == [s.r1.pk, s.r2.pk]
    assert ids(state="overdue") == [s.r1.pk]
    assert ids(state="settled") == [s.r3.pk]
    assert ids(issued_from="2026-05-01") == [s.r3.pk, s.r2.pk]
    assert ids(issued_from="2026-04-01", issued_to="2026-05-31") == [s.r3.pk]
    assert ids(sort="-outstanding") == [s.r1.pk, s.r2.pk, s.r3.pk]
    assert ids(sort="issued") == [s.r1.pk, s.r3.pk, s.r2.pk]
    response = client.get("/credit/receivables/", {"state": "open", "customer": world["a"].pk})
    assert response.context["totals"] == {
        "count": 2,
        "amount": D("1300.00"),
        "paid": D("400.00"),
        "outstanding": D("900.00"),
    }
    assert response.context["filter_customer"] == world["a"]
    assert f"/credit/plans/new/?customer={world['a'].pk}" in response.content.decode()
    client.force_login(world["director"])
    by_owner = client.get("/credit/receivables/", {"owner": world["other_manager"].pk}).context["filter"].qs
    assert [r.pk for r in by_owner] == [ledger.receivable_b.pk]
    assert client.get("/credit/receivables/", {"issued_from": "not-a-date"}).status_code == 200


def test_the_payment_filters_and_totals(client, world, three_states):
    client.force_login(world["owner"])

    def payments(**query):
        response = client.get("/credit/payments/", query)
        return [p.pk for p in response.context["filter"].qs], response.context["totals"]

    rows, totals = payments()
    assert rows == [three_states.prepaid.pk, world["a"].payments.get(reference="A-1").pk]
    assert totals == {"count": 2, "amount": D("550.00"), "allocated": D("500.00"), "unallocated": D("50.00")}
    rows, totals = payments(unallocated="on")
    assert rows == [three_states.prepaid.pk] and totals["unallocated"] == D("50.00")
    rows, _ = payments(received_from="2026-04-01")
    assert rows == [three_states.prepaid.pk]
    rows, _ = payments(received_to="2026-03-31")
    assert rows == [world["a"].payments.get(reference="A-1").pk]
    response = client.get("/credit/payments/", {"unallocated": "on"})
    assert _cell(response, "totals-unallocated") == "¥50.00"


# ---- Query counts --------------------------------------------------------------------------------------------------


def _add_ledger(customer, author, count: int, *, start: int = 0) -> None:
    """``count`` receivables, every other one opened by a filed order, every third extended, every other one half
    paid. Written directly: this is bulk data for counting queries, the services are tested elsewhere."""
    for n in range(start, start + count):
        issued = datetime.date(2026, 1, 1) + datetime.timedelta(days=n)
        order = None
        if n % 2 == 0:
            order = Order.objects.create(
                customer=customer,
                ordered_on=issued,
                status=FilingStatus.FILED,
                entry_no=5000 + n,
                total=D("100.00"),
                created_by=author,
            )
        due = issued + datetime.timedelta(days=30)
        receivable = Receivable.objects.create(
            customer=customer,
            order=order,
            amount=D("100.00"),
            issued_on=issued,
            due_on=due,
            extended_due_on=due + datetime.timedelta(days=10) if n % 3 == 0 else None,
            reason="" if order else "手工",
            created_by=author,
        )
        if n % 2 == 1:
            payment = Payment.objects.create(
                customer=customer, received_on=issued, amount=D("80.00"), method="transfer", created_by=author
            )
            PaymentAllocation.objects.create(payment=payment, receivable=receivable, amount=D("50.00"))


def _count(client, user, url) -> tuple[int, object]:
    client.force_login(user)
    assert client.get(url).status_code == 200  # warm the process-wide caches (content types…)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx), ctx


@pytest.mark.parametrize(
    "url",
    [
        "/credit/receivables/",
        "/credit/receivables/?state=open&sort=-outstanding&customer={a}",
        "/credit/payments/",
        "/credit/payments/?unallocated=on&sort=-amount&customer={a}",
    ],
)
@pytest.mark.parametrize("role", ["owner", "director"])
def test_the_ledger_lists_cost_the_same_for_3_and_30_rows(client, world, role, url, django_assert_max_num_queries):
    url = url.format(a=world["a"].pk)
    _add_ledger(world["a"], world["owner"], 2)
    _add_ledger(world["b"], world["other_manager"], 1)
    few, _ = _count(client, world[role], url)
    _add_ledger(world["a"], world["owner"], 18, start=2)
    _add_ledger(world["b"], world["other_manager"], 9, start=1)
    many, ctx = _count(client, world[role], url)
    assert many == few, queries_text(ctx)
    with django_assert_max_num_queries(LEDGER_LIST_CEILING):
        client.get(url)


# ---- Receivables entered by hand ------------------------------------------------------------------------------------


def test_a_receivable_entered_by_hand_is_due_after_the_customers_terms(client, world, filed_a):
    grant_credit(world, filed_a, terms_days=45)
    client.force_login(world["owner"])
    page = client.get(f"/credit/receivables/new/?customer={filed_a.pk}")
    assert page.context["form"]["customer"].value() == filed_a.pk
    assert page.context["form"]["issued_on"].value() == TODAY
    body = {"customer": filed_a.pk, "amount": "1234.50", "issued_on": "2026-06-01", "due_on": "", "reason": "旧欠款"}
    response = client.post("/credit/receivables/new/", body)
    receivable = Receivable.objects.get(customer=filed_a)
    assert response.status_code == 302 and response["Location"] == f"/credit/receivables/{receivable.pk}/"
    assert (receivable.amount, receivable.due_on, receivable.created_by) == (
        D("1234.50"),
        datetime.date(2026, 7, 16),
        world["owner"],
    )
    page = client.get(response["Location"])
    assert _cell(page, "receivable-outstanding") == "¥1,234.50" and _cell(page, "due-original") == "2026-07-16"
    assert gettext("entered by hand") in page.content.decode()


def test_a_receivable_without_a_reason_or_with_a_bad_date_is_refused_with_what_was_typed(client, world, filed_a):
    client.force_login(world["owner"])
    body = {"customer": filed_a.pk, "amount": "88.80", "issued_on": "2026-06-01", "due_on": "", "reason": " "}
    response = client.post("/credit/receivables/new/", body)
    assert response.status_code == 200 and "reason" in response.context["form"].errors
    assert 'value="88.80"' in response.content.decode()
    body.update(reason="服务费", due_on="2026-05-01")  # due before it was issued
    response = client.post("/credit/receivables/new/", body)
    assert response.status_code == 200 and response.context["form"].errors
    assert not Receivable.all_objects.exists()


# ---- Payments -------------------------------------------------------------------------------------------------------


def test_a_payment_by_hand_allocates_exactly_the_typed_amounts(client, world, three_states):
    s = three_states
    client.force_login(world["owner"])
    body = _payment_body(
        world["a"], amount="560.00", mode="manual", **{f"alloc-{s.r1.pk}": "250.00", f"alloc-{s.r2.pk}": "300"}
    )
    response = client.post("/credit/payments/new/", body)
    payment = Payment.objects.get(reference="SLIP-9")
    assert response.status_code == 302 and response["Location"] == f"/credit/payments/{payment.pk}/"
    assert {a.receivable_id: a.amount for a in payment.allocations.all()} == {
        s.r1.pk: D("250.00"),
        s.r2.pk: D("300.00"),
    }
    message = gettext("Payment of %(amount)s recorded: %(allocated)s allocated, %(left)s left to allocate.") % {
        "amount": "¥560.00",
        "allocated": "¥550.00",
        "left": "¥10.00",
    }
    assert message in _messages(response)
    page = client.get(response["Location"])
    assert _cell(page, "payment-allocated") == "¥550.00" and _cell(page, "payment-unallocated") == "¥10.00"
    assert f'href="/credit/receivables/{s.r1.pk}/"' in page.content.decode()


def test_a_payment_oldest_first_settles_the_oldest_due(client, world, three_states):
    s = three_states
    client.force_login(world["owner"])
    response = client.post("/credit/payments/new/", _payment_body(world["a"], amount="700.00"))
    assert response.status_code == 302
    payment = Payment.objects.get(reference="SLIP-9")
    assert {a.receivable_id: a.amount for a in payment.allocations.all()} == {
        s.r1.pk: D("600.00"),
        s.r2.pk: D("100.00"),
    }


@pytest.mark.parametrize(
    ("amount", "typed", "message"),
    [
        (
            "500.00",
            "700.00",
            "Receivable #%(number)s has only ¥%(open)s outstanding; ¥%(amount)s cannot be allocated to it.",
        ),
        (
            "100.00",
            "300.00",
            "The allocations add up to ¥%(total)s, more than the ¥%(left)s of the payment left to allocate.",
        ),
    ],
    ids=["more-than-owed", "more-than-paid"],
)
def test_over_allocation_comes_back_on_the_form_and_saves_nothing(client, world, ledger, amount, typed, message):
    receivable = ledger.receivable_a
    before = (Payment.objects.count(), PaymentAllocation.objects.count(), Payment.history.count())
    client.force_login(world["owner"])
    body = _payment_body(world["a"], amount=amount, mode="manual", **{f"alloc-{receivable.pk}": typed})
    response = client.post("/credit/payments/new/", body)
    assert response.status_code == 200
    content = response.content.decode()
    expected = gettext(message) % {
        "number": receivable.pk,
        "open": "600.00",
        "amount": f"{D(typed):,.2f}",
        "total": f"{D(typed):,.2f}",
        "left": f"{D(amount):,.2f}",
    }
    assert expected in response.context["form"].non_field_errors()
    assert expected in content
    assert f'value="{typed}"' in content and f'value="{amount}"' in content and 'value="SLIP-9"' in content
    assert 'value="manual" class="allocation-mode form-check-input" id="id_mode_1" required checked' in content
    assert (Payment.objects.count(), PaymentAllocation.objects.count(), Payment.history.count()) == before


def test_a_bad_amount_is_marked_where_it_was_typed(client, world, ledger):
    client.force_login(world["owner"])
    field = f"alloc-{ledger.receivable_a.pk}"
    response = client.post("/credit/payments/new/", _payment_body(world["a"], mode="manual", **{field: "-5"}))
    assert response.status_code == 200 and field in response.context["form"].errors
    assert Payment.objects.count() == 2


def test_show_the_open_receivables_keeps_what_was_typed_and_saves_nothing(client, world, ledger):
    client.force_login(world["owner"])
    response = client.post(
        "/credit/payments/new/", {**_payment_body(world["a"], amount="123.45", mode="manual"), "show": "1"}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert not form.is_bound and not form.errors
    assert [r.pk for r, _field in form.allocation_rows] == [ledger.receivable_a.pk]
    content = response.content.decode()
    assert 'value="123.45"' in content and 'value="SLIP-9"' in content and "¥600.00" in content
    assert Payment.objects.count() == 2


def test_a_customer_who_owes_nothing_gets_the_payment_unallocated(client, world, filed_a):
    client.force_login(world["owner"])
    page = client.get(f"/credit/payments/new/?customer={filed_a.pk}")
    assert 'id="nothing-owed"' in page.content.decode()
    response = client.post("/credit/payments/new/", _payment_body(filed_a, amount="300.00"))
    payment = Payment.objects.get(customer=filed_a)
    assert response.status_code == 302 and not payment.allocations.exists()
    page = client.get(f"/credit/payments/{payment.pk}/")
    assert _cell(page, "payment-unallocated") == "¥300.00"


def test_what_is_left_of_a_payment_is_allocated_from_its_page(client, world, three_states):
    s = three_states
    client.force_login(world["owner"])
    page = client.get(f"/credit/payments/{s.prepaid.pk}/")
    form = page.context["allocate_form"]
    assert [r.pk for r, _field in form.allocation_rows] == [s.r1.pk, s.r2.pk]
    response = client.post(
        f"/credit/payments/{s.prepaid.pk}/allocate/", {"mode": "manual", f"alloc-{s.r2.pk}": "60.00"}
    )
    assert response.status_code == 200  # only ¥50 is left of the payment
    assert (
        gettext("The allocations add up to ¥%(total)s, more than the ¥%(left)s of the payment left to allocate.")
        % {"total": "60.00", "left": "50.00"}
        in response.content.decode()
    )
    assert 'value="60.00"' in response.content.decode()
    response = client.post(f"/credit/payments/{s.prepaid.pk}/allocate/", {"mode": "oldest"})
    assert response.status_code == 302 and response["Location"] == f"/credit/payments/{s.prepaid.pk}/"
    allocated = ngettext("Allocated to %(count)s receivable.", "Allocated to %(count)s receivables.", 1)
    assert allocated % {"count": 1} in _messages(response)
    assert s.r1.allocations.get(payment=s.prepaid).amount == D("50.00")
    page = client.get(f"/credit/payments/{s.prepaid.pk}/")
    assert "allocate_form" not in page.context  # nothing left to allocate


def test_readers_see_a_payment_but_no_allocation_form(client, world, three_states):
    client.force_login(world["granted_manager"])
    page = client.get(f"/credit/payments/{three_states.prepaid.pk}/")
    assert page.status_code == 200 and "allocate_form" not in page.context
    assert 'id="allocate-form"' not in page.content.decode()


# ---- One receivable: allocations and extensions --------------------------------------------------------------------


def test_the_receivable_page_shows_its_payments_and_undo_buttons_for_keepers_only(client, world, ledger):
    receivable = ledger.receivable_a
    client.force_login(world["owner"])
    page = client.get(f"/credit/receivables/{receivable.pk}/")
    content = page.content.decode()
    assert _cell(page, "receivable-paid") == "¥400.00" and _cell(page, "receivable-outstanding") == "¥600.00"
    assert f'href="/credit/payments/{ledger.payment_a.pk}/"' in content and "A-1" in content
    assert f'action="/credit/allocations/{ledger.allocation_a.pk}/remove/"' in content
    assert 'id="extension-form"' in content
    assert f'href="/orders/{receivable.order_id}/"' in content
    client.force_login(world["group_clerk"])
    content = client.get(f"/credit/receivables/{receivable.pk}/").content.decode()
    assert "/remove/" not in content and 'id="extension-form"' not in content


def test_an_allocation_is_undone_with_a_reason(client, world, ledger):
    url = f"/credit/allocations/{ledger.allocation_a.pk}/remove/"
    client.force_login(world["co_owner"])
    response = client.post(url, {"reason": "  "})
    assert response.status_code == 302 and response["Location"] == f"/credit/receivables/{ledger.receivable_a.pk}/"
    assert gettext("Say why the allocation is undone.") in _messages(response)
    assert PaymentAllocation.objects.filter(pk=ledger.allocation_a.pk).exists()
    response = client.post(url, {"reason": "记错了客户"})
    assert response.status_code == 302 and response["Location"] == f"/credit/receivables/{ledger.receivable_a.pk}/"
    assert not PaymentAllocation.objects.filter(pk=ledger.allocation_a.pk).exists()
    deleted = PaymentAllocation.history.filter(id=ledger.allocation_a.pk, history_type="-").get()
    assert "记错了客户" in deleted.history_change_reason and deleted.history_user == world["co_owner"]
    page = client.get(response["Location"])
    assert _cell(page, "receivable-outstanding") == "¥1,000.00"
    assert client.post(url, {"reason": "again"}).status_code == 404


def test_an_extension_goes_to_the_director_and_moves_the_due_date_once_approved(client, world, ledger):
    receivable = ledger.receivable_a
    client.force_login(world["owner"])
    response = client.post(
        f"/credit/receivables/{receivable.pk}/extend/", {"requested_due_on": "2026-07-31", "reason": "旺季回款慢"}
    )
    assert response.status_code == 302 and response["Location"] == f"/credit/receivables/{receivable.pk}/"
    extension = ExtensionRequest.objects.get(receivable=receivable)
    assert extension.status == FilingStatus.PENDING and extension.previous_due_on == datetime.date(2026, 3, 31)
    assert gettext("Extension to %(date)s sent to the director; the due date moves once it is approved.") % {
        "date": extension.requested_due_on
    } in _messages(response)
    waiting = FilingRequest.objects.get(object_id=extension.pk, state="pending")
    page = client.get(response["Location"])
    content = page.content.decode()
    assert gettext("An extension is already waiting for the director.") in content
    assert "旺季回款慢" in content and _cell(page, "due-in-force") == "2026-03-31"
    filing.request_approve(actor=world["director"], request_id=waiting.pk)
    page = client.get(response["Location"])
    assert _cell(page, "due-in-force") == "2026-07-31" and _cell(page, "due-original") == "2026-03-31"
    assert gettext("Still owed") in page.content.decode()  # no longer overdue


def test_a_refused_extension_re_renders_the_page_with_the_error(client, world, ledger):
    receivable = ledger.receivable_a
    client.force_login(world["owner"])
    response = client.post(
        f"/credit/receivables/{receivable.pk}/extend/", {"requested_due_on": "2026-03-15", "reason": "提前"}
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert gettext("The new due date must be later than the one in force.") in content
    assert 'value="2026-03-15"' in content and "提前" in content
    response = client.post(f"/credit/receivables/{receivable.pk}/extend/", {"requested_due_on": "", "reason": ""})
    assert response.status_code == 200 and set(response.context["extension_form"].errors) == {
        "requested_due_on",
        "reason",
    }
    assert not ExtensionRequest.all_objects.exists()


def test_a_settled_receivable_offers_no_extension(client, world, three_states):
    client.force_login(world["owner"])
    page = client.get(f"/credit/receivables/{three_states.r3.pk}/")
    assert "extension_form" not in page.context
    response = client.post(
        f"/credit/receivables/{three_states.r3.pk}/extend/", {"requested_due_on": "2026-08-01", "reason": "x"}
    )
    assert response.status_code == 200
    assert gettext("This receivable is paid; there is nothing to extend.") in response.content.decode()
    assert not ExtensionRequest.all_objects.exists()


# ---- Repayment plans ------------------------------------------------------------------------------------------------


def test_a_plan_is_agreed_through_the_form(client, world, filed_a):
    client.force_login(world["owner"])
    page = client.get(f"/credit/plans/new/?customer={filed_a.pk}")
    assert page.context["form"]["customer"].value() == filed_a.pk and len(page.context["instalments"].forms) == 3
    body = _plan_body(("2026-08-31", "600.00"), ("2026-07-31", "400.00"), ("", ""), customer=filed_a)
    response = client.post("/credit/plans/new/", body)
    plan = RepaymentPlan.objects.get(customer=filed_a)
    assert response.status_code == 302 and response["Location"] == f"/credit/plans/{plan.pk}/"
    assert [(i.due_on, i.amount) for i in plan.instalments.all()] == [
        (datetime.date(2026, 7, 31), D("400.00")),
        (datetime.date(2026, 8, 31), D("600.00")),
    ]
    assert plan.title == "分期还款" and plan.created_by == world["owner"]


def test_a_plan_needs_an_instalment_and_keeps_what_was_typed(client, world, filed_a):
    client.force_login(world["owner"])
    response = client.post("/credit/plans/new/", _plan_body(("", ""), customer=filed_a, title="空计划"))
    assert response.status_code == 200
    assert gettext("A repayment plan needs at least one instalment.") in response.content.decode()
    assert 'value="空计划"' in response.content.decode()
    response = client.post("/credit/plans/new/", _plan_body(("2026-07-01", "-1"), customer=filed_a))
    assert response.status_code == 200 and response.context["instalments"].forms[0].errors["amount"]
    assert 'value="-1"' in response.content.decode()
    assert not RepaymentPlan.objects.exists()


def test_a_plan_is_changed_through_the_form(client, world, ledger):
    plan = ledger.plan_a
    services.plan_update(
        actor=world["owner"],
        plan_id=plan.pk,
        data={},
        instalments=[
            {"due_on": datetime.date(2026, 4, 30), "amount": D("500.00")},
            {"due_on": datetime.date(2026, 5, 31), "amount": D("500.00")},
        ],
    )
    client.force_login(world["co_owner"])
    page = client.get(f"/credit/plans/{plan.pk}/edit/")
    formset = page.context["instalments"]
    assert [f.initial for f in formset.forms[:2]] == [
        {"due_on": datetime.date(2026, 4, 30), "amount": D("500.00")},
        {"due_on": datetime.date(2026, 5, 31), "amount": D("500.00")},
    ]
    assert "customer" not in page.context["form"].fields
    body = _plan_body(
        ("2026-04-30", "500.00"), ("2026-05-31", "500.00", "delete"), ("2026-06-30", "250.00"), initial=2, title="改"
    )
    response = client.post(f"/credit/plans/{plan.pk}/edit/", body)
    assert response.status_code == 302 and response["Location"] == f"/credit/plans/{plan.pk}/"
    plan.refresh_from_db()
    assert plan.title == "改"
    assert [(i.due_on, i.amount) for i in Instalment.objects.filter(plan=plan)] == [
        (datetime.date(2026, 4, 30), D("500.00")),
        (datetime.date(2026, 6, 30), D("250.00")),
    ]


def test_the_plan_page_shows_on_time_late_missing_and_upcoming(client, world, filed_a):
    owner = world["owner"]
    plan = services.plan_create(
        actor=owner,
        customer_id=filed_a.pk,
        data={"title": "四期还款", "starts_on": datetime.date(2026, 3, 1), "note": "按月"},
        instalments=[
            {"due_on": datetime.date(2026, 3, 31), "amount": D("300.00")},
            {"due_on": datetime.date(2026, 4, 30), "amount": D("300.00")},
            {"due_on": datetime.date(2026, 5, 31), "amount": D("300.00")},
            {"due_on": datetime.date(2026, 7, 31), "amount": D("300.00")},
        ],
    )
    for day, amount in [
        (datetime.date(2026, 2, 20), "999.00"),
        (datetime.date(2026, 3, 20), "300.00"),
        (datetime.date(2026, 5, 10), "300.00"),
        (datetime.date(2026, 6, 1), "100.00"),
    ]:
        services.payment_record(
            actor=owner, customer_id=filed_a.pk, data={"received_on": day, "amount": D(amount), "method": "transfer"}
        )
    client.force_login(world["granted_manager"])
    page = client.get(f"/credit/plans/{plan.pk}/")
    assert [line.state for line in page.context["progress"]] == [
        InstalmentState.ON_TIME,  # 300 by 03-20, due 03-31
        InstalmentState.LATE,  # the next 300 came on 05-10, due 04-30
        InstalmentState.PART_PAID,  # 100 of 300 by 06-15, due 05-31
        InstalmentState.UPCOMING,
    ]
    content = page.content.decode()
    for state in (InstalmentState.ON_TIME, InstalmentState.LATE, InstalmentState.PART_PAID, InstalmentState.UPCOMING):
        assert str(state.label) in content
    rows = re.findall(r'<tr class="instalment-row" data-state="(\w+)">', content)
    assert rows == ["on_time", "late", "part_paid", "upcoming"]
    assert _cell(page, "plan-planned") == "¥1,200.00" and _cell(page, "plan-paid") == "¥700.00"
    assert _cell(page, "plan-to-pay") == "¥500.00" and _cell(page, "plan-missing") == "¥200.00"
    assert "2026-05-10" in content  # the late instalment's settled date
    assert 'id="edit-plan"' not in content  # a reader does not change the plan


def test_an_instalment_with_nothing_paid_is_missing(client, world, filed_a):
    plan = services.plan_create(
        actor=world["owner"],
        customer_id=filed_a.pk,
        data={"title": "一次还清", "starts_on": datetime.date(2026, 4, 1)},
        instalments=[{"due_on": datetime.date(2026, 5, 31), "amount": D("800.00")}],
    )
    client.force_login(world["owner"])
    page = client.get(f"/credit/plans/{plan.pk}/")
    assert [line.state for line in page.context["progress"]] == [InstalmentState.MISSING]
    assert str(InstalmentState.MISSING.label) in page.content.decode()
    assert _cell(page, "plan-missing") == "¥800.00" and 'id="edit-plan"' in page.content.decode()
