"""``manage.py seed_demo``: the demo archive of DESIGN §6, and that a second run changes nothing."""

import io
import re

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, F
from django.test import override_settings
from django.utils import timezone
from PIL import Image

from archive import filing, roles
from archive.choices import FilingStatus, Grade
from archive.models import Counter, FilingRequest, Notification
from customers import choices, permissions
from customers.demo_data import PASSWORD
from customers.models import (
    Attachment,
    Contact,
    CoOwner,
    Customer,
    CustomerGroupObjectPermission,
    CustomerUserObjectPermission,
    Interaction,
    Region,
)
from customers.validators import validate_credit_code

pytestmark = pytest.mark.django_db

User = get_user_model()

TRACKED = (Region, Customer, CoOwner, Contact, Interaction, Attachment)
Kind, State = FilingRequest.Kind, FilingRequest.State


def snapshot() -> dict[str, int]:
    """Row counts of everything the command writes, history and rights included."""
    counts = {
        "users": User.objects.count(),
        "groups": Group.objects.count(),
        "memberships": User.groups.through.objects.count(),
        "user rights": CustomerUserObjectPermission.objects.count(),
        "group rights": CustomerGroupObjectPermission.objects.count(),
        "requests": FilingRequest.objects.count(),
        "notifications": Notification.objects.count(),
        "numbers given": sum(Counter.objects.values_list("value", flat=True)),
    }
    for model in TRACKED:
        # The recycle bin counts too: a second run must not recreate a binned customer.
        counts[model.__name__] = getattr(model, "all_objects", model.objects).count()
        counts[f"{model.__name__} history"] = model.history.count()
    return counts


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo archive, seeded twice; returns the counts after each run and the second run's output.

    Seeding takes a few seconds, so it is done once for the module, inside a transaction that is rolled
    back at the end; every test runs in a savepoint within it, as pytest-django's ``db`` fixture nests.
    """
    # The per-test storage fixture comes too late for a module fixture: the uploads need a folder of their own.
    uploads = tmp_path_factory.mktemp("demo-attachments")
    storages = {
        **settings.STORAGES,
        "attachments": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(uploads), "base_url": None},
        },
    }
    # Hashing six passwords with the production hasher would dominate the run time.
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"], STORAGES=storages),
        transaction.atomic(),
    ):
        call_command("seed_demo", stdout=io.StringIO())
        first = snapshot()
        out = io.StringIO()
        call_command("seed_demo", stdout=out)
        yield {"first": first, "second": snapshot(), "output": out.getvalue(), "uploads": uploads}
        transaction.set_rollback(True)


def test_users_have_their_roles_and_the_demo_password(demo):
    expected = {
        "director": {roles.SALES_DIRECTOR},
        "archivist": {roles.ARCHIVIST},
        "manager1": {roles.ACCOUNT_MANAGER},
        "manager2": {roles.ACCOUNT_MANAGER},
        "clerk": {roles.CLERK, "华东区内勤"},
        "admin": set(),
    }
    for username, groups in expected.items():
        user = User.objects.get(username=username)
        assert set(user.groups.values_list("name", flat=True)) == groups, username
        assert user.check_password(PASSWORD), username
        assert user.get_full_name() and not user.last_name, username  # the whole Chinese name reads as written
    admin = User.objects.get(username="admin")
    assert admin.is_staff and admin.is_superuser
    assert not User.objects.filter(is_superuser=True).exclude(username="admin").exists()


def test_customers_cover_every_classification(demo):
    customers = Customer.objects.all()
    assert 55 <= customers.count() <= 65
    assert set(Region.objects.values_list("name", flat=True)) == {"华东区", "华北区", "华南区", "西南区"}
    for name, values in (
        ("grade", Grade.values),
        ("tier", choices.Tier.values),
        ("lifecycle", choices.Lifecycle.values),
        ("nature", choices.Nature.values),
        ("status", FilingStatus.values),
    ):
        assert set(customers.values_list(name, flat=True)) == set(values), name
    assert customers.exclude(grade_override="").exists()
    owners = dict(customers.values_list("owner__username").annotate(n=Count("pk")))
    assert owners.keys() == {"manager1", "manager2"} and min(owners.values()) >= 20

    codes = list(customers.exclude(credit_code="").values_list("credit_code", flat=True))
    for code in codes:
        validate_credit_code(code)
    assert len(codes) == len(set(codes))
    assert set(customers.filter(credit_code="").values_list("nature", flat=True)) == {choices.Nature.INDIVIDUAL}


def test_cards_carry_people_interactions(demo):
    counts = Customer.objects.annotate(
        contacts_n=Count("contacts", distinct=True), visits=Count("interactions", distinct=True)
    )
    assert all(1 <= c.contacts_n <= 4 for c in counts)
    assert all(2 <= c.visits <= 6 for c in counts)
    assert any(c.is_key and c.contacts_n < 2 for c in counts), "the demo must show an under-staffed key customer"
    profiled = Contact.objects.filter(is_key_person=True).exclude(personality="").exclude(birthday=None)
    assert profiled.exists()
    assert set(Interaction.objects.values_list("kind", flat=True)) == set(choices.InteractionKind.values)
    assert not Interaction.objects.filter(staff=None).exists()


def test_cards_stand_in_every_filing_state(demo):
    states = dict(Customer.objects.values_list("status").annotate(n=Count("pk")))
    assert states.keys() == set(FilingStatus.values)
    assert states[FilingStatus.FILED] >= 10 and states[FilingStatus.DRAFT] >= 10
    for customer in Customer.objects.filter(status=FilingStatus.RETURNED):
        assert filing.last_returned(customer).comment, customer  # the director said what to correct


def test_filed_cards_are_numbered_without_gaps_in_the_year_of_approval(demo):
    filed = Customer.all_objects.filter(status=FilingStatus.FILED)
    numbers = sorted(filed.values_list("archive_no", flat=True))
    year = timezone.localdate().year
    assert all(re.fullmatch(rf"KH-{year}-\d{{5}}", number) for number in numbers), numbers
    assert numbers == [f"KH-{year}-{n:05d}" for n in range(1, len(numbers) + 1)]
    assert not Customer.all_objects.exclude(status=FilingStatus.FILED).exclude(archive_no="").exists()
    assert set(filed.values_list("entry_no", flat=True)) == {1}


def test_requests_wait_for_the_director_and_some_were_decided(demo):
    pending = FilingRequest.objects.filter(state=State.PENDING)
    assert pending.filter(kind=Kind.FILING).exists()
    assert pending.filter(kind=Kind.CHANGE, customer__status=FilingStatus.FILED).count() >= 2
    assert pending.filter(kind=Kind.DELETION).exists()
    changes = FilingRequest.objects.filter(kind=Kind.CHANGE)
    assert changes.filter(state=State.RETURNED).exclude(comment="").exists()
    approved = changes.get(state=State.APPROVED)
    # Not necessarily the card's latest version: the contracts step grades the customers by their orders after.
    reasons = approved.entry.history.filter(history_user__username="director").values_list(
        "history_change_reason", flat=True
    )
    assert any(f"#{approved.pk}" in reason for reason in reasons)
    director = User.objects.get(username="director")
    assert filing.inbox(director).count() == pending.count()


def test_no_one_decided_their_own_request(demo):
    assert FilingRequest.objects.exclude(state=State.PENDING).exists()
    assert not FilingRequest.objects.filter(decided_by=F("author")).exists()
    assert not FilingRequest.objects.filter(author__username="director").exists()
    assert set(FilingRequest.objects.exclude(decided_by=None).values_list("decided_by__username", flat=True)) == {
        "director"
    }


def test_a_customer_lies_in_the_recycle_bin(demo):
    binned = Customer.all_objects.filter(deleted_at__isnull=False)
    assert binned.exists()
    assert not Customer.objects.filter(pk__in=binned.values("pk")).exists()
    assert FilingRequest.objects.filter(kind=Kind.DELETION, state=State.APPROVED, customer__in=binned).exists()


def test_documents_are_real_pictures_in_every_state(demo):
    documents = Attachment.objects.select_related("customer")
    assert {FilingStatus.DRAFT, FilingStatus.PENDING, FilingStatus.FILED} <= set(
        documents.values_list("status", flat=True)
    )
    assert documents.values("customer").distinct().count() >= 3
    for document in documents.filter(status=FilingStatus.FILED):
        assert re.fullmatch(r"1-\d{3}", document.entry_code) and document.entry_no >= 2, document
        assert document.customer.status == FilingStatus.FILED
    assert not documents.exclude(status=FilingStatus.FILED).exclude(entry_no=None).exists()
    for document in documents:
        # Read from the seed's folder: each test's own storage fixture has pointed the alias elsewhere since.
        with Image.open(demo["uploads"] / document.file.name) as picture:
            assert picture.format == "PNG" and picture.size == (600, 400), document


def test_the_first_manager_finds_decisions_waiting(demo):
    manager1 = User.objects.get(username="manager1")
    unread = filing.unread_notifications(manager1)
    assert unread.exists()
    states = set(unread.values_list("request__state", flat=True))
    assert {State.APPROVED, State.RETURNED} <= states


def test_clerk_reads_exactly_the_east_region_and_the_customer_lent_to_her(demo):
    clerk = User.objects.get(username="clerk")
    east = Customer.objects.filter(region__code="east")
    lent = Customer.objects.filter(access_requests__requester=clerk, access_requests__state="granted")
    assert east.exists() and lent.count() == 1 and not lent.filter(region__code="east").exists()
    assert set(permissions.visible_customers(clerk)) == set(east) | set(lent)
    assert not permissions.visible_customers(clerk, permissions.Action.CHANGE).exists()


def test_managers_keep_their_customers_and_share_some(demo):
    manager1, manager2 = User.objects.get(username="manager1"), User.objects.get(username="manager2")
    shared = Customer.objects.filter(co_ownerships__isnull=False).distinct()
    assert shared.exists()
    for customer in shared:
        for user in (customer.owner, *customer.co_owners.all()):
            assert permissions.can(user, permissions.Action.CHANGE, customer)
    mine = set(permissions.visible_customers(manager1))
    assert set(Customer.objects.filter(owner=manager1)) <= mine
    assert not mine & set(Customer.objects.filter(owner=manager2).exclude(co_owners=manager1))


def test_the_trail_shows_several_people_with_reasons(demo):
    actors = set()
    for model in TRACKED:
        actors |= set(model.history.exclude(history_user=None).values_list("history_user__username", flat=True))
    assert {"director", "manager1", "manager2"} <= actors
    graded = Customer.history.filter(history_change_reason="按销售额分级 (ABC)")
    assert set(graded.values_list("history_user__username", flat=True)) == {"director"}
    assert not Customer.history.filter(history_change_reason__in=["", None]).exists()
    assert Contact.history.filter(history_type="~", history_user__username="manager2").exists()


def test_second_run_adds_nothing(demo):
    assert demo["second"] == demo["first"]
    assert "nothing" in demo["output"]
    assert "recycle bin: 1" in demo["output"]


def test_the_demo_register_comes_back_whole_through_an_import(demo, db):
    """Export every demo customer, empty the archive, import the file: the same customers, field by field."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from customers import exports, imports, selectors
    from customers.columns import REGISTER_COLUMNS

    director = get_user_model().objects.get(username="director")
    names = [c.name for c in REGISTER_COLUMNS if c.importable]
    attnames = [Customer._meta.get_field(name).attname for name in names]

    def register():
        return {c.name: tuple(getattr(c, a) for a in attnames) for c in Customer.objects.all()}

    before = register()
    workbook, count = exports.register_workbook(selectors.customer_list(user=director))
    assert count == len(before) == Customer.objects.count()
    Customer.all_objects.all().delete()

    upload = SimpleUploadedFile("客户名册.xlsx", workbook.read())
    record, result = imports.import_start(actor=director, upload=upload)
    assert result.problems == []
    imports.import_confirm(actor=director, record_id=record.pk)
    after = register()
    assert after.keys() == before.keys()
    differences = {
        (name, field): (before[name][i], after[name][i])
        for name in before
        for i, field in enumerate(names)
        if before[name][i] != after[name][i]
    }
    assert differences == {}
