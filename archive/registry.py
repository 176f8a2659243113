"""The registry through which each archive category plugs into the customer's card and trail.

``customers`` imports no category app. Each app registers, in its ``AppConfig.ready()``, the card sections
it contributes and the models whose history belongs in a customer's timeline, the way Django's admin
collects ``ModelAdmin`` classes. A new category then appears on the card without touching ``customers``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

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


class Registry:
    def __init__(self):
        self._sections: dict[str, CardSection] = {}
        self._trail_sources: dict[str, TrailSource] = {}
        self._sheets: dict[str, WorkbookSheet] = {}

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
