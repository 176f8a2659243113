"""The 5C score of a credit application and what it earns: pure arithmetic on ``Decimal``, read from settings.

The weighted score is Σ score × weight (each score 1–5, the weights adding up to 1), to two places. The grade is
the first in ``ARCHIVE_CREDIT_GRADES`` whose lowest score the total reaches; the proposed limit is the limit asked
for times that grade's share, to the fen (a C grade trades cash only: a limit of nothing).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from contracts.models import money

from .choices import Factor


@dataclass(frozen=True)
class Assessment:
    total: Decimal
    grade: str
    limit: Decimal


def weights() -> dict[str, Decimal]:
    configured = {key: Decimal(value) for key, value in settings.ARCHIVE_CREDIT_WEIGHTS.items()}
    if set(configured) != set(Factor.values) or sum(configured.values()) != 1:
        raise ImproperlyConfigured("ARCHIVE_CREDIT_WEIGHTS needs a weight for each of the 5C, adding up to 1.")
    return configured


def weighted_score(scores: Mapping[str, int]) -> Decimal:
    total = sum((Decimal(scores[factor]) * weight for factor, weight in weights().items()), Decimal(0))
    return total.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def assess(scores: Mapping[str, int], requested_limit: Decimal) -> Assessment:
    total = weighted_score(scores)
    for grade, lowest, share in settings.ARCHIVE_CREDIT_GRADES:
        if total >= lowest:
            return Assessment(total, grade, money(Decimal(requested_limit) * share))
    raise ImproperlyConfigured("ARCHIVE_CREDIT_GRADES must end with a grade every score reaches.")
