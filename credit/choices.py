from django.db import models
from django.utils.translation import gettext_lazy as _


class CreditGrade(models.TextChoices):
    """Credit standing (资信等级) given on the 5C evidence; each grade earns a share of the limit asked for."""

    AAA = "AAA", _("AAA — excellent")
    AA = "AA", _("AA — good")
    A = "A", _("A — sound")
    B = "B", _("B — watch")
    C = "C", _("C — cash only")


CREDIT_GRADE_COLOURS = {
    CreditGrade.AAA: "success",
    CreditGrade.AA: "success",
    CreditGrade.A: "primary",
    CreditGrade.B: "warning",
    CreditGrade.C: "danger",
}


class PaymentMethod(models.TextChoices):
    """How the customer pays (付款方式)."""

    TRANSFER = "transfer", _("Bank transfer")
    BANK_ACCEPTANCE = "bank_acceptance", _("Bank acceptance bill")
    COMMERCIAL_ACCEPTANCE = "commercial_acceptance", _("Commercial acceptance bill")
    CHEQUE = "cheque", _("Cheque")
    CASH = "cash", _("Cash")
    LETTER_OF_CREDIT = "letter_of_credit", _("Letter of credit")
    OTHER = "other", _("Other")


class Factor(models.TextChoices):
    """The five Cs of credit (5C 评估法)."""

    CHARACTER = "character", _("Character")
    CAPACITY = "capacity", _("Capacity")
    CAPITAL = "capital", _("Capital")
    COLLATERAL = "collateral", _("Collateral")
    CONDITIONS = "conditions", _("Conditions")


FACTOR_HELP = {
    Factor.CHARACTER: _("Integrity and payment record: does the customer pay as agreed?"),
    Factor.CAPACITY: _("Ability to pay: cash flow, profits, the business's running."),
    Factor.CAPITAL: _("Financial strength: equity, assets, registered capital."),
    Factor.COLLATERAL: _("Security offered: pledges, mortgages, guarantors."),
    Factor.CONDITIONS: _("The economy, the industry and the market the customer works in."),
}


class Allocation(models.TextChoices):
    """How a payment is matched to receivables."""

    OLDEST_FIRST = "oldest", _("Oldest due first")
    BY_HAND = "manual", _("By hand")


class AgingBasis(models.TextChoices):
    """What the age of a receivable is counted from."""

    ISSUED = "issued", _("Days since issue (账龄)")
    DUE = "due", _("Days past due (逾期)")


class InstalmentState(models.TextChoices):
    """How an instalment of a repayment plan went, against the payments received."""

    ON_TIME = "on_time", _("Paid on time")
    LATE = "late", _("Paid late")
    MISSING = "missing", _("Missing")
    PART_PAID = "part_paid", _("Partly paid")
    UPCOMING = "upcoming", _("Not yet due")


INSTALMENT_COLOURS = {
    InstalmentState.ON_TIME: "success",
    InstalmentState.LATE: "warning",
    InstalmentState.MISSING: "danger",
    InstalmentState.PART_PAID: "info",
    InstalmentState.UPCOMING: "secondary",
}
