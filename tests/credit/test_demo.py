"""The credit step of ``manage.py seed_demo``: a ledger that agrees with the orders, and credit in every state."""

import datetime
import io
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import transaction
from django.db.models import Sum
from django.test import override_settings
from django.utils import timezone

from archive.choices import FilingStatus
from contracts import services as contract_services
from contracts.choices import Settlement
from contracts.models import Order, Product
from credit import selectors
from credit.choices import AgingBasis, InstalmentState
from credit.demo import seed_demo_credit
from credit.models import (
    CreditApplication,
    CreditProfile,
    ExtensionRequest,
    Payment,
    PaymentAllocation,
    Receivable,
    RepaymentPlan,
)

pytestmark = pytest.mark.django_db

User = get_user_model()


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo archive, seeded once for the module with the credit step run a second time, then rolled back."""
    uploads = tmp_path_factory.mktemp("demo-credit")
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
        call_command("seed_demo", stdout=io.StringIO())
        today = timezone.localdate()
        counts = {model: model.objects.count() for model in (Payment, PaymentAllocation, CreditApplication)}
        again = seed_demo_credit(today=today)
        yield {"today": today, "counts": counts, "again": again}
        transaction.set_rollback(True)


def test_every_filed_order_with_a_total_has_one_receivable_and_nothing_else_does(demo):
    filed = Order.objects.filter(status=FilingStatus.FILED, total__gt=0)
    assert Receivable.objects.count() == filed.count() > 500
    assert not Receivable.objects.exclude(order__status=FilingStatus.FILED).exists()
    for receivable in Receivable.objects.select_related("order")[:50]:
        assert receivable.amount == receivable.order.total
        assert receivable.issued_on == receivable.order.ordered_on


def test_payments_follow_each_order_settlement(demo):
    receivables = selectors.with_outstanding(Receivable.objects.select_related("order"))
    for receivable in receivables:
        settlement = receivable.order.settlement
        if settlement == Settlement.SETTLED:
            assert receivable.outstanding == 0, receivable
        elif settlement == Settlement.UNSETTLED:
            assert receivable.paid == 0, receivable
        else:
            assert 0 < receivable.outstanding < receivable.amount, receivable
    assert not Payment.objects.filter(received_on__gt=demo["today"]).exists()


def test_the_ledger_keeps_both_promises(demo):
    for payment in selectors.payment_list(user=User.objects.get(username="director")):
        assert Decimal(0) <= payment.allocated <= payment.amount, payment
    assert not selectors.with_outstanding(Receivable.objects.all()).filter(outstanding__lt=0).exists()


def test_the_aging_report_adds_up_to_what_is_owed(demo):
    director = User.objects.get(username="director")
    owed = sum(r.outstanding for r in selectors.receivable_list(user=director))
    for basis in AgingBasis.values:
        report = selectors.aging(user=director, as_of=demo["today"], basis=basis)
        assert report.total.total == owed > 0
        assert sum(line.total for line in report.managers) == owed
        assert all(amount > 0 for amount in report.total.buckets[-3:]), "the demo has old debts too"


def test_credit_stands_in_every_state_and_one_customer_is_over_its_limit(demo):
    statuses = set(CreditApplication.objects.values_list("status", flat=True))
    assert statuses == {FilingStatus.DRAFT, FilingStatus.PENDING, FilingStatus.RETURNED, FilingStatus.FILED}
    profiles = CreditProfile.objects.select_related("customer", "application")
    assert profiles.count() == CreditApplication.objects.filter(status=FilingStatus.FILED).count() >= 5
    assert len({p.credit_grade for p in profiles}) >= 3
    over = [p for p in profiles if selectors.credit_status(p.customer_id).over_limit]
    assert len(over) == 1
    # Its manager cannot add an order; the refusal names the limit.
    customer = over[0].customer
    product = Product.objects.filter(is_active=True).first()
    with pytest.raises(ValidationError) as refused:
        contract_services.order_create(
            actor=customer.owner,
            customer_id=customer.pk,
            data={"ordered_on": demo["today"]},
            lines=[{"product": product, "quantity": Decimal(1), "unit_price": Decimal("100.00"), "discount": 0}],
        )
    assert refused.value.code == "credit_limit"


def test_extensions_and_a_repayment_plan_show_every_outcome(demo):
    extensions = ExtensionRequest.objects.all()
    assert {e.status for e in extensions} == {FilingStatus.FILED, FilingStatus.PENDING}
    extended = extensions.get(status=FilingStatus.FILED).receivable
    assert extended.extended_due_on > extended.due_on
    plan = RepaymentPlan.objects.get()
    states = {p.state for p in selectors.plan_progress(plan, today=demo["today"])}
    assert states == {InstalmentState.ON_TIME, InstalmentState.LATE, InstalmentState.MISSING, InstalmentState.UPCOMING}


def test_a_second_run_adds_nothing(demo):
    assert demo["again"] == dict.fromkeys(demo["again"], 0)
    assert demo["counts"] == {model: model.objects.count() for model in (Payment, PaymentAllocation, CreditApplication)}
    assert Payment.objects.aggregate(total=Sum("amount"))["total"] > 0
    assert datetime.date.today()  # the module ran with the real clock
