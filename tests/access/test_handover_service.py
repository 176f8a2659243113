"""The staff handover service (access.services.handovers): keepers, rights, open work and the trail, in one go.

``world`` (tests/conftest.py): customer A kept by ``owner`` with ``co_owner``, B by ``other_manager``;
``granted_manager`` and the clerks' group read A. The receivers are account managers made here.
"""

import datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from access.models import Handover, HandoverItem
from access.services import handovers
from access.services.handovers import handover_execute, handover_reason
from archive import filing, roles
from archive.models import FilingRequest
from archive.registry import HandoverStep, registry
from complaints import services as complaint_services
from complaints.models import Complaint, WinBackPlan
from contracts.models import Contract, Order
from credit import services as credit_services
from credit.models import CreditApplication
from customers import permissions
from customers import services as customer_services
from customers.models import CoOwner, Customer, CustomerUserObjectPermission
from customers.permissions import Action

from ..complaints.conftest import churn_data, complaint_data
from ..contracts.conftest import filed_a, make_contract, order_lines, products  # noqa: F401 - fixtures shared
from ..credit.conftest import scores
from ..factories import PASSWORD, make_customer, make_user
from ..helpers import error_codes, file_through_approval

pytestmark = pytest.mark.django_db


@pytest.fixture
def named(world):
    """Names as the trail shows them: the departing owner 张三, the director 赵总."""
    for key, name in (("owner", "张三"), ("co_owner", "钱七"), ("director", "赵总")):
        world[key].first_name = name
        world[key].save()
    return world


@pytest.fixture
def receiver(db):
    return make_user("receiver", roles.ACCOUNT_MANAGER, first_name="李四")


@pytest.fixture
def second_receiver(db):
    return make_user("receiver2", roles.ACCOUNT_MANAGER, first_name="王五")


def keepers(customer) -> tuple:
    customer = Customer.objects.get(pk=customer.pk)
    return customer.owner_id, set(CoOwner.objects.filter(customer=customer).values_list("user_id", flat=True))


def last_reason(instance) -> str:
    return instance.history.order_by("-history_id").first().history_change_reason


def execute(world, assignments, **kwargs):
    kwargs.setdefault("from_user", world["owner"])
    return handover_execute(actor=world["director"], assignments=assignments, **kwargs)


# ---- The card: owner and co-owners ----------------------------------------------------------------------------


def test_owner_handover_moves_the_card_the_rights_and_names_the_handover(named, receiver):
    a, owner = named["a"], named["owner"]
    version = a.version

    handover = execute(named, {a.pk: receiver}, note="调往华南区")

    assert keepers(a) == (receiver.pk, {named["co_owner"].pk})
    a.refresh_from_db()
    assert a.version == version  # the card's fields did not change: a change request waiting stays valid
    assert permissions.can(receiver, Action.CHANGE, a)
    assert not permissions.can(owner, Action.VIEW, a)
    assert permissions.can(named["co_owner"], Action.CHANGE, a)
    reason = handover_reason(handover, "李四")
    assert f"#{handover.pk}" in reason and "张三" in reason and "李四" in reason
    assert last_reason(a) == reason
    assert a.history.order_by("-history_id").first().history_user_name == "赵总"
    assert (handover.from_user, handover.from_name, handover.performed_by, handover.performed_by_name) == (
        owner,
        "张三",
        named["director"],
        "赵总",
    )
    assert handover.note == "调往华南区" and not handover.deactivated
    item = handover.items.get()
    assert (item.customer, item.customer_name, item.role, item.to_user, item.to_name) == (
        a,
        a.name,
        HandoverItem.Role.OWNER,
        receiver,
        "李四",
    )


