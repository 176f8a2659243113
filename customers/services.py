"""Writes to the archive card. Every one checks rights, validates, saves with the trail, in one transaction.

Services take keyword arguments only, the acting user first. A service refuses with ``PermissionDenied`` what
the permission gateway refuses, re-checking inside the transaction even when the view already looked.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from archive import bulk, filing
from archive.filing import EditConflict  # noqa: F401 - raised by customer_update; callers catch it from here
from archive.history import delete_with_trail, save_with_trail, user_display
from archive.models import FilingRequest
from archive.roles import ACCOUNT_MANAGER, SALES_DIRECTOR

from . import permissions
from .models import AccessRecord, Attachment, Contact, CoOwner, Customer, Interaction, Region
from .permissions import Action
from .validators import validate_attachment

User = get_user_model()

# Fields a card form may write. Ownership, filing state and numbering have services of their own.
CARD_FIELDS = frozenset(
    f.name
    for f in Customer._meta.concrete_fields
    if f.editable
    and f.name not in {"id", "owner", "status", "archive_no", "grade", "sales_grade", "created_at", "updated_at"}
)
# Credit codes looked up per query: under SQLite's limit of 999 parameters, which old versions still have.
CODES_PER_QUERY = 900
# What a document's editor may change; the file itself is never replaced, only filed anew.
ATTACHMENT_FIELDS = frozenset({"kind", "title"})


@dataclass(frozen=True)
class Keepers:
    owner: User
    co_owners: tuple = ()


def _require(user, action: Action, customer: Customer) -> None:
    if not permissions.can(user, action, customer):
        raise PermissionDenied


def _check_keeper(user) -> None:
    """Only active account managers (or directors) can keep customers."""
    if not user.is_active or not user.groups.filter(name__in=[ACCOUNT_MANAGER, SALES_DIRECTOR]).exists():
        raise ValidationError(
            _("%(user)s is not an active account manager and cannot look after customers.")
            % {"user": user_display(user)}
        )


def _apply(instance, data: dict, allowed: Iterable[str]) -> None:
    unknown = set(data) - set(allowed)
    if unknown:
        raise ValueError(f"fields not writable here: {sorted(unknown)}")
    for name, value in data.items():
        setattr(instance, name, value)


@transaction.atomic
def customer_create(*, actor, data: dict, owner=None, co_owners: Iterable = (), reason: str = "") -> Customer:
    """Open a new archive card as a draft. A manager opens cards for themself; a director for any manager."""
    if not actor.has_perm("customers.add_customer"):
        raise PermissionDenied
    owner = owner or actor
    if owner != actor and not permissions.has_global(actor, Action.CHANGE):
        raise PermissionDenied
    _check_keeper(owner)
    customer = Customer(owner=owner)
    _apply(customer, data, CARD_FIELDS)
    save_with_trail(customer, actor=actor, reason=reason or _("Card created"))
    permissions.grant(customer, owner, permissions.KEEPER_ACTIONS, actor=actor, reason=_("Account manager"))
    for user in {u for u in co_owners if u != owner}:
        _add_co_owner(customer, user, actor=actor)
    return customer


@transaction.atomic
def customers_create_many(*, actor, cards: Iterable[tuple[dict, object]], reason: str) -> list[Customer]:
    """Open many draft cards at once (an import), each checked as :func:`customer_create` checks it.

    ``cards`` pairs each card's data with its owner (``None``: the actor). The cards, their historical rows
    (actor and reason named) and their keepers' rights are written in bulk; the credit codes are checked
    against the whole archive, the recycle bin included, in one query. One refused card refuses them all.
    """
    if not actor.has_perm("customers.add_customer"):
        raise PermissionDenied
    checked: set[int] = set()
    customers = []
    # A new card's fields as Customer() gives them, taken once: positional arguments are Model.__init__'s fast
    # path, twice as fast as keywords, which counts at 10,000 cards. Callable defaults are called per card.
    fields = Customer._meta.concrete_fields
    blank = Customer()
    defaults = [getattr(blank, f.attname) for f in fields]
    per_card = [(i, f) for i, f in enumerate(fields) if f.has_default() and callable(f.default)]
    for data, owner in cards:
        owner = owner or actor
        if owner.pk not in checked:
            if owner != actor and not permissions.has_global(actor, Action.CHANGE):
                raise PermissionDenied
            _check_keeper(owner)
            checked.add(owner.pk)
        values = defaults.copy()
        for i, f in per_card:
            values[i] = f.get_default()
        customer = Customer(*values)
        customer.owner = owner
        _apply(customer, data, CARD_FIELDS)
        # The owner is checked above, and the regions and the credit codes (the recycle bin's too) below, for
        # every card at once, instead of a query per card for each. The optional fields the data leaves alone hold
        # their defaults, which are valid: checking them again for every card took as long as writing the card.
        customer.clean_fields(exclude=_UNCHECKED.union(_OPTIONAL.difference(data)))
        customer.normalise()
        customers.append(customer)
    regions = {c.region_id for c in customers if c.region_id is not None}
    missing = regions - set(Region.objects.filter(pk__in=regions).values_list("pk", flat=True))
    if missing:
        field = Customer._meta.get_field("region")
        message = field.error_messages["invalid"] % {
            "model": Region._meta.verbose_name,
            "field": "id",
            "value": min(missing),
            "pk": min(missing),
        }
        raise ValidationError({"region": message}, code="invalid")
    _check_credit_codes_free(customers)
    bulk.create_with_trail(customers, actor=actor, reason=str(reason or _("Card created")))
    permissions.grant_keepers(customers, actor=actor, reason=_("Account manager"))
    return customers


# What customers_create_many leaves to clean_fields: the card fields but the foreign keys, found in bulk; of the
# optional ones only those the data sets.
_UNCHECKED = frozenset(f.name for f in Customer._meta.concrete_fields if f.name not in CARD_FIELDS) | {"region"}
_OPTIONAL = frozenset(f.name for f in Customer._meta.concrete_fields if f.blank) - _UNCHECKED


def _check_credit_codes_free(customers: list[Customer]) -> None:
    codes = [c.credit_code for c in customers if c.credit_code]
    taken = set()
    for start in range(0, len(codes), CODES_PER_QUERY):
        chunk = codes[start : start + CODES_PER_QUERY]
        taken.update(Customer.all_objects.filter(credit_code__in=chunk).values_list("credit_code", flat=True))
    if taken or len(set(codes)) != len(codes):
        raise ValidationError(
            {"credit_code": _("Another card in the archive already has this credit code.")}, code="unique"
        )


@transaction.atomic
def customer_update(
    *, actor, customer_id: int, data: dict, expected_version: int | None = None, reason: str = ""
) -> Customer:
    """Change a draft or returned card; refuse with :class:`EditConflict` if it changed since ``expected_version``.

    A filed card changes only through ``card_change_propose``, a pending one not at all.
    """
    locked = Customer.objects.select_for_update()
    customer = permissions.get_customer_or_404(actor, customer_id, Action.VIEW, queryset=locked)
    _require(actor, Action.CHANGE, customer)
    filing.check_editable(customer)
    filing.check_version(customer, expected_version)
    _apply(customer, data, CARD_FIELDS)
    customer.version += 1
    save_with_trail(customer, actor=actor, reason=reason or _("Card edited"))
    return customer


@transaction.atomic
def card_change_propose(
    *, actor, customer_id: int, data: dict, note: str, expected_version: int | None = None
) -> FilingRequest:
    """Propose a change to a filed card; it waits for the director while the filed card stays as it is."""
    customer = permissions.get_customer_or_404(actor, customer_id, Action.VIEW)
    _require(actor, Action.CHANGE, customer)
    if expected_version is not None and customer.version != expected_version:
        raise ValidationError(
            _("The card changed while you were editing it: reload it and propose your change again."), code="stale"
        )
    _apply(Customer(), data, CARD_FIELDS)  # refuse fields a card form may not write, before anything is asked
    return filing.change_propose(actor=actor, entry=customer, data=data, note=note)


@transaction.atomic
def customer_assign_keepers(*, actor, customer_id: int, owner, co_owners: Iterable = (), reason: str = "") -> Customer:
    """Set the owner and co-owners; their view and change rights move with them, and the trail says so."""
    if not permissions.has_global(actor, Action.CHANGE):
        raise PermissionDenied
    customer = permissions.get_customer_or_404(
        actor, customer_id, Action.CHANGE, queryset=Customer.objects.select_for_update()
    )
    co_owners = {u for u in co_owners if u != owner}
    for user in {owner, *co_owners}:
        _check_keeper(user)
    current = {c.user: c for c in customer.co_ownerships.select_related("user")}
    before = {customer.owner, *current}

    for user, row in current.items():
        if user not in co_owners:
            delete_with_trail(row, actor=actor, reason=reason or _("Co-manager removed"))
    for user in co_owners - set(current):
        _add_co_owner(customer, user, actor=actor, grant=False, reason=reason)
    if customer.owner_id != owner.pk:
        customer.owner = owner
        customer.version += 1
        save_with_trail(customer, actor=actor, reason=reason or _("Account manager changed"))

    after = {owner, *co_owners}
    for user in before - after:
        permissions.revoke(customer, user, permissions.KEEPER_ACTIONS, actor=actor, reason=reason)
    for user in after:
        permissions.grant(customer, user, permissions.KEEPER_ACTIONS, actor=actor, reason=reason)
    return customer


def _add_co_owner(customer: Customer, user, *, actor, grant: bool = True, reason: str = "") -> CoOwner:
    _check_keeper(user)
    row = save_with_trail(CoOwner(customer=customer, user=user), actor=actor, reason=reason or _("Co-manager added"))
    if grant:
        permissions.grant(customer, user, permissions.KEEPER_ACTIONS, actor=actor, reason=_("Co-manager added"))
    return row


# ---- Records on the card -----------------------------------------------------------------------------

CONTACT_FIELDS = frozenset(f.name for f in Contact._meta.concrete_fields if f.editable) - {
    "id",
    "customer",
    "created_at",
    "updated_at",
}
INTERACTION_FIELDS = frozenset(f.name for f in Interaction._meta.concrete_fields if f.editable) - {
    "id",
    "customer",
    "created_at",
    "updated_at",
}


def _locked_customer(actor, customer_id: int) -> Customer:
    customer = permissions.get_customer_or_404(
        actor, customer_id, Action.VIEW, queryset=Customer.objects.select_for_update()
    )
    _require(actor, Action.CHANGE, customer)
    return customer


def _locked_record(actor, model, pk):
    """A record on a card, locked: 404 if its customer is unseen, refused if seen but not changeable."""
    try:
        record = permissions.restrict_related(model.objects.select_for_update(), actor).get(pk=pk)
    except model.DoesNotExist:
        raise Http404 from None
    _require(actor, Action.CHANGE, record.customer)
    return record


def _our_staff(actor, customer: Customer, staff):
    """Who met the customer on our side: the actor by default; a manager may name only the card's keepers."""
    if staff is None:
        return actor
    keepers = {customer.owner_id, actor.pk, *customer.co_ownerships.values_list("user_id", flat=True)}
    if staff.pk not in keepers and not permissions.has_global(actor, Action.CHANGE):
        raise ValidationError(
            {"staff": _("Only the customer's account managers can be named as our staff.")}, code="staff"
        )
    return staff


