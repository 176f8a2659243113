"""Writes to contracts, orders and the product catalogue. Each checks rights, validates and saves with the trail.

Contracts and orders are archive entries (:mod:`archive.filing`): authors edit drafts and returned entries here;
a filed one changes only through a change request, which the director approves. An order's lines belong to the
order: they are written with it, while it is a draft, and its total is always the sum of their amounts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from archive import filing
from archive.history import delete_with_trail, save_with_trail
from archive.models import FilingRequest
from customers import permissions
from customers.permissions import Action
from customers.validators import validate_attachment

from .models import Contract, Order, OrderLine, Product

PRODUCT_FIELDS = frozenset({"code", "name", "specification", "unit", "category", "list_price", "is_active"})
# What an author writes and a change request may change; the file is replaced only while the contract is a draft.
CONTRACT_FIELDS = frozenset({"number", "title", "signed_on", "starts_on", "ends_on", "amount", "state", "note"})
# An order's header; its lines are fixed once it is filed (the filed order is the sales record).
ORDER_FIELDS = frozenset({"contract", "reference", "ordered_on", "settlement", "note"})
LINE_FIELDS = ("product", "specification", "quantity", "unit_price", "discount")
OVERRIDE_PERMISSION = "contracts.override_order_checks"

# Checks the categories built on orders run on every save of an order, once its total is known (credit checks
# the customer's limit). ``check(order, actor=…, override_reason=…)`` raises ``ValidationError`` to refuse the
# save; a holder of OVERRIDE_PERMISSION who gives a reason may let it through, and the check records that.
ORDER_CHECKS: list[Callable[..., None]] = []


def register_order_check(check: Callable[..., None]) -> None:
    if check not in ORDER_CHECKS:
        ORDER_CHECKS.append(check)


def _apply(instance, data: Mapping, allowed: Iterable[str]) -> None:
    unknown = set(data) - set(allowed)
    if unknown:
        raise ValueError(f"fields not writable here: {sorted(unknown)}")
    for name, value in data.items():
        setattr(instance, name, value)


def _entry_to_change(actor, model, pk):
    """A contract or order, locked, if ``actor`` may change its customer (404 if unseen)."""
    try:
        entry = permissions.restrict_related(model.objects.select_for_update(), actor).get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not permissions.can(actor, Action.CHANGE, entry.customer):
        raise PermissionDenied
    return entry


# ---- Products -----------------------------------------------------------------------------------------------


def _require_perm(actor, perm: str) -> None:
    if not (actor.is_active and actor.has_perm(perm)):
        raise PermissionDenied(_("Only the director and the archivist keep the product catalogue."))


@transaction.atomic
def product_create(*, actor, data: Mapping) -> Product:
    _require_perm(actor, "contracts.add_product")
    product = Product()
    _apply(product, data, PRODUCT_FIELDS)
    return save_with_trail(product, actor=actor, reason=_("Product added to the catalogue"))


@transaction.atomic
def product_update(*, actor, product_id: int, data: Mapping) -> Product:
    _require_perm(actor, "contracts.change_product")
    product = Product.objects.select_for_update().get(pk=product_id)
    _apply(product, data, PRODUCT_FIELDS)
    return save_with_trail(product, actor=actor, reason=_("Product edited"))


# ---- Contracts ----------------------------------------------------------------------------------------------


def _attach_file(contract: Contract, upload: UploadedFile) -> None:
    contract.content_type = validate_attachment(upload)
    contract.original_name = upload.name[:200]
    contract.file.save(upload.name, upload, save=False)


def _save_contract(contract: Contract, *, actor, reason: str, upload: UploadedFile | None) -> Contract:
    """Save, writing the file only once the row is certain and removing it again if the save fails."""
    old_file = contract.file.name if upload is not None else ""
    if upload is not None:
        _attach_file(contract, upload)
    try:
        save_with_trail(contract, actor=actor, reason=reason)
    except Exception:
        if upload is not None:
            contract.file.delete(save=False)
        raise
    if old_file:
        # The draft's earlier file is no longer the contract's: remove it once the new one is committed.
        storage = contract.file.storage
        transaction.on_commit(lambda: storage.delete(old_file))
    return contract


@transaction.atomic
def contract_create(*, actor, customer_id: int, data: Mapping, upload: UploadedFile | None = None) -> Contract:
    """Enter a contract as a draft on a customer the actor keeps."""
    customer = permissions.customer_to_change(actor, customer_id)
    contract = Contract(customer=customer, created_by=actor)
    _apply(contract, data, CONTRACT_FIELDS)
    return _save_contract(contract, actor=actor, reason=_("Contract entered"), upload=upload)


@transaction.atomic
def contract_update(
    *,
    actor,
    contract_id: int,
    data: Mapping,
    upload: UploadedFile | None = None,
    expected_version: int | None = None,
) -> Contract:
    """Change a draft or returned contract (a filed one goes through :func:`contract_change_propose`)."""
    contract = _entry_to_change(actor, Contract, contract_id)
    filing.check_editable(contract)
    filing.check_version(contract, expected_version)
    _apply(contract, data, CONTRACT_FIELDS)
    contract.version += 1
    return _save_contract(contract, actor=actor, reason=_("Contract edited"), upload=upload)


@transaction.atomic
def contract_change_propose(*, actor, contract_id: int, data: Mapping, note: str) -> FilingRequest:
    contract = _entry_to_change(actor, Contract, contract_id)
    _apply(Contract(), data, CONTRACT_FIELDS)
    return filing.change_propose(actor=actor, entry=contract, data=dict(data), note=note)


# ---- Orders -------------------------------------------------------------------------------------------------


def _check_contract(order: Order) -> None:
    if order.contract_id and order.contract.customer_id != order.customer_id:
        raise ValidationError({"contract": _("The contract belongs to another customer.")}, code="contract")


def _write_lines(order: Order, lines: list[Mapping], *, actor, reason: str) -> Decimal:
    """Make the order's lines exactly ``lines``, in order; a line saved unchanged leaves no trail. The total."""
    if not lines:
        raise ValidationError(_("An order needs at least one line."), code="no_lines")
    existing = list(order.lines.select_for_update().order_by("position", "id"))
    errors = {}
    total = Decimal("0.00")
    for position, values in enumerate(lines, start=1):
        line = existing[position - 1] if position <= len(existing) else OrderLine(order=order)
        before = {name: getattr(line, name, None) for name in ("position", "amount", *LINE_FIELDS)} if line.pk else None
        _apply(line, values, LINE_FIELDS)
        line.position = position
        line.discount = line.discount if line.discount is not None else Decimal(0)
        line.specification = line.specification or ""
        if line.quantity is not None and line.unit_price is not None:
            line.amount = OrderLine.line_amount(line.quantity, line.unit_price, line.discount)
        try:
            line.full_clean(exclude=["order"])
        except ValidationError as exc:
            errors[position] = exc
            continue
        if before is None or any(getattr(line, name) != value for name, value in before.items()):
            save_with_trail(line, actor=actor, reason=reason, clean=False)
        total += line.amount
    if errors:
        raise ValidationError(
            [
                ValidationError(
                    _("Line %(position)s: %(problem)s"), params={"position": p, "problem": " ".join(e.messages)}
                )
                for p, e in errors.items()
            ]
        )
    for line in existing[len(lines) :]:
        delete_with_trail(line, actor=actor, reason=reason)
    return total


