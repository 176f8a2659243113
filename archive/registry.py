"""The registry through which each archive category plugs into the customer's card and trail.

``customers`` imports no category app. Each app registers, in its ``AppConfig.ready()``, the card sections
it contributes, the models whose history belongs in a customer's timeline and the models it files through
approval, the way Django's admin collects ``ModelAdmin`` classes. A new category then appears on the card,
in the catalogue and in the director's inbox without touching ``customers``. ``customers`` also installs the
permission gateway here, so the core asks it without importing the app that builds on the core.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from django.db import models


@dataclass(frozen=True)
class CardSection:
    """A block of the archive card.

    ``context`` receives the customer and the requesting user and returns the template's context; it must
    run a fixed number of queries however many records the customer has.
    """

    key: str
    title: str
    template: str
    context: Callable[..., dict]
    order: int = 100


@dataclass(frozen=True)
class TrailSource:
    """A tracked model whose history belongs in the customer's timeline, and how it reaches the customer."""

    model: type[models.Model]
    customer_field: str = "customer_id"


@dataclass(frozen=True)
class WorkbookSheet:
    """A sheet of a customer's full archive workbook: its columns and the customer's rows for it.

    ``rows`` receives the customer and returns an iterable of records; ``columns`` are ``archive.excel.Column``.
    """

    key: str
    title: str
    columns: list
    rows: Callable[..., object]
    order: int = 100


@dataclass(frozen=True)
class Filable:
    """A model whose entries are filed through approval (``archive.filing``).

    ``fields`` are what a change request may change. ``customer_field`` leads from an entry to its customer;
    ``None`` marks the customer itself, the root of the archive, which gets the archive number when filed.
    ``edit_url`` names the page where an author edits a draft or proposes a change (the app's own form).
    """

    model: type[models.Model]
    fields: frozenset[str]
    customer_field: str | None = "customer"
    edit_url: Callable[..., str] | None = None

    @property
    def is_root(self) -> bool:
        return self.customer_field is None

    @property
    def label(self) -> str:
        return self.model._meta.label_lower

    def customer_of(self, entry):
        return entry if self.is_root else getattr(entry, self.customer_field)

    def customer_id_of(self, entry) -> int:
        return entry.pk if self.is_root else getattr(entry, f"{self.customer_field}_id")


@dataclass(frozen=True)
class EntryPanel:
    """A block another category adds to an entry's page (the approved discounts on an order).

    ``context`` receives the entry and the requesting user and returns the template's context, in a fixed
    number of queries.
    """

    key: str
    template: str
    context: Callable[..., dict]
    order: int = 100


@dataclass(frozen=True)
class DemoStep:
    """A category's part of ``manage.py seed_demo``, run after the customers exist, in the same transaction.

    ``run(today=…, log=…)`` creates what is missing (a second run adds nothing) and returns counts by kind.
    """

    key: str
    run: Callable[..., dict]
    order: int = 100


@dataclass(frozen=True)
class DatasetStep:
    """A category's part of ``manage.py generate_dataset``, run after the customers exist, in bulk.

    ``run(customers=…, context=…)`` (see ``customers.dataset``) writes the category's records and their historical
    rows for the customers just generated, with ``bulk_create`` in batches, and returns counts by kind.
    """

    key: str
    run: Callable[..., dict]
    order: int = 100


@dataclass(frozen=True)
class HandoverStep:
    """A category's part of a staff handover (员工调离交接), run inside the handover's transaction.

    ``run(customer_ids=…, from_user=…, to_user=…, actor=…, reason=…)`` hands the departing user's open work on
    those customers (drafts they wrote, complaints they handle, plans they lead) to ``to_user``, through the
    change trail, and returns counts by kind (``{"drafts": 2}``). It must not commit or swallow errors: a step
    that raises undoes the whole handover.
    """

    key: str
    run: Callable[..., dict]
    order: int = 100


class Gateway(Protocol):
    """What the archive core asks of the permission gateway (``customers.permissions`` provides it)."""

    def can(self, user, action: str, customer) -> bool: ...

    def has_global(self, user, action: str = "view") -> bool: ...

    def restrict(self, queryset: models.QuerySet, user, action: str = "view") -> models.QuerySet: ...

    def restrict_related(
        self, queryset: models.QuerySet, user, action: str = "view", *, via: str = "customer"
    ) -> models.QuerySet: ...