@transaction.atomic
def contact_create(*, actor, customer_id: int, data: dict) -> Contact:
    customer = _locked_customer(actor, customer_id)
    contact = Contact(customer=customer)
    _apply(contact, data, CONTACT_FIELDS)
    return save_with_trail(contact, actor=actor, reason=_("Contact added"))


@transaction.atomic
def contact_update(*, actor, contact_id: int, data: dict) -> Contact:
    contact = _locked_record(actor, Contact, contact_id)
    _apply(contact, data, CONTACT_FIELDS)
    return save_with_trail(contact, actor=actor, reason=_("Contact edited"))


@transaction.atomic
def interaction_create(*, actor, customer_id: int, data: dict) -> Interaction:
    customer = _locked_customer(actor, customer_id)
    interaction = Interaction(customer=customer)
    data = {**data, "staff": _our_staff(actor, customer, data.get("staff"))}
    _apply(interaction, data, INTERACTION_FIELDS)
    return save_with_trail(interaction, actor=actor, reason=_("Interaction recorded"))


@transaction.atomic
def interaction_update(*, actor, interaction_id: int, data: dict) -> Interaction:
    interaction = _locked_record(actor, Interaction, interaction_id)
    if "staff" in data:
        data = {**data, "staff": _our_staff(actor, interaction.customer, data["staff"])}
    _apply(interaction, data, INTERACTION_FIELDS)
    return save_with_trail(interaction, actor=actor, reason=_("Interaction edited"))


