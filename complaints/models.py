"""Returns, discounts and complaints: the fifth category of a customer's archive (退赔、折价与投诉档案).

A **complaint** is recorded the day it comes in and handled step by step (each step says who, when and what);
once closed, with its result, whose fault it was and how satisfied the customer is, it is filed. A **return**
(退赔) takes goods of a filed order back or compensates for them, line by line, never beyond what was ordered
less what was already returned. A **discount** (折价) on an order or a contract waits for the director; approved,
it shows on the order. A **churn record** (流失) says when and why a customer left; filed, it moves the customer
to the past lifecycle, and its **win-back plan** (挽回计划) follows the attempt to bring the customer back.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from archive.choices import Category
from archive.models import FiledEntry, TimeStamped, TrailRecord
from contracts.models import MONEY, Contract, Order, OrderLine
from customers.models import Contact, Customer

from . import choices

SATISFACTION = [MinValueValidator(1), MaxValueValidator(5)]
QUANTITY = {"max_digits": 12, "decimal_places": 3}


def _user(verbose_name, **kwargs):
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        **kwargs,
    )


class Complaint(TimeStamped, FiledEntry):
    """A customer's complaint (客户投诉记录) and how it was handled; filed once closed (``5-00n``).

    ``due_at`` is when it must be closed, from its severity and ``ARCHIVE_COMPLAINT_DUE_HOURS``; the services
    write it whenever the reception time or the severity changes. An open complaint past it is overdue.
    """

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="complaints"
    )
    received_at = models.DateTimeField(_("received at"))
    channel = models.CharField(_("complaint channel"), max_length=12, choices=choices.Channel.choices)
    category = models.CharField(_("complaint category"), max_length=12, choices=choices.ComplaintCategory.choices)
    severity = models.CharField(
        _("severity"), max_length=8, choices=choices.Severity.choices, default=choices.Severity.MINOR
    )
    subject = models.CharField(_("subject"), max_length=120)
    content = models.TextField(_("what the customer says"))
    order = models.ForeignKey(
        Order,
        verbose_name=_("order concerned"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="complaints",
    )
    contact = models.ForeignKey(
        Contact,
        verbose_name=_("complainant"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="complaints",
        help_text=_("The customer's contact who complained."),
    )
    their_people = models.CharField(_("other people on the customer's side"), max_length=200, blank=True)
    handler = _user(_("handled by"), help_text=_("Who on our side is responsible for closing it."))
    our_people = models.CharField(_("other people on our side"), max_length=200, blank=True)
    state = models.CharField(
        _("handling state"), max_length=10, choices=choices.ComplaintState.choices, default=choices.ComplaintState.OPEN
    )
    due_at = models.DateTimeField(_("to be closed by"), editable=False)
    result = models.TextField(_("result"), blank=True)
    responsibility = models.CharField(
        _("responsibility"), max_length=12, choices=choices.Responsibility.choices, blank=True
    )
    responsibility_note = models.TextField(_("responsibility: findings"), blank=True)
    satisfaction = models.PositiveSmallIntegerField(
        _("customer satisfaction"),
        null=True,
        blank=True,
        validators=SATISFACTION,
        help_text=_("1 very dissatisfied … 5 very satisfied, as the customer says when the complaint is closed."),
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    created_by = _user(_("created by"))

    filing_category = Category.COMPLAINTS

    history = HistoricalRecords(bases=[TrailRecord])

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(satisfaction__isnull=True) | Q(satisfaction__range=(1, 5)),
                name="complaint_satisfaction_1_to_5",
            ),
            models.CheckConstraint(
                condition=~Q(state="closed") | (Q(closed_on__isnull=False) & Q(satisfaction__isnull=False)),
                name="complaint_closed_has_date_and_satisfaction",
            ),
        ]
        indexes = [
            models.Index(fields=["customer", "received_at"], name="complaint_customer_idx"),
            models.Index(fields=["state", "due_at"], name="complaint_open_due_idx"),
            models.Index(fields=["received_at", "id"], name="complaint_received_idx"),
        ]

    def __str__(self):
        return self.subject

    def get_absolute_url(self):
        return reverse("complaints:complaint-detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.state != choices.ComplaintState.CLOSED

    def is_overdue(self, now=None) -> bool:
        """Still open after the time its severity allows (due exactly now is not yet overdue)."""
        return self.is_open and self.due_at is not None and (now or timezone.now()) > self.due_at

    @property
    def is_dissatisfied(self) -> bool:
        return self.satisfaction is not None and self.satisfaction <= settings.ARCHIVE_COMPLAINT_DISSATISFIED

    @classmethod
    def trail_label(cls, record) -> str:
        return record.subject


class ComplaintStep(models.Model):
    """One step of a complaint's handling (处理过程): who did what, when."""

    complaint = models.ForeignKey(
        Complaint, verbose_name=_("complaint"), on_delete=models.CASCADE, related_name="steps"
    )
    taken_at = models.DateTimeField(_("when"))
    actor = _user(_("who"))
    actor_name = models.CharField(_("who"), max_length=150)
    action = models.TextField(_("what was done"))

    history = HistoricalRecords(bases=[TrailRecord])

    class Meta:
        verbose_name = _("handling step")
        verbose_name_plural = _("handling steps")
        ordering = ["taken_at", "id"]

    def __str__(self):
        return f"{self.taken_at:%Y-%m-%d %H:%M} {self.actor_name}"

    @classmethod
    def trail_label(cls, record) -> str:
        return f"{record.taken_at:%Y-%m-%d %H:%M} {record.actor_name}"