class Registry:
    def __init__(self):
        self._sections: dict[str, CardSection] = {}
        self._trail_sources: dict[str, TrailSource] = {}
        self._sheets: dict[str, WorkbookSheet] = {}
        self._filables: dict[str, Filable] = {}
        self._demo_steps: dict[str, DemoStep] = {}
        self._dataset_steps: dict[str, DatasetStep] = {}
        self._handover_steps: dict[str, HandoverStep] = {}
        self._filing_hooks: dict[str, list[Callable]] = {}
        self._submit_checks: dict[str, list[Callable]] = {}
        self._restore_checks: dict[str, list[Callable]] = {}
        self._entry_panels: dict[str, list[EntryPanel]] = {}
        self.gateway: Gateway | None = None

    def register_filable(self, filable: Filable) -> None:
        self._filables[filable.label] = filable

    @property
    def filables(self) -> list[Filable]:
        """Every filed model, the customer first, then by category."""
        return sorted(self._filables.values(), key=lambda f: (not f.is_root, f.model.filing_category, f.label))

    def filable(self, model_or_label) -> Filable:
        """The registration of a model (or of its ``app_label.model`` label); ``LookupError`` if it has none."""
        label = model_or_label if isinstance(model_or_label, str) else model_or_label._meta.label_lower
        try:
            return self._filables[label.lower()]
        except KeyError:
            raise LookupError(f"{label} is not a filed archive model") from None

    def register_filing_hook(self, model: type[models.Model], hook: Callable) -> None:
        """Run ``hook(entry, actor=…, request=…)`` when an entry of ``model`` is filed, inside the approval.

        Another category follows what this one files without the filing app knowing it: credit opens a
        receivable when an order is filed. A hook that raises ``ValidationError`` refuses the approval.
        """
        self._filing_hooks.setdefault(model._meta.label_lower, []).append(hook)

    def filing_hooks(self, model: type[models.Model]) -> list[Callable]:
        return self._filing_hooks.get(model._meta.label_lower, [])

    def register_submit_check(self, model: type[models.Model], check: Callable) -> None:
        """Run ``check(entry, actor=…)`` before an entry of ``model`` goes to the director; it raises
        ``ValidationError`` to keep the entry with its author (a complaint is filed only once closed)."""
        self._submit_checks.setdefault(model._meta.label_lower, []).append(check)

    def submit_checks(self, model: type[models.Model]) -> list[Callable]:
        return self._submit_checks.get(model._meta.label_lower, [])

    def register_restore_check(self, model: type[models.Model], check: Callable) -> None:
        """Run ``check(entry, actor=…)`` before an entry of ``model`` leaves the recycle bin; it raises
        ``ValidationError`` when the entry no longer fits (a return restored beyond what was ordered)."""
        self._restore_checks.setdefault(model._meta.label_lower, []).append(check)

    def restore_checks(self, model: type[models.Model]) -> list[Callable]:
        return self._restore_checks.get(model._meta.label_lower, [])

    def register_entry_panel(self, model: type[models.Model], panel: EntryPanel) -> None:
        panels = self._entry_panels.setdefault(model._meta.label_lower, [])
        panels[:] = sorted([p for p in panels if p.key != panel.key] + [panel], key=lambda p: (p.order, p.key))

    def entry_panels(self, model: type[models.Model]) -> list[EntryPanel]:
        return self._entry_panels.get(model._meta.label_lower, [])

    @property
    def root(self) -> Filable:
        return next(f for f in self._filables.values() if f.is_root)

    def register_demo_step(self, step: DemoStep) -> None:
        self._demo_steps[step.key] = step

    @property
    def demo_steps(self) -> list[DemoStep]:
        return sorted(self._demo_steps.values(), key=lambda s: (s.order, s.key))

    def register_dataset_step(self, step: DatasetStep) -> None:
        self._dataset_steps[step.key] = step

    @property
    def dataset_steps(self) -> list[DatasetStep]:
        return sorted(self._dataset_steps.values(), key=lambda s: (s.order, s.key))

    def register_handover_step(self, step: HandoverStep) -> None:
        self._handover_steps[step.key] = step

    @property
    def handover_steps(self) -> list[HandoverStep]:
        return sorted(self._handover_steps.values(), key=lambda s: (s.order, s.key))

    def register_sheet(self, sheet: WorkbookSheet) -> None:
        self._sheets[sheet.key] = sheet

    @property
    def sheets(self) -> list[WorkbookSheet]:
        return sorted(self._sheets.values(), key=lambda s: (s.order, s.key))

    def register_section(self, section: CardSection) -> None:
        self._sections[section.key] = section

    def register_trail(self, source: TrailSource) -> None:
        self._trail_sources[source.model._meta.label] = source

    @property
    def sections(self) -> list[CardSection]:
        return sorted(self._sections.values(), key=lambda s: (s.order, s.key))

    @property
    def trail_sources(self) -> list[TrailSource]:
        return list(self._trail_sources.values())


registry = Registry()
