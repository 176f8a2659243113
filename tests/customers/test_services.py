"""Writes to the archive card (customers.services): rights, validation and the change trail, against the database.

Reasons on the trail are translated when they are written (the interface is Chinese by default), so the
expected reason is always ``gettext`` of the source string, in the language active when the service ran.
"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext

from customers import permissions, services
from customers.choices import AttachmentKind, InteractionKind
from customers.models import Attachment, Contact, CoOwner, Customer, Interaction
from customers.permissions import Action

from ..factories import credit_code, make_customer
from ..helpers import error_codes, image_bytes, pdf_bytes, upload

# Who is refused a change on customer A, and how: 404 when A is out of sight, 403 when it is only readable.
REFUSALS = [
    ("other_manager", Http404),  # cannot see A: as if it did not exist
    ("clerk", Http404),
    ("granted_manager", PermissionDenied),  # sees A, may not change it
    ("group_clerk", PermissionDenied),
    ("archivist", PermissionDenied),
]


def label(model, name) -> str:
    return str(model._meta.get_field(name).verbose_name)


def last_trail(instance):
    return instance.history.order_by("-history_id").first()


def trail_count(model=Customer, **lookup) -> int:
    return model.history.filter(**lookup).count()


def everything_written() -> dict:
    """Row and trail counts of every table a card service writes, to prove a refusal wrote nothing."""
    return {
        model.__name__: (model.objects.count(), model.history.count())
        for model in (Customer, CoOwner, Contact, Interaction, Attachment)
    }


@pytest.fixture
def named_owner(world):
    owner = world["owner"]
    owner.first_name, owner.last_name = "王", "经理"
    owner.save()
    return owner


# ---- customer_create ----------------------------------------------------------------------------------------


def test_a_manager_opens_a_card_for_themself(people):
    manager = people["owner"]
    customer = services.customer_create(
        actor=manager, data={"name": "杭州西湖贸易有限公司", "credit_code": credit_code(), "phone": "0571-8888"}
    )
    customer.refresh_from_db()
    assert customer.owner == manager
    assert customer.status == "draft"
    assert customer.version == 1
    assert customer.phone == "0571-8888"
    assert permissions.can(manager, Action.VIEW, customer)
    assert permissions.can(manager, Action.CHANGE, customer)
    assert not permissions.can(people["other_manager"], Action.VIEW, customer)

    (row,) = customer.history.all()
    assert row.history_type == "+"
    assert row.history_user == manager
    assert row.history_user_name == manager.username
    assert row.history_change_reason == gettext("Card created")


def test_the_trail_keeps_the_full_name_of_the_actor(named_owner):
    customer = make_customer(named_owner)
    assert last_trail(customer).history_user_name == "王 经理"


def test_the_trail_keeps_the_actors_name_after_the_account_is_gone(people):
    customer = make_customer(people["owner"], actor=people["director"])
    people["director"].delete()
    row = last_trail(customer)
    assert row.history_user_id is None
    assert row.history_user_name == "director"


def test_a_manager_opens_a_card_with_co_owners(people):
    customer = services.customer_create(
        actor=people["director"], data={"name": "重点客户"}, owner=people["owner"], co_owners=[people["co_owner"]]
    )
    assert permissions.can(people["co_owner"], Action.CHANGE, customer)
    (row,) = CoOwner.history.filter(customer_id=customer.pk)
    assert row.history_type == "+"
    assert row.history_change_reason == gettext("Co-manager added")


def test_the_owner_is_not_made_their_own_co_owner(people):
    # As customer_assign_keepers does, naming the owner among the co-owners must not list them twice.
    customer = services.customer_create(
        actor=people["director"],
        data={"name": "重点客户"},
        owner=people["owner"],
        co_owners=[people["owner"], people["co_owner"]],
    )
    assert set(customer.co_owners.all()) == {people["co_owner"]}


@pytest.mark.parametrize("role", ["clerk", "archivist", "group_clerk"])
def test_roles_without_add_right_cannot_open_a_card(people, role):
    before = everything_written()
    with pytest.raises(PermissionDenied):
        services.customer_create(actor=people[role], data={"name": "不该出现的客户"})
    with pytest.raises(PermissionDenied):
        services.customer_create(actor=people[role], data={"name": "不该出现的客户"}, owner=people["owner"])
    assert everything_written() == before
    assert not Customer.objects.filter(name="不该出现的客户").exists()
    assert not Customer.history.filter(name="不该出现的客户").exists()


def test_a_manager_cannot_open_a_card_for_another_manager(people):
    with pytest.raises(PermissionDenied):
        services.customer_create(actor=people["owner"], data={"name": "代开的卡"}, owner=people["other_manager"])
    assert not Customer.objects.exists()
    assert not Customer.history.exists()


def test_the_director_opens_a_card_for_a_manager(people):
    customer = services.customer_create(actor=people["director"], data={"name": "总监代开"}, owner=people["owner"])
    assert customer.owner == people["owner"]
    assert permissions.can(people["owner"], Action.CHANGE, customer)
    # The director sees it through the global right, not through an object grant of their own.
    assert {user.username for user, _ in permissions.holders(customer)["users"]} == {"owner"}
    row = last_trail(customer)
    assert row.history_user == people["director"]
    assert row.history_change_reason == gettext("Card created")


@pytest.mark.parametrize("keeper", ["clerk", "archivist"])
def test_a_card_cannot_be_given_to_someone_who_is_not_a_manager(people, keeper):
    with pytest.raises(ValidationError):
        services.customer_create(actor=people["director"], data={"name": "无人管理"}, owner=people[keeper])
    assert not Customer.objects.exists()


def test_an_invalid_card_is_not_opened(people):
    with pytest.raises(ValidationError) as refused:
        services.customer_create(actor=people["owner"], data={"name": "", "postcode": "12345"})
    assert {"name", "postcode"} <= set(refused.value.error_dict)
    assert everything_written() == {m: (0, 0) for m in everything_written()}


def test_a_duplicate_credit_code_is_refused(people):
    code = credit_code()
    make_customer(people["owner"], credit_code=code)
    with pytest.raises(ValidationError):
        make_customer(people["other_manager"], credit_code=code.lower())
    assert Customer.objects.filter(credit_code=code).count() == 1


def test_fields_outside_the_card_cannot_be_written(people):
    with pytest.raises(ValueError):
        services.customer_create(actor=people["owner"], data={"name": "越权", "status": "filed"})
    with pytest.raises(ValueError):
        services.customer_create(actor=people["owner"], data={"name": "越权", "owner": people["other_manager"]})
    assert not Customer.objects.exists()


def test_grade_override_sets_the_grade(people):
    customer = make_customer(people["owner"], grade_override="A")
    customer.refresh_from_db()
    assert customer.grade == "A"


# ---- customer_update ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["owner", "co_owner", "director", "admin"])
def test_keepers_and_the_director_change_the_card(world, role):
    a = world["a"]
    before = trail_count(id=a.pk)
    services.customer_update(
        actor=world[role], customer_id=a.pk, data={"phone": "021-12345678"}, expected_version=1, reason="电话号码变更"
    )
    a.refresh_from_db()
    assert a.phone == "021-12345678"
    assert a.version == 2
    assert trail_count(id=a.pk) == before + 1
    row = last_trail(a)
    assert row.history_type == "~"
    assert row.history_user == world[role]
    assert row.history_user_name == world[role].username
    assert row.history_change_reason == "电话号码变更"
    assert row.phone == "021-12345678"
    assert row.version == 2


def test_an_update_without_a_reason_says_card_edited(world):
    services.customer_update(actor=world["owner"], customer_id=world["a"].pk, data={"fax": "1"})
    assert last_trail(world["a"]).history_change_reason == gettext("Card edited")


def test_every_update_bumps_the_version(world):
    a = world["a"]
    for expected in (1, 2, 3):
        services.customer_update(
            actor=world["owner"], customer_id=a.pk, data={"fax": str(expected)}, expected_version=expected
        )
    a.refresh_from_db()
    assert a.version == 4
    assert list(a.history.order_by("history_id").values_list("version", flat=True)) == [1, 2, 3, 4]


def test_a_stale_edit_is_refused_with_the_fields_that_changed(world):
    a = world["a"]
    # The owner opens the form (version 1); meanwhile the co-owner saves a change.
    services.customer_update(
        actor=world["co_owner"], customer_id=a.pk, data={"phone": "021-1111", "industry": "纺织"}, expected_version=1
    )
    before = trail_count(id=a.pk)
    with pytest.raises(services.EditConflict) as conflict:
        services.customer_update(actor=world["owner"], customer_id=a.pk, data={"phone": "021-2222"}, expected_version=1)
    changes = {change.label: (change.old_display, change.new_display) for change in conflict.value.changes}
    assert changes == {
        label(Customer, "phone"): ("—", "021-1111"),
        label(Customer, "industry"): ("—", "纺织"),
    }
    assert conflict.value.by == "co_owner"
    assert "co_owner" in str(conflict.value)

    a.refresh_from_db()
    assert (a.phone, a.industry, a.version) == ("021-1111", "纺织", 2)
    assert trail_count(id=a.pk) == before


def test_the_current_version_is_accepted_after_a_conflict(world):
    a = world["a"]
    services.customer_update(actor=world["co_owner"], customer_id=a.pk, data={"phone": "1"}, expected_version=1)
    with pytest.raises(services.EditConflict):
        services.customer_update(actor=world["owner"], customer_id=a.pk, data={"phone": "2"}, expected_version=1)
    services.customer_update(actor=world["owner"], customer_id=a.pk, data={"phone": "2"}, expected_version=2)
    a.refresh_from_db()
    assert (a.phone, a.version) == ("2", 3)


@pytest.mark.parametrize(("role", "refusal"), REFUSALS)
def test_update_refused_without_change_right(world, role, refusal):
    a = world["a"]
    before = everything_written()
    with pytest.raises(refusal):
        services.customer_update(actor=world[role], customer_id=a.pk, data={"phone": "999"}, expected_version=1)
    a.refresh_from_db()
    assert (a.phone, a.version) == ("", 1)
    assert everything_written() == before
    assert not Customer.history.filter(id=a.pk, history_user=world[role]).exists()


def test_an_invalid_update_changes_nothing(world):
    a = world["a"]
    with pytest.raises(ValidationError) as refused:
        services.customer_update(actor=world["owner"], customer_id=a.pk, data={"credit_code": "91110000802100433A"})
    assert error_codes(refused.value) == {"credit_code_check_digit"}
    a.refresh_from_db()
    assert a.version == 1
    assert trail_count(id=a.pk) == 1


def test_update_cannot_write_ownership_or_filing_state(world):
    for data in ({"owner": world["other_manager"]}, {"status": "filed"}, {"archive_no": "KH-1"}, {"version": 9}):
        with pytest.raises(ValueError):
            services.customer_update(actor=world["owner"], customer_id=world["a"].pk, data=data)
    world["a"].refresh_from_db()
    assert (world["a"].owner, world["a"].status, world["a"].version) == (world["owner"], "draft", 1)


# ---- customer_assign_keepers ----------------------------------------------------------------------------------


def test_the_director_hands_a_customer_over(world):
    a = world["a"]
    old_owner, old_co, new_owner, new_co = (
        world["owner"],
        world["co_owner"],
        world["other_manager"],
        world["granted_manager"],
    )
    services.customer_assign_keepers(
        actor=world["director"], customer_id=a.pk, owner=new_owner, co_owners=[new_co], reason="员工调离"
    )
    a.refresh_from_db()
    assert a.owner == new_owner
    assert a.version == 2
    assert set(a.co_owners.all()) == {new_co}

    for user in (old_owner, old_co):
        assert not permissions.can(user, Action.VIEW, a), user
        assert not permissions.can(user, Action.CHANGE, a), user
    for user in (new_owner, new_co):
        assert permissions.can(user, Action.VIEW, a), user
        assert permissions.can(user, Action.CHANGE, a), user

    owner_row = last_trail(a)
    assert (owner_row.owner_id, owner_row.history_user, owner_row.history_change_reason) == (
        new_owner.pk,
        world["director"],
        "员工调离",
    )
    co_rows = {(row.user_id, row.history_type): row for row in CoOwner.history.filter(customer_id=a.pk)}
    assert set(co_rows) == {(old_co.pk, "+"), (old_co.pk, "-"), (new_co.pk, "+")}
    assert co_rows[(old_co.pk, "-")].history_change_reason == "员工调离"
    assert co_rows[(old_co.pk, "-")].history_user_name == "director"
    assert co_rows[(new_co.pk, "+")].history_change_reason == "员工调离"
    assert co_rows[(new_co.pk, "+")].history_user == world["director"]


def test_a_handover_reason_is_on_every_row_it_writes(world):
    # The director's reason ("员工调离", handed over to…) must explain every change of the handover,
    # the co-managers added as much as the ones removed and the owner changed (STYLE.md §7).
    a = world["a"]
    services.customer_assign_keepers(
        actor=world["director"],
        customer_id=a.pk,
        owner=world["other_manager"],
        co_owners=[world["granted_manager"]],
        reason="员工调离",
    )
    rows = CoOwner.history.filter(customer_id=a.pk, history_user=world["director"])
    reasons = {(row.user_id, row.history_type): row.history_change_reason for row in rows}
    assert reasons == {
        (world["co_owner"].pk, "-"): "员工调离",
        (world["granted_manager"].pk, "+"): "员工调离",
    }
    assert last_trail(a).history_change_reason == "员工调离"


def test_handover_default_reasons(world):
    a = world["a"]
    services.customer_assign_keepers(actor=world["director"], customer_id=a.pk, owner=world["other_manager"])
    assert last_trail(a).history_change_reason == gettext("Account manager changed")
    removed = CoOwner.history.get(customer_id=a.pk, history_type="-")
    assert removed.history_change_reason == gettext("Co-manager removed")


def test_a_co_owner_promoted_to_owner_keeps_the_rights(world):
    a = world["a"]
    services.customer_assign_keepers(actor=world["director"], customer_id=a.pk, owner=world["co_owner"])
    a.refresh_from_db()
    assert a.owner == world["co_owner"]
    assert not a.co_owners.exists()
    assert permissions.can(world["co_owner"], Action.CHANGE, a)
    assert not permissions.can(world["owner"], Action.VIEW, a)


def test_reassigning_the_same_keepers_changes_nothing(world):
    a = world["a"]
    before = everything_written()
    services.customer_assign_keepers(
        actor=world["director"], customer_id=a.pk, owner=world["owner"], co_owners=[world["co_owner"]]
    )
    assert everything_written() == before
    assert permissions.can(world["co_owner"], Action.CHANGE, a)


def test_a_handover_leaves_other_grants_alone(world):
    a = world["a"]
    services.customer_assign_keepers(actor=world["director"], customer_id=a.pk, owner=world["other_manager"])
    assert permissions.can(world["granted_manager"], Action.VIEW, a)
    assert permissions.can(world["group_clerk"], Action.VIEW, a)


@pytest.mark.parametrize("role", ["owner", "co_owner", "archivist", "other_manager", "clerk"])
def test_only_the_director_hands_customers_over(world, role):
    a = world["a"]
    before = everything_written()
    with pytest.raises(PermissionDenied):
        services.customer_assign_keepers(actor=world[role], customer_id=a.pk, owner=world[role])
    a.refresh_from_db()
    assert a.owner == world["owner"]
    assert everything_written() == before
    assert not permissions.can(world["other_manager"], Action.VIEW, a)


@pytest.mark.parametrize("who", ["owner", "co_owner"])
def test_a_clerk_cannot_become_a_keeper(world, who):
    a = world["a"]
    before = everything_written()
    kwargs = {"owner": world["clerk"]} if who == "owner" else {"owner": world["owner"], "co_owners": [world["clerk"]]}
    with pytest.raises(ValidationError):
        services.customer_assign_keepers(actor=world["director"], customer_id=a.pk, **kwargs)
    a.refresh_from_db()
    assert a.owner == world["owner"]
    assert everything_written() == before
    assert not permissions.can(world["clerk"], Action.VIEW, a)
    assert permissions.can(world["co_owner"], Action.CHANGE, a)


def test_an_inactive_manager_cannot_become_a_keeper(world):
    leaver = world["other_manager"]
    leaver.is_active = False
    leaver.save()
    with pytest.raises(ValidationError):
        services.customer_assign_keepers(actor=world["director"], customer_id=world["a"].pk, owner=leaver)
    world["a"].refresh_from_db()
    assert world["a"].owner == world["owner"]


# ---- Records on the card -------------------------------------------------------------------------------------


def _contact(actor, customer):
    return services.contact_create(
        actor=actor,
        customer_id=customer.pk,
        data={"name": "李采购", "title": "采购部经理", "department_role": "purchasing"},
    )


def _interaction(actor, customer):
    return services.interaction_create(
        actor=actor,
        customer_id=customer.pk,
        data={"kind": InteractionKind.VISIT, "occurred_on": datetime.date(2026, 3, 2), "subject": "年度拜访"},
    )


def _attachment(actor, customer):
    return services.attachment_create(
        actor=actor,
        customer_id=customer.pk,
        upload=upload("合同.pdf", pdf_bytes(), "application/pdf"),
        kind=AttachmentKind.SIGNED_FORM,
        title="签字表",
    )


RECORD_MAKERS = {
    "contact": (_contact, Contact, "Contact added"),
    "interaction": (_interaction, Interaction, "Interaction recorded"),
    "attachment": (_attachment, Attachment, "Attachment uploaded"),
}


@pytest.mark.parametrize("record", RECORD_MAKERS)
@pytest.mark.parametrize("role", ["owner", "co_owner", "director"])
def test_keepers_add_records_with_a_trail(world, role, record):
    make, model, reason = RECORD_MAKERS[record]
    created = make(world[role], world["a"])
    assert created.customer == world["a"]
    (row,) = model.history.filter(id=created.pk)
    assert row.history_type == "+"
    assert row.history_user == world[role]
    assert row.history_user_name == world[role].username
    assert row.history_change_reason == gettext(reason)


@pytest.mark.parametrize("record", RECORD_MAKERS)
@pytest.mark.parametrize(("role", "refusal"), REFUSALS)
def test_records_cannot_be_added_without_change_right(world, role, refusal, record):
    make, model, _reason = RECORD_MAKERS[record]
    before = everything_written()
    with pytest.raises(refusal):
        make(world[role], world["a"])
    assert everything_written() == before
    assert not model.objects.exists()
    assert not model.history.exists()


def test_an_interaction_names_the_actor_as_our_staff_by_default(world):
    interaction = _interaction(world["co_owner"], world["a"])
    assert interaction.staff == world["co_owner"]


def test_an_attachment_keeps_the_file_and_its_checked_type(world):
    attachment = services.attachment_create(
        actor=world["owner"],
        customer_id=world["a"].pk,
        upload=upload("../../营业执照.PNG", image_bytes("PNG"), "text/html"),
        kind=AttachmentKind.BUSINESS_LICENCE,
    )
    attachment.refresh_from_db()
    assert attachment.content_type == "image/png"  # from the content, not from the browser's claim
    assert attachment.size == len(image_bytes("PNG"))
    assert attachment.uploaded_by == world["owner"]
    assert ".." not in attachment.file.name
    assert attachment.file.name.startswith(f"customers/{world['a'].pk}/")
    assert attachment.file.name.endswith(".png")
    with attachment.file.open("rb") as stored:
        assert stored.read() == image_bytes("PNG")


def test_a_bad_attachment_is_not_stored(world):
    with pytest.raises(ValidationError):
        services.attachment_create(
            actor=world["owner"], customer_id=world["a"].pk, upload=upload("x.jpg", b"text"), kind="other"
        )
    assert not Attachment.objects.exists()
    assert not Attachment.history.exists()


def test_contact_update_by_a_keeper_writes_the_trail(world):
    contact = _contact(world["owner"], world["a"])
    services.contact_update(actor=world["co_owner"], contact_id=contact.pk, data={"mobile": "13900000000"})
    contact.refresh_from_db()
    assert contact.mobile == "13900000000"
    row = last_trail(contact)
    assert (row.history_type, row.history_user, row.history_change_reason) == (
        "~",
        world["co_owner"],
        gettext("Contact edited"),
    )


def test_interaction_update_by_a_keeper_writes_the_trail(world):
    interaction = _interaction(world["owner"], world["a"])
    services.interaction_update(actor=world["owner"], interaction_id=interaction.pk, data={"next_step": "寄样品"})
    row = last_trail(interaction)
    assert (row.next_step, row.history_change_reason) == ("寄样品", gettext("Interaction edited"))


# Like customer_update and contact_create, the record services answer 404 for a customer the user cannot see
# and PermissionDenied for one they may only read (services.py: "A service refuses with PermissionDenied what
# the permission gateway refuses"); an ORM DoesNotExist would be a 500 in any caller that does not expect it.
@pytest.mark.parametrize(("role", "refusal"), REFUSALS)
def test_contact_update_refused_without_change_right(world, role, refusal):
    contact = _contact(world["owner"], world["a"])
    before = everything_written()
    with pytest.raises(refusal):
        services.contact_update(actor=world[role], contact_id=contact.pk, data={"name": "篡改"})
    contact.refresh_from_db()
    assert contact.name == "李采购"
    assert everything_written() == before


@pytest.mark.parametrize(("role", "refusal"), REFUSALS)
def test_interaction_update_refused_without_change_right(world, role, refusal):
    interaction = _interaction(world["owner"], world["a"])
    before = everything_written()
    with pytest.raises(refusal):
        services.interaction_update(actor=world[role], interaction_id=interaction.pk, data={"subject": "篡改"})
    interaction.refresh_from_db()
    assert interaction.subject == "年度拜访"
    assert everything_written() == before


def test_a_record_cannot_be_moved_to_another_customer(world):
    contact = _contact(world["owner"], world["a"])
    with pytest.raises(ValueError):
        services.contact_update(actor=world["director"], contact_id=contact.pk, data={"customer": world["b"]})
    contact.refresh_from_db()
    assert contact.customer == world["a"]