def test_co_owner_handover_replaces_the_co_manager_and_leaves_the_owner(named, receiver):
    a, co_owner = named["a"], named["co_owner"]

    handover = execute(named, {a.pk: receiver}, from_user=co_owner)

    assert keepers(a) == (named["owner"].pk, {receiver.pk})
    assert not permissions.can(co_owner, Action.VIEW, a)
    assert permissions.can(receiver, Action.CHANGE, a)
    assert handover.items.get().role == HandoverItem.Role.CO_OWNER
    reason = handover_reason(handover, "李四")
    # The card itself records the handover, though only a co-manager changed; so do the co-manager rows.
    assert last_reason(a) == reason
    removed = CoOwner.history.filter(customer_id=a.pk, user_id=co_owner.pk, history_type="-").get()
    assert removed.history_change_reason == reason
    assert (
        CoOwner.history.filter(customer_id=a.pk, user_id=receiver.pk, history_type="+").get().history_change_reason
        == reason
    )


def test_receiver_already_co_owner_becomes_owner_and_holds_one_place(named):
    a, co_owner = named["a"], named["co_owner"]

    execute(named, {a.pk: co_owner})

    assert keepers(a) == (co_owner.pk, set())
    assert permissions.can(co_owner, Action.CHANGE, a)
    assert not permissions.can(named["owner"], Action.VIEW, a)


def test_departing_co_owner_handing_to_the_owner_adds_no_co_manager(named):
    a, owner = named["a"], named["owner"]

    handover = execute(named, {a.pk: owner}, from_user=named["co_owner"])

    assert keepers(a) == (owner.pk, set())
    assert permissions.can(owner, Action.CHANGE, a)
    assert last_reason(Customer.objects.get(pk=a.pk)) == handover_reason(handover, "张三")


def test_partial_handover_leaves_the_other_customers_with_the_manager(named, receiver):
    owner = named["owner"]
    c = make_customer(owner)

    execute(named, [(named["a"], receiver)])

    assert keepers(c) == (owner.pk, set())
    assert permissions.can(owner, Action.CHANGE, c)
    assert list(permissions.customers_kept_by(owner)) == [c]
    assert owner.is_active


def test_several_receivers_each_get_their_customers_and_every_card_names_the_handover(named, receiver, second_receiver):
    owner = named["owner"]
    c = make_customer(owner)
    d = make_customer(owner, co_owners=[receiver])

    handover = execute(named, {named["a"].pk: receiver, c.pk: second_receiver, d.pk: second_receiver})

    assert keepers(c)[0] == second_receiver.pk and keepers(d) == (second_receiver.pk, {receiver.pk})
    assert not permissions.customers_kept_by(owner).exists()
    for customer, name in ((named["a"], "李四"), (c, "王五"), (d, "王五")):
        assert last_reason(Customer.objects.get(pk=customer.pk)) == handover_reason(handover, name)
    assert handover.items.count() == 3


# ---- Deactivation -----------------------------------------------------------------------------------------------


def test_deactivation_is_refused_while_customers_would_remain(named, receiver, client):
    owner = named["owner"]
    make_customer(owner)
    make_customer(owner)

    with pytest.raises(ValidationError) as refused:
        execute(named, {named["a"].pk: receiver}, deactivate=True)

    assert error_codes(refused.value) == {"customers_remain"}
    assert "2" in refused.value.messages[0]
    assert keepers(named["a"])[0] == owner.pk
    assert not Handover.objects.exists()
    owner.refresh_from_db()
    assert owner.is_active


