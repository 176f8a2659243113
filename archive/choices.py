from django.db import models
from django.utils.translation import gettext_lazy as _


class FilingStatus(models.TextChoices):
    """Where an archive entry stands on its way into the archive (审批入档)."""

    DRAFT = "draft", _("Draft")
    PENDING = "pending", _("Pending approval")
    RETURNED = "returned", _("Returned")
    FILED = "filed", _("Filed")


class Grade(models.TextChoices):
    """Customer grade (客户等级), ABC analysis with D for customers without sales."""

    A = "A", _("Grade A")
    B = "B", _("Grade B")
    C = "C", _("Grade C")
    D = "D", _("Grade D")


# 颜色管理: one colour per grade, used by every badge, list row and export cell.
GRADE_COLOURS = {
    Grade.A: "#c0392b",
    Grade.B: "#d68910",
    Grade.C: "#2471a3",
    Grade.D: "#7f8c8d",
}


class Category(models.IntegerChoices):
    """The five categories of a customer's archive (五大类档案); the first digit of an entry's number."""

    BASIC = 1, _("Basic information")
    CONTRACTS = 2, _("Contracts and orders")
    CREDIT = 3, _("Receivables and credit")
    TRADING = 4, _("Trading status")
    COMPLAINTS = 5, _("Returns, discounts and complaints")