def attachment_create(*, actor, customer_id: int, upload: UploadedFile, kind: str, title: str = "") -> Attachment:
    """Store a checked document on the card. The file is written only once the database row is certain."""
    content_type = validate_attachment(upload)
    with transaction.atomic():
        customer = _locked_customer(actor, customer_id)
        attachment = Attachment(
            customer=customer,
            kind=kind,
            title=title or upload.name,
            original_name=upload.name[:200],
            content_type=content_type,
            size=upload.size,
            uploaded_by=actor,
        )
        attachment.file.save(upload.name, upload, save=False)
        try:
            save_with_trail(attachment, actor=actor, reason=_("Attachment uploaded"))
        except Exception:
            attachment.file.delete(save=False)
            raise
    return attachment


@transaction.atomic
def attachment_update(*, actor, attachment_id: int, data: dict) -> Attachment:
    """Retitle or reclassify a draft or returned document (a filed one goes through a change request)."""
    attachment = _locked_record(actor, Attachment, attachment_id)
    filing.check_editable(attachment)
    _apply(attachment, data, ATTACHMENT_FIELDS)
    attachment.version += 1
    return save_with_trail(attachment, actor=actor, reason=_("Attachment edited"))


@transaction.atomic
def attachment_change_propose(*, actor, attachment_id: int, data: dict, note: str) -> FilingRequest:
    attachment = _locked_record(actor, Attachment, attachment_id)
    return filing.change_propose(actor=actor, entry=attachment, data=data, note=note)


# ---- The access register (查阅登记) -------------------------------------------------------------------


def access_record(
    *,
    user,
    action: str,
    customer: Customer | None = None,
    what: str = "",
    query: str = "",
    row_count: int | None = None,
    address: str | None = None,
) -> AccessRecord:
    """Register one reading of the archive: an opened card, a downloaded document or an export."""
    return AccessRecord.objects.create(
        user=user,
        user_name=user_display(user),
        action=action,
        customer=customer,
        what=what[:200],
        query=query,
        row_count=row_count,
        address=address or None,
    )
