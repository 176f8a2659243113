"""The filing mechanism (审批入档), written once for every archive category.

An entry of a registered model (``registry.register_filable``; the model derives from ``FiledEntry``) moves:

    draft ──submit──▶ pending ──approve──▶ filed ──change request──▶ (filed, changed once approved)
                        │                    └─────deletion request──▶ recycle bin ──restore──▶ back
                        └──return──▶ returned ──edit, submit──▶ pending …

Authors (the keepers, who may change the entry's customer) write drafts and ask; only a holder of
``archive.decide_filingrequest`` (the sales director) approves or returns, and never their own request.
Every state change is saved through the change trail with the request it came from as its reason, and each
service runs in one transaction that re-reads and locks what it changes.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from .choices import Category, FilingStatus
from .history import FieldChange, compare_versions, describe_changes, diff, save_with_trail, user_display
from .models import Counter, FiledEntry, FilingRequest, Notification
from .registry import Filable, registry

DECIDE_PERMISSION = "archive.decide_filingrequest"
RESTORE_PERMISSION = "archive.restore_entry"
ARCHIVE_NUMBER_PREFIX = "KH"

Kind = FilingRequest.Kind
State = FilingRequest.State


class StaleRequest(ValidationError):
    """A change request made against a version the entry has since left; approving it would lose that change."""

    def __init__(self, request: FilingRequest, changes: list[FieldChange], by: str):
        self.changes = changes
        self.by = by
        super().__init__(
            _(
                "Request #%(number)s was made against an earlier version: %(user)s has changed the entry since "
                "(%(fields)s). Return it so the author can propose the change again on the current version."
            )
            % {
                "number": request.pk,
                "user": by or _("someone"),
                "fields": "、".join(change.label for change in changes) or _("its filing state"),
            },
            code="stale",
        )


class EditConflict(Exception):
    """The entry was changed by someone else after the editor loaded it; nothing was saved."""

    def __init__(self, changes: list[FieldChange], by: str):
        self.changes = changes
        self.by = by
        super().__init__(_("This entry was changed by %(user)s while you were editing it.") % {"user": by})


def check_version(entry: FiledEntry, expected_version: int | None) -> None:
    """Refuse an edit made on a version the entry has since left, saying what changed and who changed it."""
    if expected_version is None or entry.version == expected_version:
        return
    seen = entry.history.filter(version=expected_version).order_by("-history_id").first()
    now = entry.history.order_by("-history_id").first()
    changes = compare_versions(type(entry), seen, now) if seen and now else []
    raise EditConflict(changes, by=now.history_user_name if now else "")


# ---- Numbers ----------------------------------------------------------------------------------------------


def next_number(key: str) -> int:
    """The next number of the sequence ``key``, gap-free: the counter row is locked until the caller commits.

    The row is created with ``ON CONFLICT DO NOTHING`` so two first approvals of a year cannot both create it;
    then ``SELECT … FOR UPDATE`` queues every other approval behind this transaction. Never ``max() + 1``.
    """
    Counter.objects.bulk_create([Counter(key=key)], ignore_conflicts=True)
    counter = Counter.objects.select_for_update().get(key=key)
    counter.value += 1
    counter.save(update_fields=["value"])
    return counter.value


def archive_number(year: int, number: int) -> str:
    return f"{ARCHIVE_NUMBER_PREFIX}-{year}-{number:05d}"


def catalogue_number(customer, entry: FiledEntry) -> str:
    """``KH-2026-00017 / 1-003``: the customer's archive number, then the entry's place in it."""
    if not entry.entry_no or not customer.archive_no:
        return ""
    return f"{customer.archive_no} / {entry.entry_code}"


# ---- Guards -----------------------------------------------------------------------------------------------


def can_decide(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.has_perm(DECIDE_PERMISSION))


def can_restore(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.has_perm(RESTORE_PERMISSION))


def _require_author_rights(actor, spec: Filable, entry) -> None:
    if not registry.gateway.can(actor, "change", spec.customer_of(entry)):
        raise PermissionDenied(_("You may not change this customer's archive."))


def _require_decider(actor) -> None:
    if not can_decide(actor):
        raise PermissionDenied(_("Only a sales director approves or returns requests."))


def check_editable(entry: FiledEntry) -> None:
    """Refuse a direct edit of anything but a draft or a returned entry, saying what to do instead."""
    if entry.deleted_at is not None:
        raise ValidationError(_("This entry is in the recycle bin."), code="deleted")
    if entry.status == FilingStatus.PENDING:
        raise ValidationError(
            _("This entry is waiting for approval and cannot be edited until the director decides."), code="pending"
        )
    if entry.status == FilingStatus.FILED:
        raise ValidationError(_("This entry is filed: propose a change, which the director approves."), code="filed")


def _locked(spec: Filable, pk) -> FiledEntry:
    return spec.model.all_objects.select_for_update().get(pk=pk)


def _save(entry: FiledEntry, *, actor, reason: str) -> FiledEntry:
    entry.version += 1
    return save_with_trail(entry, actor=actor, reason=reason, clean=False)


def _new_request(*, actor, kind: str, spec: Filable, entry, note: str = "", **extra) -> FilingRequest:
    return FilingRequest.objects.create(
        kind=kind,
        content_type=ContentType.objects.get_for_model(spec.model),
        object_id=entry.pk,
        customer_id=spec.customer_id_of(entry),
        author=actor,
        author_name=user_display(actor),
        note=note,
        base_version=entry.version,
        **extra,
    )


def _pending(spec: Filable, entry, kind: str) -> QuerySet[FilingRequest]:
    return FilingRequest.objects.filter(
        content_type=ContentType.objects.get_for_model(spec.model), object_id=entry.pk, kind=kind, state=State.PENDING
    )


# ---- The author's side ------------------------------------------------------------------------------------


@transaction.atomic
def entry_submit(*, actor, entry: FiledEntry, note: str = "") -> FilingRequest:
    """Send a draft or a returned entry to the director for filing."""
    spec = registry.filable(type(entry))
    entry = _locked(spec, entry.pk)
    _require_author_rights(actor, spec, entry)
    if entry.deleted_at is not None or not entry.is_editable_draft:
        raise ValidationError(
            _("Only a draft or a returned entry can be submitted; this one is %(status)s.")
            % {"status": entry.get_status_display()},
            code="state",
        )
    for check in registry.submit_checks(spec.model):
        check(entry, actor=actor)
    entry.status = FilingStatus.PENDING
    request = _new_request(actor=actor, kind=Kind.FILING, spec=spec, entry=entry, note=note)
    _save(entry, actor=actor, reason=_("Submitted for filing (request #%(number)s)") % {"number": request.pk})
    request.base_version = entry.version
    request.save(update_fields=["base_version"])
    return request


def serialise(spec: Filable, entry) -> dict:
    """The values a change request may change, as JSON-ready values keyed by field name."""
    return {name: spec.model._meta.get_field(name).value_from_object(entry) for name in sorted(spec.fields)}


def _apply_proposed(spec: Filable, entry, proposed: dict):
    for name, value in proposed.items():
        field = spec.model._meta.get_field(name)
        setattr(entry, field.attname, field.to_python(value))
    return entry


@transaction.atomic
def change_propose(*, actor, entry: FiledEntry, data: dict, note: str = "") -> FilingRequest:
    """Ask for a change to a filed entry. The filed version stays what everybody reads until it is approved."""
    spec = registry.filable(type(entry))
    unknown = set(data) - spec.fields
    if unknown:
        raise ValueError(f"fields not open to a change request: {sorted(unknown)}")
    entry = _locked(spec, entry.pk)
    _require_author_rights(actor, spec, entry)
    if entry.deleted_at is not None or entry.status != FilingStatus.FILED:
        raise ValidationError(
            _("Only a filed entry is changed through a change request; edit the draft instead."), code="state"
        )
    if not note.strip():
        raise ValidationError({"note": ValidationError(_("Say why the filed entry should change."), code="required")})
    candidate = copy.copy(entry)
    for name, value in data.items():
        setattr(candidate, name, value)
    candidate.full_clean()
    before, after = serialise(spec, entry), serialise(spec, candidate)
    proposed = {name: after[name] for name in after if after[name] != before[name]}
    if not proposed:
        raise ValidationError(_("The proposal changes nothing."), code="unchanged")
    return _new_request(actor=actor, kind=Kind.CHANGE, spec=spec, entry=entry, note=note, proposed=proposed)


@transaction.atomic
def deletion_request(*, actor, entry: FiledEntry, note: str) -> FilingRequest:
    """Ask for an entry to go to the recycle bin."""
    spec = registry.filable(type(entry))
    entry = _locked(spec, entry.pk)
    _require_author_rights(actor, spec, entry)
    if entry.deleted_at is not None:
        raise ValidationError(_("This entry is already in the recycle bin."), code="deleted")
    if entry.status == FilingStatus.PENDING:
        raise ValidationError(
            _("This entry is waiting for approval; it can be deleted once the director has decided."), code="pending"
        )
    if not note.strip():
        raise ValidationError({"note": ValidationError(_("Say why the entry should be deleted."), code="required")})
    if _pending(spec, entry, Kind.DELETION).exists():
        raise ValidationError(_("A deletion request for this entry is already waiting."), code="duplicate")
    return _new_request(actor=actor, kind=Kind.DELETION, spec=spec, entry=entry, note=note)


# ---- The director's side ----------------------------------------------------------------------------------


def _decidable(actor, request_id) -> FilingRequest:
    _require_decider(actor)
    # Lock the request row only: a join's FOR UPDATE would also lock the customer, which binning locks first.
    requests = registry.gateway.restrict_related(FilingRequest.objects.select_for_update(of=("self",)), actor)
    try:
        request = requests.get(pk=request_id)
    except (FilingRequest.DoesNotExist, ValueError, TypeError):
        raise ValidationError(_("There is no request #%(number)s.") % {"number": request_id}, code="missing") from None
    if request.author_id == actor.pk:
        raise PermissionDenied(_("No one approves or returns their own request."))
    if not request.is_pending:
        raise ValidationError(
            _("Request #%(number)s has already been decided: %(state)s.")
            % {"number": request.pk, "state": request.get_state_display()},
            code="decided",
        )
    return request


def _decide(request: FilingRequest, *, actor, state: str, comment: str = "") -> None:
    request.state = state
    request.decided_by = actor
    request.decided_by_name = user_display(actor)
    request.decided_at = timezone.now()
    request.comment = comment
    request.save(update_fields=["state", "decided_by", "decided_by_name", "decided_at", "comment"])
    if request.author_id:
        Notification.objects.create(recipient_id=request.author_id, request=request)


def _file(request: FilingRequest, spec: Filable, entry, *, actor) -> None:
    if entry.status != FilingStatus.PENDING:
        raise ValidationError(_("The entry is not waiting for filing."), code="state")
    customer = spec.customer_of(entry)
    if spec.is_root:
        if not entry.archive_no:
            year = timezone.localdate().year
            entry.archive_no = archive_number(year, next_number(f"{ARCHIVE_NUMBER_PREFIX}-{year}"))
    elif not customer.archive_no:
        raise ValidationError(
            _("File the card of %(customer)s first: its entries are numbered inside its archive number.")
            % {"customer": customer},
            code="root_unfiled",
        )
    if not entry.entry_no:
        entry.entry_no = next_number(f"{ARCHIVE_NUMBER_PREFIX}/{customer.pk}/{int(entry.filing_category)}")
    entry.status = FilingStatus.FILED
    entry.filed_at = timezone.now()
    _save(entry, actor=actor, reason=_("Filed: approved filing request #%(number)s") % {"number": request.pk})


def _change(request: FilingRequest, spec: Filable, entry, *, actor) -> None:
    if entry.status != FilingStatus.FILED:
        raise ValidationError(_("The entry is no longer filed."), code="state")
    if entry.version != request.base_version:
        seen = entry.history.filter(version=request.base_version).order_by("-history_id").first()
        now = entry.history.order_by("-history_id").first()
        changes = compare_versions(spec.model, seen, now) if seen and now else []
        raise StaleRequest(request, changes, by=now.history_user_name if now else "")
    _apply_proposed(spec, entry, request.proposed)
    entry.full_clean()
    _save(entry, actor=actor, reason=_("Approved change request #%(number)s") % {"number": request.pk})


def _bin(request: FilingRequest, spec: Filable, entry, *, actor) -> None:
    entry.deleted_at = timezone.now()
    _save(
        entry,
        actor=actor,
        reason=_("Moved to the recycle bin: approved deletion request #%(number)s") % {"number": request.pk},
    )
    # What waited on the binned entry (for a customer: on anything in its archive) can no longer be decided.
    waiting = FilingRequest.objects.select_for_update().filter(state=State.PENDING).exclude(pk=request.pk)
    if spec.is_root:
        waiting = waiting.filter(customer_id=entry.pk)
    else:
        waiting = waiting.filter(content_type=request.content_type, object_id=entry.pk)
    for other in waiting:
        if other.kind == Kind.FILING:
            other_spec = registry.filable(other.content_type.model_class())
            pending_entry = _locked(other_spec, other.object_id)
            pending_entry.status = FilingStatus.RETURNED
            _save(pending_entry, actor=actor, reason=_("Returned: the archive entry was moved to the recycle bin"))
        _decide(other, actor=actor, state=State.RETURNED, comment=_("The entry was moved to the recycle bin."))


APPLY = {Kind.FILING: _file, Kind.CHANGE: _change, Kind.DELETION: _bin}


@transaction.atomic
def request_approve(*, actor, request_id) -> FilingRequest:
    """Approve a request: file the entry, apply the change exactly as proposed, or move it to the recycle bin."""
    request = _decidable(actor, request_id)
    spec = registry.filable(request.content_type.model_class())
    entry = _locked(spec, request.object_id)
    if entry.deleted_at is not None:
        raise ValidationError(_("The entry is in the recycle bin."), code="deleted")
    APPLY[request.kind](request, spec, entry, actor=actor)
    if request.kind == Kind.FILING:
        for hook in registry.filing_hooks(spec.model):
            hook(entry, actor=actor, request=request)
    _decide(request, actor=actor, state=State.APPROVED)
    return request


@transaction.atomic
def request_return(*, actor, request_id, comment: str) -> FilingRequest:
    """Send a request back with a comment. A returned change or deletion leaves the filed entry as it was."""
    request = _decidable(actor, request_id)
    if not comment.strip():
        raise ValidationError({"comment": ValidationError(_("Tell the author what to correct."), code="required")})
    if request.kind == Kind.FILING:
        spec = registry.filable(request.content_type.model_class())
        entry = _locked(spec, request.object_id)
        entry.status = FilingStatus.RETURNED
        _save(
            entry,
            actor=actor,
            reason=_("Returned (request #%(number)s): %(comment)s")
            % {
                "number": request.pk,
                "comment": comment,
            },
        )
    _decide(request, actor=actor, state=State.RETURNED, comment=comment)
    return request


@dataclass(frozen=True)
class Outcome:
    request_id: int
    approved: bool
    message: str


def requests_approve(*, actor, request_ids) -> list[Outcome]:
    """Approve several requests, each on its own: one refusal does not hold the others back.

    Customers' filings go first, so a card and the documents submitted with it can be approved together.
    """
    _require_decider(actor)
    ids = [int(pk) for pk in request_ids]
    roots = set(
        FilingRequest.objects.filter(
            pk__in=ids, kind=Kind.FILING, content_type=ContentType.objects.get_for_model(registry.root.model)
        ).values_list("pk", flat=True)
    )
    outcomes = []
    for pk in sorted(ids, key=lambda pk: (pk not in roots, pk)):
        try:
            request_approve(actor=actor, request_id=pk)
        except (ValidationError, PermissionDenied) as refusal:
            outcomes.append(Outcome(pk, False, _message(refusal)))
        else:
            outcomes.append(Outcome(pk, True, _("Approved.")))
    return sorted(outcomes, key=lambda outcome: ids.index(outcome.request_id))


def _message(refusal: Exception) -> str:
    if isinstance(refusal, ValidationError):
        return " ".join(refusal.messages)
    return str(refusal) or _("Not allowed.")


@transaction.atomic
def entry_restore(*, actor, spec: Filable, pk) -> FiledEntry:
    """Take an entry out of the recycle bin (the archivist or the director), as it was when it went in."""
    if not can_restore(actor):
        raise PermissionDenied(_("Only the archivist or a director restores from the recycle bin."))
    entry = _locked(spec, pk)
    if entry.deleted_at is None:
        raise ValidationError(_("This entry is not in the recycle bin."), code="state")
    if not spec.is_root:
        customer = spec.model._meta.get_field(spec.customer_field).related_model.all_objects.get(
            pk=spec.customer_id_of(entry)
        )
        if customer.deleted_at is not None:
            raise ValidationError(_("Restore the customer %(customer)s first.") % {"customer": customer})
        if not registry.gateway.can(actor, "view", customer):
            raise PermissionDenied
    entry.deleted_at = None
    if entry.status in (FilingStatus.PENDING, FilingStatus.FILED):
        for check in registry.restore_checks(spec.model):
            check(entry, actor=actor)
    return _save(entry, actor=actor, reason=_("Restored from the recycle bin"))


@transaction.atomic
def entry_revert(*, actor, entry: FiledEntry, history_id) -> FiledEntry:
    """A director puts a filed entry back to an earlier version; the revert is itself a version in the trail."""
    _require_decider(actor)
    spec = registry.filable(type(entry))
    entry = _locked(spec, entry.pk)
    if not registry.gateway.can(actor, "change", spec.customer_of(entry)):
        raise PermissionDenied
    if entry.deleted_at is not None or entry.status != FilingStatus.FILED:
        raise ValidationError(_("Only a filed entry can be reverted."), code="state")
    try:
        old = entry.history.get(history_id=history_id)
    except (entry.history.model.DoesNotExist, ValueError, TypeError):
        raise ValidationError(_("That version does not belong to this entry."), code="missing") from None
    before = serialise(spec, entry)
    target = {name: spec.model._meta.get_field(name).value_from_object(old) for name in spec.fields}
    if all(before[name] == target[name] for name in spec.fields):
        raise ValidationError(_("The entry already holds the values of that version."), code="unchanged")
    _apply_proposed(spec, entry, target)
    entry.full_clean()
    when = timezone.localtime(old.history_date).strftime("%Y-%m-%d %H:%M")
    return _save(entry, actor=actor, reason=_("Reverted to the version of %(when)s") % {"when": when})


# ---- Reads --------------------------------------------------------------------------------------------------


def visible_requests(user) -> QuerySet[FilingRequest]:
    """Requests on customers ``user`` may read, ready for a list (the customer, the author, the entry type)."""
    return registry.gateway.restrict_related(
        FilingRequest.objects.select_related("customer", "content_type", "author", "decided_by"), user
    )


def inbox(user) -> QuerySet[FilingRequest]:
    """What waits for this director: pending requests of others, oldest first."""
    if not can_decide(user):
        return FilingRequest.objects.none()
    return visible_requests(user).filter(state=State.PENDING).exclude(author=user).order_by("submitted_at", "id")


def inbox_count(user) -> int:
    if not can_decide(user):
        return 0
    return (
        registry.gateway.restrict_related(FilingRequest.objects.all(), user)
        .filter(state=State.PENDING)
        .exclude(author=user)
        .count()
    )


def my_requests(user) -> QuerySet[FilingRequest]:
    """The author's requests, including those on a customer now in the recycle bin: the author is told of
    the decision that put it there, so they must be able to read it."""
    readable = registry.gateway.restrict(registry.root.model.all_objects.all(), user)
    return (
        FilingRequest.objects.select_related("customer", "content_type", "author", "decided_by")
        .filter(author=user, customer__in=readable.values("pk"))
        .order_by("-submitted_at", "-id")
    )


def unread_notifications(user) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user, read_at__isnull=True)


def notifications_read(*, user) -> int:
    """Mark the user's notifications read (they have seen their submissions page)."""
    return unread_notifications(user).update(read_at=timezone.now())