class Return(TimeStamped, FiledEntry):
    """Goods of a filed order taken back, exchanged or compensated (退赔单), filed through approval (``5-00n``).

    Its lines name the order's lines; ``total`` is the sum of their amounts, written by the services.
    """

    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="returns")
    order = models.ForeignKey(Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="returns")
    complaint = models.ForeignKey(
        Complaint,
        verbose_name=_("following complaint"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="returns",
    )
    kind = models.CharField(
        _("return type"), max_length=12, choices=choices.ReturnKind.choices, default=choices.ReturnKind.RETURN
    )
    returned_on = models.DateField(_("return date"))
    reason_category = models.CharField(_("reason category"), max_length=12, choices=choices.ReturnReason.choices)
    reason = models.TextField(_("reason"))
    total = models.DecimalField(_("return total (CNY)"), **MONEY, default=Decimal("0.00"))
    created_by = _user(_("created by"))

    filing_category = Category.COMPLAINTS

    history = HistoricalRecords(bases=[TrailRecord])

    class Meta:
        verbose_name = _("return")
        verbose_name_plural = _("returns")
        ordering = ["-returned_on", "-id"]
        constraints = [models.CheckConstraint(condition=Q(total__gte=0), name="return_total_not_negative")]
        indexes = [
            models.Index(fields=["customer", "returned_on"], name="return_customer_idx"),
            models.Index(fields=["returned_on", "id"], name="return_date_idx"),
        ]

    def __str__(self):
        if not self.returned_on:
            return str(_("Return"))
        return _("Return of %(date)s") % {"date": self.returned_on.isoformat()}

    def get_absolute_url(self):
        return reverse("complaints:return-detail", args=[self.pk])

    @classmethod
    def trail_label(cls, record) -> str:
        return f"{record.returned_on:%Y-%m-%d} ¥{record.total:,.2f}"


class ReturnLine(models.Model):
    """How much of one order line comes back, and for how much."""

    return_entry = models.ForeignKey(Return, verbose_name=_("return"), on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(
        OrderLine, verbose_name=_("order line"), on_delete=models.CASCADE, related_name="return_lines"
    )
    quantity = models.DecimalField(_("quantity returned"), **QUANTITY, validators=[MinValueValidator(Decimal(0))])
    amount = models.DecimalField(_("amount (CNY)"), **MONEY, validators=[MinValueValidator(Decimal(0))])

    history = HistoricalRecords(bases=[TrailRecord])

    class Meta:
        verbose_name = _("return line")
        verbose_name_plural = _("return lines")
        ordering = ["order_line__position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=0) & Q(amount__gte=0) & (Q(quantity__gt=0) | Q(amount__gt=0)),
                name="returnline_something_returned",
            ),
            models.UniqueConstraint(fields=["return_entry", "order_line"], name="returnline_once_per_order_line"),
        ]

    def __str__(self):
        return f"{self.order_line_id} × {self.quantity}"

    @classmethod
    def trail_label(cls, record) -> str:
        return f"× {record.quantity} ¥{record.amount:,.2f}"


class Discount(TimeStamped, FiledEntry):
    """A discount asked for on an order or a contract (折价审批), approved by the director (``5-00n``).

    ``amount`` is what comes off, in yuan: given directly, or worked out from ``percent`` of ``base`` (the
    order's total or the contract's amount when it was asked for).
    """

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="discounts"
    )
    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.CASCADE, null=True, blank=True, related_name="discounts"
    )
    contract = models.ForeignKey(
        Contract,
        verbose_name=_("contract"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="discounts",
    )
    complaint = models.ForeignKey(
        Complaint,
        verbose_name=_("following complaint"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="discounts",
    )
    mode = models.CharField(_("discount as"), max_length=8, choices=choices.DiscountMode.choices)
    percent = models.DecimalField(
        _("discount rate (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal(100))],
    )
    base = models.DecimalField(_("before the discount (CNY)"), **MONEY, default=Decimal("0.00"), editable=False)
    amount = models.DecimalField(_("discount amount (CNY)"), **MONEY, validators=[MinValueValidator(Decimal("0.01"))])
    reason = models.TextField(_("reason"))
    created_by = _user(_("created by"))

    filing_category = Category.COMPLAINTS

    history = HistoricalRecords(bases=[TrailRecord])

    class Meta:
        verbose_name = _("discount")
        verbose_name_plural = _("discounts")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(order__isnull=False) & Q(contract__isnull=True))
                | (Q(order__isnull=True) & Q(contract__isnull=False)),
                name="discount_on_order_or_contract",
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0) & Q(amount__lte=models.F("base")), name="discount_within_base"
            ),
        ]

    def __str__(self):
        if not self.amount:
            return str(_("Price discount"))
        return _("Discount of ¥%(amount)s") % {"amount": f"{self.amount:,.2f}"}

    def get_absolute_url(self):
        return reverse("complaints:discount-detail", args=[self.pk])

    @property
    def target(self):
        return self.order if self.order_id else self.contract

    @classmethod
    def trail_label(cls, record) -> str:
        return f"¥{record.amount:,.2f}"