def _save_order(order: Order, lines: list[Mapping], *, actor, reason: str, override_reason: str = "") -> Order:
    order.full_clean(exclude=["total"])
    _check_contract(order)
    if override_reason.strip() and not actor.has_perm(OVERRIDE_PERMISSION):
        raise PermissionDenied(_("Only the sales director may let an order through a refused check."))
    if order.pk is None:
        order.total = Decimal("0.00")
        save_with_trail(order, actor=actor, reason=reason, clean=False)
    order.total = _write_lines(order, lines, actor=actor, reason=reason)
    for check in ORDER_CHECKS:
        check(order, actor=actor, override_reason=override_reason.strip())
    return save_with_trail(order, actor=actor, reason=reason, clean=False)


@transaction.atomic
def order_create(*, actor, customer_id: int, data: Mapping, lines: list[Mapping], override_reason: str = "") -> Order:
    """Enter an order with its lines as a draft on a customer the actor keeps."""
    customer = permissions.customer_to_change(actor, customer_id)
    order = Order(customer=customer, created_by=actor)
    _apply(order, data, ORDER_FIELDS)
    return _save_order(order, list(lines), actor=actor, reason=_("Order entered"), override_reason=override_reason)


@transaction.atomic
def order_update(
    *,
    actor,
    order_id: int,
    data: Mapping,
    lines: list[Mapping],
    expected_version: int | None = None,
    override_reason: str = "",
) -> Order:
    """Change a draft or returned order and its lines (a filed one goes through :func:`order_change_propose`)."""
    order = _entry_to_change(actor, Order, order_id)
    filing.check_editable(order)
    filing.check_version(order, expected_version)
    _apply(order, data, ORDER_FIELDS)
    order.version += 1
    return _save_order(order, list(lines), actor=actor, reason=_("Order edited"), override_reason=override_reason)


@transaction.atomic
def order_change_propose(*, actor, order_id: int, data: Mapping, note: str) -> FilingRequest:
    """Propose a change to a filed order's header (its settlement, date, contract, reference or notes)."""
    order = _entry_to_change(actor, Order, order_id)
    _apply(Order(), data, ORDER_FIELDS)
    if data.get("contract") is not None and data["contract"].customer_id != order.customer_id:
        raise ValidationError({"contract": _("The contract belongs to another customer.")}, code="contract")
    return filing.change_propose(actor=actor, entry=order, data=dict(data), note=note)