def entry_requests(entry: FiledEntry) -> QuerySet[FilingRequest]:
    """The requests waiting on one entry (shown on its page)."""
    return FilingRequest.objects.filter(
        content_type=ContentType.objects.get_for_model(type(entry)), object_id=entry.pk, state=State.PENDING
    ).order_by("submitted_at", "id")


def last_returned(entry: FiledEntry) -> FilingRequest | None:
    """The director's comment on a returned entry: the latest returned filing request (none unless returned)."""
    if entry.status != FilingStatus.RETURNED:
        return None
    return (
        FilingRequest.objects.filter(
            content_type=ContentType.objects.get_for_model(type(entry)),
            object_id=entry.pk,
            kind=Kind.FILING,
            state=State.RETURNED,
        )
        .order_by("-decided_at", "-id")
        .first()
    )


@dataclass
class Proposal:
    """A request with what it would do, as the director reads it."""

    request: FilingRequest
    entry: FiledEntry | None
    changes: list[FieldChange]
    stale: bool


def proposals(requests) -> list[Proposal]:
    """Each request with its field-by-field diff: old → new for a change, every filled field for a filing.

    The entries come in one query per entry type and the related values in one query per related model,
    so a page of 10 or 100 requests costs the same.
    """
    requests = list(requests)
    by_model: dict[type[models.Model], set] = {}
    for request in requests:
        by_model.setdefault(request.content_type.model_class(), set()).add(request.object_id)
    entries = {model: model.all_objects.in_bulk(ids) for model, ids in by_model.items()}
    result = []
    for request in requests:
        model = request.content_type.model_class()
        entry = entries[model].get(request.object_id)
        changes, stale = [], False
        if entry is not None and request.kind == Kind.CHANGE:
            candidate = _apply_proposed(registry.filable(model), copy.copy(entry), request.proposed)
            changes = diff(model, entry, candidate)
            stale = request.is_pending and entry.version != request.base_version
        elif entry is not None and request.kind == Kind.FILING:
            changes = diff(model, None, entry)
            changes = [c for c in changes if c.field.name != "status"]
        result.append(Proposal(request=request, entry=entry, changes=changes, stale=stale))
    describe_changes(change for proposal in result for change in proposal.changes)
    return result


def catalogue(customer) -> list[tuple[object, list]]:
    """The customer's table of contents (目录): filed entries by category and number, one query per model."""
    sections: dict[int, list] = {}
    for spec in registry.filables:
        if spec.is_root:
            entries = [customer] if customer.status == FilingStatus.FILED else []
        else:
            entries = spec.model.objects.filter(**{spec.customer_field: customer}, status=FilingStatus.FILED).order_by(
                "entry_no"
            )
        for entry in entries:
            sections.setdefault(int(entry.filing_category), []).append(entry)
    return [
        (Category(number), sorted(entries, key=lambda e: e.entry_no or 0))
        for number, entries in sorted(sections.items())
    ]


def recycle_bin(user) -> list[tuple[Filable, list]]:
    """What is in the recycle bin and ``user`` may restore, per model."""
    if not can_restore(user):
        return []
    bins = []
    for spec in registry.filables:
        deleted = spec.model.all_objects.filter(deleted_at__isnull=False).order_by("-deleted_at")
        if spec.is_root:
            deleted = registry.gateway.restrict(deleted, user)
        else:
            deleted = registry.gateway.restrict_related(deleted.select_related(spec.customer_field), user)
        bins.append((spec, list(deleted)))
    return bins
