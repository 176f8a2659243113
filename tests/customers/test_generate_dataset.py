"""``manage.py generate_dataset``: a small generated archive holds what the real rules would have made.

Run on whichever database the suite runs on (SQLite by default, PostgreSQL with ``DATABASE_URL``).
"""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection

from archive import filing
from archive.choices import FilingStatus
from archive.models import Counter, FilingRequest
from complaints.models import Complaint, ComplaintStep
from contracts.models import Order, OrderLine
from credit.models import Receivable
from customers import permissions
from customers.models import Contact, CoOwner, Customer, CustomerUserObjectPermission, Interaction, Region
from customers.validators import validate_credit_code

pytestmark = pytest.mark.django_db

User = get_user_model()
CUSTOMERS, MANAGERS = 30, 3


def generate(*extra) -> str:
    out = io.StringIO()
    call_command("generate_dataset", "--customers", CUSTOMERS, "--managers", MANAGERS, *extra, stdout=out)
    return out.getvalue()


@pytest.fixture
def dataset(db):
    return generate()


def test_it_writes_the_asked_numbers_with_contacts_interactions_and_orders(dataset):
    assert Customer.objects.count() == CUSTOMERS
    managers = User.objects.filter(username__startswith="manager", groups__name="account_manager")
    assert managers.count() == MANAGERS
    assert set(Customer.objects.values_list("owner__username", flat=True)) <= {f"manager{n:03d}" for n in (1, 2, 3)}
    assert Region.objects.count() == 4
    assert not Customer.objects.filter(contacts__isnull=True).exists()  # every card names someone on their side
    assert Interaction.objects.exists() and Order.objects.exists() and OrderLine.objects.exists()
    assert Receivable.objects.count() == Order.objects.filter(status=FilingStatus.FILED).count()
    assert f"{connection.vendor}" in dataset and "customers" in dataset


def test_credit_codes_are_valid_and_unique(dataset):
    codes = list(Customer.objects.values_list("credit_code", flat=True))
    assert len(set(codes)) == CUSTOMERS
    for code in codes:
        validate_credit_code(code)


def test_a_manager_sees_exactly_their_own_and_co_managed_customers_through_the_gateway(dataset):
    for manager in User.objects.filter(username__startswith="manager"):
        kept = set(Customer.objects.filter(owner=manager).values_list("pk", flat=True))
        kept |= set(CoOwner.objects.filter(user=manager).values_list("customer_id", flat=True))
        assert kept
        assert set(permissions.visible_customers(manager).values_list("pk", flat=True)) == kept
        assert set(permissions.visible_customers(manager, "change").values_list("pk", flat=True)) == kept
    director = User.objects.get(username="director")
    assert permissions.visible_customers(director).count() == CUSTOMERS


def test_rights_are_the_rows_guardian_itself_would_have_written(dataset):
    customer = Customer.objects.first()
    owner = customer.owner
    assert owner.has_perm("customers.view_customer", customer)
    assert owner.has_perm("customers.change_customer", customer)
    clerk = User.objects.get(username=f"clerk_{customer.region.code}")
    assert permissions.can(clerk, "view", customer) and not permissions.can(clerk, "change", customer)
    assert CustomerUserObjectPermission.objects.filter(content_object=customer, user=owner).count() == 2


def test_every_record_has_its_history_with_actor_and_reason(dataset):
    for model in (Customer, Contact, Interaction, Order, OrderLine, Receivable):
        assert model.history.count() >= model.objects.count() > 0
        assert set(model.history.values_list("id", flat=True)) == set(model.objects.values_list("pk", flat=True))
        assert not model.history.filter(history_user_name="").exists()
        assert not model.history.filter(history_change_reason="").exists()
    filed = Customer.objects.filter(status=FilingStatus.FILED).first()
    trail = list(filed.history.order_by("history_date", "history_id"))
    assert [row.status for row in trail] == ["draft", "pending", "filed"]
    request = FilingRequest.objects.get(object_id=filed.pk, kind="filing", customer=filed)
    assert trail[-1].history_change_reason.endswith(f"#{request.pk}")
    assert trail[-1].history_user.username == "director"


def test_the_trail_page_of_a_generated_customer_shows_its_versions(client, dataset):
    customer = Customer.objects.filter(status=FilingStatus.FILED).first()
    client.force_login(customer.owner)
    page = client.get(f"/customers/{customer.pk}/history/")
    assert page.status_code == 200
    assert customer.name in page.content.decode()


def test_filed_cards_are_numbered_and_the_next_approval_continues_the_sequence(dataset):
    filed = Customer.objects.filter(status=FilingStatus.FILED)
    numbers = list(filed.values_list("archive_no", flat=True))
    assert numbers and len(set(numbers)) == len(numbers) and all(n.startswith("KH-") for n in numbers)
    assert set(filed.values_list("entry_no", flat=True)) == {1}
    customer = filed.first()
    assert Counter.objects.get(key=f"{filing.ARCHIVE_NUMBER_PREFIX}/{customer.pk}/1").value == 1
    pending = FilingRequest.objects.filter(state="pending", kind="filing")
    assert (
        pending.count()
        == Customer.objects.filter(status=FilingStatus.PENDING).count()
        + Order.objects.filter(status=FilingStatus.PENDING).count()
        + Complaint.objects.filter(status=FilingStatus.PENDING).count()
    )


def test_complaints_are_numbered_after_their_card_with_steps_and_trail(dataset):
    filed = Complaint.objects.filter(status=FilingStatus.FILED)
    assert filed.exists() and Complaint.objects.exclude(state="closed").exists()
    assert not Complaint.objects.filter(state="closed", satisfaction__isnull=True).exists()
    assert not filed.exclude(customer__status=FilingStatus.FILED).exists()  # never filed before its card
    customer = filed.values_list("customer", flat=True).first()
    numbers = sorted(filed.filter(customer=customer).values_list("entry_no", flat=True))
    assert numbers == list(range(1, len(numbers) + 1))
    counter = Counter.objects.get(key=f"{filing.ARCHIVE_NUMBER_PREFIX}/{customer}/5")
    assert counter.value == len(numbers)
    assert ComplaintStep.objects.exists()
    assert set(Complaint.history.values_list("id", flat=True)) == set(Complaint.objects.values_list("pk", flat=True))
    # Every filed complaint's trail reads in the order it happened: recorded, submitted, then filed.
    for complaint in filed:
        trail = complaint.history.order_by("history_date", "history_id").values_list("status", flat=True)
        assert list(trail) == [FilingStatus.DRAFT, FilingStatus.PENDING, FilingStatus.FILED]


def test_a_database_with_customers_is_refused_unless_appending(dataset):
    with pytest.raises(CommandError, match="already holds"):
        generate()
    assert Customer.objects.count() == CUSTOMERS
    generate("--append", "--seed", "7")
    assert Customer.objects.count() == 2 * CUSTOMERS
    assert User.objects.filter(username__startswith="manager").count() == MANAGERS
    codes = list(Customer.objects.values_list("credit_code", flat=True))
    assert len(set(codes)) == len(codes)
