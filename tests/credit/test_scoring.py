"""The 5C score and what it earns: Σ score × weight to two places, the grade's lowest score, the limit to the fen."""

from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured

from credit import scoring
from credit.choices import CreditGrade, Factor

WEIGHTS = {  # the settings' weights, spelled out so that a change to them is a deliberate change to these tests
    "character": Decimal("0.25"),
    "capacity": Decimal("0.25"),
    "capital": Decimal("0.20"),
    "collateral": Decimal("0.15"),
    "conditions": Decimal("0.15"),
}


def five_c(character, capacity, capital, collateral, conditions) -> dict[str, int]:
    return {
        "character": character,
        "capacity": capacity,
        "capital": capital,
        "collateral": collateral,
        "conditions": conditions,
    }


def test_the_weights_are_the_settings_weights():
    assert scoring.weights() == WEIGHTS
    assert all(isinstance(weight, Decimal) for weight in scoring.weights().values())
    assert set(scoring.weights()) == set(Factor.values)


def test_the_weighted_score_of_a_textbook_case():
    # 0.25×5 + 0.25×4 + 0.20×3 + 0.15×2 + 0.15×1 = 1.25 + 1.00 + 0.60 + 0.30 + 0.15 = 3.30
    result = scoring.assess(five_c(5, 4, 3, 2, 1), Decimal("100000.00"))
    assert result.total == Decimal("3.30")
    assert str(result.total) == "3.30"
    assert result.grade == CreditGrade.A
    assert result.limit == Decimal("60000.00")  # grade A earns 60 % of the limit asked for
    assert str(result.limit) == "60000.00"
    assert isinstance(result.total, Decimal) and isinstance(result.limit, Decimal)


def test_each_factor_counts_with_its_own_weight():
    # One point more on a single factor raises the total by exactly that factor's weight.
    base = scoring.weighted_score(five_c(3, 3, 3, 3, 3))
    assert base == Decimal("3.00")
    for factor, weight in WEIGHTS.items():
        scores = five_c(3, 3, 3, 3, 3)
        scores[factor] = 4
        assert scoring.weighted_score(scores) - base == weight, factor


@pytest.mark.parametrize(
    ("scores", "total", "grade", "share"),
    [
        (five_c(5, 5, 5, 5, 5), "5.00", CreditGrade.AAA, "1.00"),
        (five_c(3, 5, 5, 5, 5), "4.50", CreditGrade.AAA, "1.00"),  # exactly on AAA's lowest score
        (five_c(4, 5, 5, 3, 5), "4.45", CreditGrade.AA, "0.80"),  # one step under it
        (five_c(4, 4, 4, 4, 4), "4.00", CreditGrade.AA, "0.80"),  # exactly on AA's
        (five_c(1, 5, 5, 5, 5), "4.00", CreditGrade.AA, "0.80"),
        (five_c(2, 5, 5, 3, 5), "3.95", CreditGrade.A, "0.60"),
        (five_c(3, 3, 3, 3, 3), "3.00", CreditGrade.A, "0.60"),  # exactly on A's
        (five_c(1, 1, 5, 5, 5), "3.00", CreditGrade.A, "0.60"),
        (five_c(1, 2, 5, 3, 5), "2.95", CreditGrade.B, "0.30"),
        (five_c(2, 2, 2, 2, 2), "2.00", CreditGrade.B, "0.30"),  # exactly on B's
        (five_c(1, 1, 3, 1, 5), "2.00", CreditGrade.B, "0.30"),
        (five_c(1, 1, 2, 2, 5), "1.95", CreditGrade.C, "0"),
        (five_c(1, 1, 1, 1, 1), "1.00", CreditGrade.C, "0"),
    ],
)
def test_the_grade_boundaries_belong_to_the_higher_grade(scores, total, grade, share):
    result = scoring.assess(scores, Decimal("50000.00"))
    assert result.total == Decimal(total)
    assert result.grade == grade
    assert result.limit == (Decimal("50000.00") * Decimal(share)).quantize(Decimal("0.01"))


