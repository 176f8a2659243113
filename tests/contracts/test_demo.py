"""The contracts step of ``manage.py seed_demo``: the catalogue, contracts and two years of orders."""

import datetime
import io
import re
from collections import defaultdict
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.test import override_settings
from django.utils import timezone

from archive import filing
from archive.choices import FilingStatus, Grade
from archive.models import Counter, FilingRequest, Notification
from contracts.choices import ContractState, Settlement
from contracts.models import Contract, Order, OrderLine, Product
from customers.demo_data import COMPANIES
from customers.models import Customer

pytestmark = pytest.mark.django_db

User = get_user_model()
Kind, State = FilingRequest.Kind, FilingRequest.State
TRACKED = (Product, Contract, Order, OrderLine, Customer)


def snapshot() -> dict[str, int]:
    """Row counts of everything the step writes: entries, their trail, requests, notifications and numbers."""
    counts = {
        "requests": FilingRequest.objects.count(),
        "notifications": Notification.objects.count(),
        "unread": Notification.objects.filter(read_at=None).count(),
        "numbers given": sum(Counter.objects.values_list("value", flat=True)),
    }
    for model in TRACKED:
        counts[model.__name__] = getattr(model, "all_objects", model.objects).count()
        # The customers' trail counts too: grading again would write a row per changed grade.
        counts[f"{model.__name__} history"] = model.history.count()
    return counts


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo archive seeded twice, once for the module, rolled back at the end (as ``test_seed_demo``)."""
    uploads = tmp_path_factory.mktemp("demo-contracts")
    storages = {
        **settings.STORAGES,
        "attachments": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(uploads), "base_url": None},
        },
    }
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"], STORAGES=storages),
        transaction.atomic(),
    ):
        first_out = io.StringIO()
        call_command("seed_demo", stdout=first_out)
        first = snapshot()
        out = io.StringIO()
        call_command("seed_demo", stdout=out)
        yield {
            "first": first,
            "second": snapshot(),
            "first output": first_out.getvalue(),
            "output": out.getvalue(),
            "uploads": uploads,
            "today": timezone.localdate(),
        }
        transaction.set_rollback(True)


def days_ago(demo, days: int) -> datetime.date:
    return demo["today"] - datetime.timedelta(days=days)


def test_the_catalogue_holds_priced_products_in_units(demo):
    products = Product.objects.all()
    assert 20 <= products.count() <= 40
    assert len(set(products.values_list("category", flat=True))) >= 6
    assert {"台", "套", "箱", "吨"} <= set(products.values_list("unit", flat=True))
    for product in products:
        assert product.name and product.specification and product.category, product
        assert isinstance(product.list_price, Decimal) and product.list_price > 0, product
    # A product taken off sale stays on the old orders that carried it, and only on those.
    retired = products.get(is_active=False)
    carried = Order.objects.filter(lines__product=retired).distinct()
    assert carried.exists()
    assert not carried.filter(ordered_on__gte=days_ago(demo, 365)).exists()
    assert set(retired.history.values_list("history_user__username", flat=True)) == {"director"}


def test_every_filed_customer_ordered_in_both_years(demo):
    filed = Customer.objects.filter(status=FilingStatus.FILED)
    assert filed.count() >= 15
    year_ago, two_years_ago = days_ago(demo, 365), days_ago(demo, 730)
    for customer in filed:
        orders = Order.objects.filter(customer=customer, status=FilingStatus.FILED)
        assert orders.filter(ordered_on__gt=year_ago, ordered_on__lte=demo["today"]).exists(), customer
        assert orders.filter(ordered_on__gt=two_years_ago, ordered_on__lte=year_ago).exists(), customer
    assert not Order.objects.filter(ordered_on__gt=demo["today"]).exists()
    assert not Order.objects.filter(ordered_on__lte=two_years_ago).exists()
    # Nothing but drafts on a card that is not filed: an entry is filed only inside its customer's archive.
    unfiled = Order.objects.exclude(customer__status=FilingStatus.FILED)
    assert unfiled.exists() and set(unfiled.values_list("status", flat=True)) == {FilingStatus.DRAFT}


def test_key_customers_order_more_and_some_stopped(demo):
    year_ago = days_ago(demo, 365)
    sales = dict(
        Customer.objects.filter(status=FilingStatus.FILED)
        .annotate(
            sales=Sum("orders__total", filter=Q(orders__status=FilingStatus.FILED, orders__ordered_on__gt=year_ago))
        )
        .values_list("short_name", "sales")
    )
    planned = {company.short: company.grade for company in COMPANIES}
    a_sales = [amount for short, amount in sales.items() if planned[short] == Grade.A]
    b_sales = [amount for short, amount in sales.items() if planned[short] == Grade.B]
    assert min(a_sales) > max(b_sales)
    # The churn warning has cases: key customers whose last order is five to eight months old.
    stopped = (
        Customer.objects.filter(status=FilingStatus.FILED, tier="key")
        .exclude(orders__ordered_on__gt=days_ago(demo, 150))
        .filter(orders__ordered_on__lte=days_ago(demo, 240))
        .distinct()
    )
    assert stopped.count() >= 2


def test_grades_follow_the_orders(demo):
    """The ABC analysis of the seeded orders gives roughly the grades the demo customers were meant to have."""
    planned = {company.short: company.grade for company in COMPANIES}
    order = "ABCD"
    for customer in Customer.objects.filter(status=FilingStatus.FILED):
        intended = planned[customer.short_name]
        if intended == Grade.A:
            assert customer.sales_grade == Grade.A, customer
        assert abs(order.index(customer.sales_grade) - order.index(intended)) <= 1, customer
        assert customer.grade == (customer.grade_override or customer.sales_grade), customer
    assert set(Customer.objects.values_list("grade", flat=True)) == set(Grade.values)


def test_contracts_stand_in_every_state(demo):
    contracts = Contract.objects.select_related("customer")
    assert set(contracts.values_list("state", flat=True)) == set(ContractState.values)
    statuses = dict(contracts.values_list("status").annotate(n=Count("pk")))
    assert statuses.keys() == set(FilingStatus.values)
    assert 2 <= statuses[FilingStatus.PENDING] <= 3
    assert 1 <= statuses[FilingStatus.RETURNED] <= 2
    assert 2 <= statuses[FilingStatus.DRAFT] <= 3
    assert statuses[FilingStatus.FILED] > sum(statuses.values()) / 2
    waiting_to_complete = set(
        FilingRequest.objects.filter(kind=Kind.CHANGE, state=State.PENDING, content_type__model="contract")
        .filter(proposed={"state": ContractState.COMPLETED})
        .values_list("object_id", flat=True)
    )
    assert len(waiting_to_complete) == 1
    today = demo["today"]
    for contract in contracts:
        assert re.fullmatch(rf"HT-{contract.signed_on.year}-\d{{4}}", contract.number), contract
        assert days_ago(demo, 760) <= contract.signed_on <= today, contract
        assert contract.starts_on >= contract.signed_on and contract.amount > 0, contract
        if contract.state == ContractState.COMPLETED:
            assert contract.ends_on < today, contract
        elif contract.state == ContractState.TERMINATED:
            assert contract.note and contract.ends_on <= today, contract
        elif contract.ends_on and contract.ends_on < today:
            assert contract.pk in waiting_to_complete, contract  # ended on paper; the change request catches up
    for contract in contracts.filter(status=FilingStatus.RETURNED):
        assert filing.last_returned(contract).comment, contract
    filed = Customer.objects.filter(status=FilingStatus.FILED).annotate(
        n=Count("contracts", filter=Q(contracts__status=FilingStatus.FILED))
    )
    assert all(1 <= customer.n <= 4 for customer in filed)


def test_some_contracts_carry_their_signed_pdf(demo):
    with_file = Contract.objects.exclude(file="")
    assert 1 <= with_file.count() <= 3
    for contract in with_file:
        assert contract.content_type == "application/pdf" and contract.original_name.endswith(".pdf")
        content = (demo["uploads"] / contract.file.name).read_bytes()
        assert content.startswith(b"%PDF-") and b"%%EOF" in content[-64:], contract


def test_orders_stand_in_every_settlement_and_filing_state(demo):
    orders = Order.objects.all()
    assert 500 <= orders.count() <= 1200
    assert set(orders.values_list("settlement", flat=True)) == set(Settlement.values)
    statuses = dict(orders.values_list("status").annotate(n=Count("pk")))
    assert statuses.keys() == set(FilingStatus.values)
    assert 3 <= statuses[FilingStatus.PENDING] <= 4
    assert 1 <= statuses[FilingStatus.RETURNED] <= 2
    assert 2 <= statuses[FilingStatus.DRAFT] <= 3
    for order in orders.filter(status=FilingStatus.RETURNED):
        assert filing.last_returned(order).comment, order
    change = FilingRequest.objects.get(kind=Kind.CHANGE, state=State.PENDING, content_type__model="order")
    assert change.proposed == {"settlement": Settlement.SETTLED}
    assert change.entry.status == FilingStatus.FILED and change.entry.settlement != Settlement.SETTLED

    # Old orders are paid, the latest ones mostly are not.
    filed = orders.filter(status=FilingStatus.FILED)
    old = filed.filter(ordered_on__lt=days_ago(demo, 400))
    assert old.filter(settlement=Settlement.SETTLED).count() >= 0.9 * old.count()
    recent = filed.filter(ordered_on__gte=days_ago(demo, 30))
    assert recent.exclude(settlement=Settlement.SETTLED).count() >= 0.6 * recent.count() > 0


def test_order_totals_are_the_sum_of_their_lines(demo):
    lines_by_order = defaultdict(list)
    for line in OrderLine.objects.select_related("product"):
        lines_by_order[line.order_id].append(line)
        assert line.amount == OrderLine.line_amount(line.quantity, line.unit_price, line.discount), line
        assert line.unit_price == line.product.list_price, line
        assert line.discount in {0, 5, 8, 10}, line
        assert line.quantity == line.quantity.to_integral_value() or line.product.unit == "吨", line
    discounted = 0
    for order in Order.objects.all():
        lines = lines_by_order[order.pk]
        assert 1 <= len(lines) <= 4, order
        assert sorted(line.position for line in lines) == list(range(1, len(lines) + 1)), order
        assert order.total == sum((line.amount for line in lines), Decimal("0.00")), order
        discounted += any(line.discount for line in lines)
    assert 0.05 < discounted / len(lines_by_order) < 0.5


def test_orders_run_under_their_customers_contracts(demo):
    linked = Order.objects.exclude(contract=None).select_related("contract")
    assert linked.count() >= 100
    for order in linked:
        contract = order.contract
        assert contract.customer_id == order.customer_id and contract.status == FilingStatus.FILED, order
        assert contract.starts_on <= order.ordered_on, order
        assert contract.ends_on is None or order.ordered_on <= contract.ends_on, order


def test_filed_entries_are_numbered_without_gaps_per_customer(demo):
    numbers = defaultdict(list)
    for model in (Contract, Order):
        for customer_id, entry_no in model.all_objects.filter(status=FilingStatus.FILED).values_list(
            "customer_id", "entry_no"
        ):
            numbers[customer_id].append(entry_no)
        assert not model.all_objects.exclude(status=FilingStatus.FILED).exclude(entry_no=None).exists()
    assert numbers.keys() == set(Customer.objects.filter(status=FilingStatus.FILED).values_list("pk", flat=True))
    for customer_id, entry_nos in numbers.items():
        assert sorted(entry_nos) == list(range(1, len(entry_nos) + 1)), customer_id
    # Filed in the order things happened: the customer's catalogue reads as its history.
    for customer in Customer.objects.filter(status=FilingStatus.FILED):
        dates = [o.ordered_on for o in Order.objects.filter(customer=customer, status="filed").order_by("entry_no")]
        assert dates == sorted(dates), customer
        entry = Order.objects.filter(customer=customer, status="filed").order_by("entry_no").first()
        assert re.fullmatch(r"2-\d{3}", entry.entry_code), entry


def test_the_director_finds_the_waiting_contracts_and_orders(demo):
    director = User.objects.get(username="director")
    inbox = filing.inbox(director)
    waiting = defaultdict(set)
    for request in inbox:
        waiting[(request.content_type.model, request.kind)].add(request.object_id)
    assert waiting[("contract", Kind.FILING)] == set(
        Contract.objects.filter(status=FilingStatus.PENDING).values_list("pk", flat=True)
    )
    assert waiting[("order", Kind.FILING)] == set(
        Order.objects.filter(status=FilingStatus.PENDING).values_list("pk", flat=True)
    )
    assert len(waiting[("contract", Kind.CHANGE)]) == len(waiting[("order", Kind.CHANGE)]) == 1
    assert not FilingRequest.objects.filter(author=director).exists()


def test_managers_entered_the_orders_and_read_old_decisions(demo):
    authors = set(Order.history.filter(history_type="+").values_list("history_user__username", flat=True))
    assert authors == {"manager1", "manager2"}
    assert set(Order.objects.values_list("created_by__username", flat=True)) == {"manager1", "manager2"}
    for model in (Product, Contract, Order, OrderLine):
        assert not model.history.filter(history_change_reason__in=["", None]).exists(), model
    for username in ("manager1", "manager2"):
        unread = filing.unread_notifications(User.objects.get(username=username))
        # Two years of approvals were read long ago; what waits is the last fortnight's.
        assert 1 <= unread.count() <= 30, username
        assert unread.filter(request__state=State.RETURNED).exists(), username


def test_second_run_adds_nothing(demo):
    assert demo["second"] == demo["first"]
    assert "nothing" in demo["output"]
    assert re.search(r"\d+ products, \d+ contracts, \d+ orders, \d+ order lines", demo["first output"])