def test_deactivation_when_everything_goes_closes_the_account(named, receiver, second_receiver, client):
    owner = named["owner"]
    c = make_customer(owner)
    client.force_login(owner)

    handover = execute(named, {named["a"].pk: receiver, c.pk: second_receiver}, deactivate=True)

    owner.refresh_from_db()
    assert not owner.is_active and handover.deactivated
    assert not client.login(username=owner.username, password=PASSWORD)
    # A session opened before is no longer honoured either.
    response = client.get("/customers/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_deactivation_takes_back_rights_lent_to_the_departing_manager(named, receiver):
    owner, b = named["owner"], named["b"]
    permissions.grant(b, owner, actor=named["director"], until=timezone.now() + datetime.timedelta(days=7))
    assert permissions.can(owner, Action.VIEW, b)

    execute(named, {named["a"].pk: receiver}, deactivate=True)

    assert not CustomerUserObjectPermission.objects.filter(user=owner).exists()
    assert permissions.can(named["other_manager"], Action.CHANGE, b)


def test_rights_lent_elsewhere_stay_when_the_account_stays(named, receiver):
    owner, b = named["owner"], named["b"]
    permissions.grant(b, owner, actor=named["director"], until=timezone.now() + datetime.timedelta(days=7))

    execute(named, {named["a"].pk: receiver})

    assert permissions.can(owner, Action.VIEW, b)
    assert not CustomerUserObjectPermission.objects.filter(user=owner, content_object=named["a"]).exists()


def test_a_lent_right_of_the_receiver_becomes_a_standing_one(named, receiver):
    a = named["a"]
    permissions.grant(a, receiver, actor=named["director"], until=timezone.now() + datetime.timedelta(days=1))

    execute(named, {a.pk: receiver})

    rights = CustomerUserObjectPermission.objects.filter(user=receiver, content_object=a)
    assert {r.permission.codename for r in rights} == {"view_customer", "change_customer"}
    assert all(r.expires_at is None for r in rights)


# ---- Open work moves with the customer ---------------------------------------------------------------------------


@pytest.fixture
def open_work(named, products, filed_a):  # noqa: F811
    """On filed A, by the departing owner: a draft contract, a pending order, a filed order, a draft credit
    application, an open complaint they handle and a closed one, a win-back plan they lead, and a change to the
    card waiting for the director."""
    owner, director, a = named["owner"], named["director"], filed_a
    draft_contract = make_contract(owner, a, "HT-2026-0900", "框架合同", datetime.date(2026, 1, 8), "1000.00")
    pending_order = _order(owner, a, products)
    filing.entry_submit(actor=owner, entry=pending_order)
    filed_order = file_through_approval(_order(owner, a, products), author=owner, decider=director)
    application = credit_services.application_create(
        actor=owner,
        customer_id=a.pk,
        data={
            "requested_limit": Decimal("5000.00"),
            "terms_days": 30,
            "payment_method": "transfer",
            "guarantee": "",
            **scores(),
        },
    )
    complaint = complaint_services.complaint_create(actor=owner, customer_id=a.pk, data=complaint_data(handler=owner))
    closed = complaint_services.complaint_create(
        actor=owner, customer_id=a.pk, data=complaint_data(handler=owner, subject="已处理")
    )
    complaint_services.complaint_close(
        actor=owner,
        complaint_id=closed.pk,
        data={
            "result": "已更换",
            "responsibility": "production",
            "responsibility_note": "",
            "satisfaction": 4,
            "closed_on": timezone.localdate(),
        },
    )
    churn = complaint_services.churn_create(actor=owner, customer_id=a.pk, data=churn_data())
    plan = complaint_services.plan_save(
        actor=owner,
        churn_id=churn.pk,
        data={
            "next_steps": "拜访",
            "target_on": timezone.localdate() + datetime.timedelta(days=7),
            "responsible": owner,
        },
    )
    change = customer_services.card_change_propose(
        actor=owner, customer_id=a.pk, data={"phone": "021-12345678"}, note="电话变更"
    )
    return {
        "a": a,
        "draft_contract": draft_contract,
        "pending_order": pending_order,
        "filed_order": filed_order,
        "application": application,
        "complaint": complaint,
        "closed": closed,
        "churn": churn,
        "plan": plan,
        "change": change,
    }


def _order(author, customer, products):  # noqa: F811
    from contracts import services as contract_services

    return contract_services.order_create(
        actor=author,
        customer_id=customer.pk,
        data={"ordered_on": datetime.date(2026, 3, 2)},
        lines=order_lines(products, ("P-100", "1", "100.00", "0")),
    )


def test_waiting_requests_drafts_complaints_and_plans_go_to_the_receiver(named, receiver, open_work):
    owner, director = named["owner"], named["director"]
    pending_requests = set(
        FilingRequest.objects.filter(author=owner, state=FilingRequest.State.PENDING).values_list("pk", flat=True)
    )
    assert len(pending_requests) == 2  # the pending order and the change to the card

    handover = execute(named, {open_work["a"].pk: receiver})
    reason = handover_reason(handover, "李四")

    moved_requests = FilingRequest.objects.filter(pk__in=pending_requests)
    assert {(r.author_id, r.author_name) for r in moved_requests} == {(receiver.pk, "李四")}
    for model, key in (
        (Contract, "draft_contract"),
        (Order, "pending_order"),
        (CreditApplication, "application"),
    ):
        entry = model.objects.get(pk=open_work[key].pk)
        assert entry.created_by == receiver, key
        assert last_reason(entry) == reason, key
    complaint = Complaint.objects.get(pk=open_work["complaint"].pk)
    assert complaint.handler == receiver and complaint.created_by == receiver
    assert last_reason(complaint) == reason
    plan = WinBackPlan.objects.get(pk=open_work["plan"].pk)
    assert plan.responsible == receiver and last_reason(plan) == reason
    # What is done keeps who did it.
    assert Order.objects.get(pk=open_work["filed_order"].pk).created_by == owner
    closed = Complaint.objects.get(pk=open_work["closed"].pk)
    assert closed.handler == owner
    assert handover.items.get().moved == {
        "archive.filingrequest": 2,
        "contracts.contract": 1,
        "contracts.order": 1,
        "credit.creditapplication": 1,
        "complaints.complaint": 2,  # the open one handled, and the closed one still a draft of its author
        "complaints.winbackplan": 1,
        "complaints.churnrecord": 1,
    }
    assert Complaint.objects.get(pk=open_work["closed"].pk).created_by == receiver

    # The director's decisions now reach the receiver, and the card's change is not stale.
    filing.request_approve(actor=director, request_id=open_work["change"].pk)
    assert Customer.objects.get(pk=open_work["a"].pk).phone == "021-12345678"
    assert receiver.notifications.filter(request=open_work["change"]).exists()


# ---- Refusals -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["owner", "other_manager", "archivist", "clerk", "granted_manager"])
def test_only_the_director_hands_over(named, receiver, role):
    with pytest.raises(PermissionDenied):
        handover_execute(actor=named[role], from_user=named["owner"], assignments={named["a"].pk: receiver})
    assert keepers(named["a"])[0] == named["owner"].pk
    assert not Handover.objects.exists()


def test_refusals_name_what_is_wrong_and_write_nothing(named, receiver):
    a, b, owner = named["a"], named["b"], named["owner"]
    inactive = make_user("gone", roles.ACCOUNT_MANAGER, is_active=False)
    clerk = named["clerk"]
    cases = [
        ({}, "no_customer"),
        ({b.pk: receiver}, "not_kept"),  # B is other_manager's
        ({a.pk: owner}, "receiver_is_leaving"),
        ({a.pk: inactive}, None),
        ({a.pk: clerk}, None),
    ]
    for assignments, code in cases:
        with pytest.raises(ValidationError) as refused:
            execute(named, assignments)
        if code:
            assert error_codes(refused.value) == {code}, assignments
    with pytest.raises(ValidationError) as refused:
        execute(named, [(a, receiver), (a.pk, named["co_owner"])])
    assert error_codes(refused.value) == {"two_receivers"}
    with pytest.raises(ValidationError) as refused:
        handover_execute(
            actor=named["director"], from_user=named["director"], assignments={a.pk: receiver}, deactivate=True
        )
    assert error_codes(refused.value) == {"deactivate_self"}
    assert keepers(a) == (owner.pk, {named["co_owner"].pk})
    assert not Handover.objects.exists()


# ---- Everything or nothing ---------------------------------------------------------------------------------------


def snapshot() -> dict:
    """Everything a handover writes: keepers, rights, request authors, open work, trails, accounts, handovers."""
    historical = [m for m in apps.get_models() if m.__name__.startswith("Historical")]
    return {
        "owners": dict(Customer.all_objects.values_list("pk", "owner_id")),
        "versions": dict(Customer.all_objects.values_list("pk", "version")),
        "co_owners": set(CoOwner.objects.values_list("customer_id", "user_id")),
        "rights": set(
            CustomerUserObjectPermission.objects.values_list(
                "content_object_id", "user_id", "permission__codename", "expires_at"
            )
        ),
        "requests": set(FilingRequest.objects.values_list("pk", "author_id", "author_name", "state")),
        "contracts": set(Contract.all_objects.values_list("pk", "created_by_id")),
        "orders": set(Order.all_objects.values_list("pk", "created_by_id")),
        "applications": set(CreditApplication.all_objects.values_list("pk", "created_by_id")),
        "complaints": set(Complaint.all_objects.values_list("pk", "handler_id", "created_by_id")),
        "plans": set(WinBackPlan.objects.values_list("pk", "responsible_id")),
        "history": {m.__name__: m.objects.count() for m in historical},
        "active": dict(
            apps.get_model("auth", "User").objects.values_list("pk", "is_active"),
        ),
        "handovers": (Handover.objects.count(), HandoverItem.objects.count()),
    }


def _break_rights(monkeypatch, victim):
    """The rights move after every card was handed: it writes its rows, then the database fails."""
    real = permissions.hand_over_rights

    def hand_over_rights(moves, *args, **kwargs):
        real(moves, *args, **kwargs)
        if victim.pk in moves:
            raise RuntimeError("the database went away")

    monkeypatch.setattr(permissions, "hand_over_rights", hand_over_rights)


def _break_card(monkeypatch, victim):
    """The second card's save fails, after the first card, its co-managers and its trail were written."""
    real = handovers.save_with_trail

    def save_with_trail(instance, **kwargs):
        if isinstance(instance, Customer) and instance.pk == victim.pk:
            raise RuntimeError("the disk is full")
        return real(instance, **kwargs)

    monkeypatch.setattr(handovers, "save_with_trail", save_with_trail)


def _break_step(monkeypatch, victim):
    def run(*, customer_ids, **kwargs):
        if victim.pk in customer_ids:
            raise RuntimeError("the step failed")
        return {}

    monkeypatch.setitem(registry._handover_steps, "broken", HandoverStep("broken", run, order=999))


@pytest.mark.parametrize("breaker", [_break_rights, _break_card, _break_step], ids=["rights", "card", "step"])
def test_a_handover_that_fails_halfway_leaves_everything_as_it_was(
    named, receiver, second_receiver, open_work, monkeypatch, breaker
):
    owner = named["owner"]
    second = make_customer(owner, co_owners=[named["co_owner"]])
    complaint_services.complaint_create(actor=owner, customer_id=second.pk, data=complaint_data(handler=owner))
    before = snapshot()
    breaker(monkeypatch, second)  # the second customer handed over (in id order) fails, after the first went through

    with pytest.raises(RuntimeError):
        execute(named, {open_work["a"].pk: receiver, second.pk: second_receiver}, deactivate=True, note="调离")

    assert snapshot() == before
    owner.refresh_from_db()
    assert owner.is_active
    assert permissions.can(owner, Action.CHANGE, open_work["a"]) and not permissions.can(
        receiver, Action.VIEW, open_work["a"]
    )


def test_each_category_registers_its_handover_step():
    assert {"contracts", "credit", "complaints"} <= {step.key for step in registry.handover_steps}