def test_a_c_grade_trades_cash_only():
    result = scoring.assess(five_c(1, 1, 1, 1, 1), Decimal("999999.99"))
    assert result.limit == Decimal("0.00")
    assert str(result.limit) == "0.00"


@pytest.mark.parametrize(
    ("asked", "scores", "limit"),
    [
        # grade B earns 30 %: 0.35 × 0.30 = 0.105 → 0.11 half up (banker's rounding and a float both give 0.10)
        ("0.35", five_c(2, 2, 2, 2, 2), "0.11"),
        ("1000.05", five_c(2, 2, 2, 2, 2), "300.02"),  # 300.015 → 300.02
        ("0.01", five_c(2, 2, 2, 2, 2), "0.00"),  # 0.003 → 0.00
        ("33333.33", five_c(3, 3, 3, 3, 3), "20000.00"),  # A, 60 %: 19999.998 → 20000.00
        ("12345.67", five_c(4, 4, 4, 4, 4), "9876.54"),  # AA, 80 %: 9876.536 → 9876.54
        ("0.00", five_c(5, 5, 5, 5, 5), "0.00"),
        ("99999999999999.99", five_c(5, 5, 5, 5, 5), "99999999999999.99"),  # the largest amount a MONEY field holds
    ],
)
def test_the_proposed_limit_is_rounded_to_the_fen_half_up(asked, scores, limit):
    result = scoring.assess(scores, Decimal(asked))
    assert result.limit == Decimal(limit)
    assert str(result.limit) == limit


def test_the_weighted_score_is_rounded_half_up(settings):
    settings.ARCHIVE_CREDIT_WEIGHTS = {
        "character": "0.125",
        "capacity": "0.125",
        "capital": "0.25",
        "collateral": "0.25",
        "conditions": "0.25",
    }
    # 0.125×1 + 0.125×2 + 0.25×3 = 1.125 → 1.13 (banker's rounding gives 1.12)
    assert scoring.weighted_score(five_c(1, 2, 1, 1, 1)) == Decimal("1.13")
    # 0.125×3 + 0.125×4 + 0.25×(1+1+1) = 1.625 → 1.63
    assert scoring.weighted_score(five_c(3, 4, 1, 1, 1)) == Decimal("1.63")


def test_other_weights_in_settings_change_the_score(settings):
    settings.ARCHIVE_CREDIT_WEIGHTS = {**WEIGHTS, "character": Decimal("0.40"), "capacity": Decimal("0.10")}
    # 0.40×5 + 0.10×1 + 0.20×1 + 0.15×1 + 0.15×1 = 2.60
    assert scoring.weighted_score(five_c(5, 1, 1, 1, 1)) == Decimal("2.60")


@pytest.mark.parametrize(
    "weights",
    [
        pytest.param({**WEIGHTS, "conditions": Decimal("0.14")}, id="adds-up-to-0.99"),
        pytest.param({**WEIGHTS, "conditions": Decimal("0.16")}, id="adds-up-to-1.01"),
        pytest.param({k: v for k, v in WEIGHTS.items() if k != "capital"}, id="a-factor-missing"),
        pytest.param({**WEIGHTS, "capital": Decimal("0.10"), "cash": Decimal("0.10")}, id="an-unknown-factor"),
        pytest.param({}, id="none"),
    ],
)
def test_misconfigured_weights_are_refused(settings, weights):
    settings.ARCHIVE_CREDIT_WEIGHTS = weights
    with pytest.raises(ImproperlyConfigured):
        scoring.weights()
    with pytest.raises(ImproperlyConfigured):
        scoring.assess(five_c(3, 3, 3, 3, 3), Decimal("1000.00"))


def test_grades_that_not_every_score_reaches_are_refused(settings):
    settings.ARCHIVE_CREDIT_GRADES = (
        ("AAA", Decimal("4.50"), Decimal("1.00")),
        ("A", Decimal("3.00"), Decimal("0.60")),
    )
    assert scoring.assess(five_c(3, 3, 3, 3, 3), Decimal("100.00")).grade == CreditGrade.A
    with pytest.raises(ImproperlyConfigured):
        scoring.assess(five_c(2, 2, 2, 2, 2), Decimal("100.00"))