class ChurnRecord(TimeStamped, FiledEntry):
    """A customer lost (客户流失记录); filed, it moves the customer's lifecycle to past (``5-00n``)."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="churn_records"
    )
    churned_on = models.DateField(_("lost on"), help_text=_("The last order or the day the customer said so."))
    reason_category = models.CharField(_("reason category"), max_length=12, choices=choices.ChurnReason.choices)
    narrative = models.TextField(_("what happened"))
    competitor = models.CharField(_("competitor that won the customer"), max_length=120, blank=True)
    created_by = _user(_("created by"))

    filing_category = Category.COMPLAINTS

    history = HistoricalRecords(bases=[TrailRecord])

    class Meta:
        verbose_name = _("churn record")
        verbose_name_plural = _("churn records")
        ordering = ["-churned_on", "-id"]
        indexes = [models.Index(fields=["customer", "churned_on"], name="churn_customer_idx")]

    def __str__(self):
        if not self.churned_on:
            return str(_("Churn record"))
        return _("Lost on %(date)s") % {"date": self.churned_on.isoformat()}

    def get_absolute_url(self):
        return reverse("complaints:churn-detail", args=[self.pk])

    @classmethod
    def trail_label(cls, record) -> str:
        return f"{record.churned_on:%Y-%m-%d} {record.competitor}".strip()


class WinBackPlan(TimeStamped):
    """The plan to win a lost customer back (挽回计划): next steps, by when, who; and how it ended.

    Won back, the customer returns to the current lifecycle, with the plan named in its history.
    """

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="win_back_plans"
    )
    churn = models.OneToOneField(
        ChurnRecord, verbose_name=_("churn record"), on_delete=models.CASCADE, related_name="win_back"
    )
    next_steps = models.TextField(_("next steps"))
    target_on = models.DateField(_("next step by"))
    responsible = _user(_("responsible"))
    state = models.CharField(
        _("state"), max_length=10, choices=choices.WinBackState.choices, default=choices.WinBackState.ACTIVE
    )
    outcome_on = models.DateField(_("outcome on"), null=True, blank=True)
    outcome_note = models.TextField(_("outcome"), blank=True)

    history = HistoricalRecords(bases=[TrailRecord])

    class Meta:
        verbose_name = _("win-back plan")
        verbose_name_plural = _("win-back plans")
        ordering = ["target_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state="active") | Q(outcome_on__isnull=False), name="winback_outcome_has_date"
            ),
        ]

    def __str__(self):
        return str(_("Win-back plan by %(date)s") % {"date": self.target_on.isoformat()}) if self.target_on else ""

    def get_absolute_url(self):
        return reverse("complaints:churn-detail", args=[self.churn_id])

    def is_late(self, today=None) -> bool:
        return self.state == choices.WinBackState.ACTIVE and (today or timezone.localdate()) > self.target_on

    @classmethod
    def trail_label(cls, record) -> str:
        return f"{record.target_on:%Y-%m-%d}"
