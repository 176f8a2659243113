"""Receivables and credit: the third category of a customer's archive (应收账款与信用档案).

A customer's **credit profile** (grade, limit, terms, payment method, security) changes only when the director
approves a **credit application** scored on the 5C. Each filed order opens a **receivable**, due after the
profile's terms; **payments** are **allocated** to receivables, never beyond either side. An **extension**
moves a receivable's due date once the director approves it, and the ledger keeps the original. A **repayment
plan** lists the instalments agreed with the customer, to be compared with what came in. Money is ``Decimal``.
"""

import uuid
from decimal import Decimal
from pathlib import PurePosixPath

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from archive.choices import Category
from archive.models import FiledEntry, TimeStamped, TrailRecord
from archive.storage import NamedStorage
from contracts.models import MONEY, Order
from customers.models import Customer

from . import choices

evidence_storage = NamedStorage("attachments")
SCORE = [MinValueValidator(1), MaxValueValidator(5)]
POSITIVE = [MinValueValidator(Decimal("0.01"))]


def _created_by():
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )


class CreditProfile(TimeStamped):
    """The credit a customer enjoys (信用档案): written only by an approved credit application."""

    customer = models.OneToOneField(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="credit_profile"
    )
    credit_grade = models.CharField(_("credit grade"), max_length=3, choices=choices.CreditGrade.choices)
    limit = models.DecimalField(_("credit limit (CNY)"), **MONEY, validators=[MinValueValidator(Decimal(0))])
    terms_days = models.PositiveSmallIntegerField(_("payment terms (days)"))
    payment_method = models.CharField(_("payment method"), max_length=24, choices=choices.PaymentMethod.choices)
    guarantee = models.TextField(_("collateral or guarantee"), blank=True)
    application = models.ForeignKey(
        "CreditApplication",
        verbose_name=_("granted by application"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    history = HistoricalRecords(bases=[TrailRecord])

    class Meta:
        verbose_name = _("credit profile")
        verbose_name_plural = _("credit profiles")
        constraints = [models.CheckConstraint(condition=Q(limit__gte=0), name="creditprofile_limit_not_negative")]

    def __str__(self):
        return f"{self.credit_grade} ¥{self.limit:,.2f}"

    @classmethod
    def trail_label(cls, record) -> str:
        return f"{record.credit_grade} ¥{record.limit:,.2f}"


class CreditApplication(TimeStamped, FiledEntry):
    """A request for credit scored on the 5C (信用申请), filed through approval (``3-00n``).

    The total score, the proposed grade and the proposed limit are worked out by :mod:`credit.scoring` from the
    weights in settings each time the scores change; approval writes them into the customer's credit profile.
    """

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="credit_applications"
    )
    requested_limit = models.DecimalField(
        _("limit asked for (CNY)"), **MONEY, validators=[MinValueValidator(Decimal(0))]
    )
    terms_days = models.PositiveSmallIntegerField(
        _("payment terms (days)"), validators=[MinValueValidator(0), MaxValueValidator(365)]
    )
    payment_method = models.CharField(_("payment method"), max_length=24, choices=choices.PaymentMethod.choices)
    guarantee = models.TextField(_("collateral or guarantee"), blank=True)
    score_character = models.PositiveSmallIntegerField(_("character"), validators=SCORE)
    note_character = models.TextField(_("character: grounds"), blank=True)
    score_capacity = models.PositiveSmallIntegerField(_("capacity"), validators=SCORE)
    note_capacity = models.TextField(_("capacity: grounds"), blank=True)
    score_capital = models.PositiveSmallIntegerField(_("capital"), validators=SCORE)
    note_capital = models.TextField(_("capital: grounds"), blank=True)
    score_collateral = models.PositiveSmallIntegerField(_("collateral"), validators=SCORE)
    note_collateral = models.TextField(_("collateral: grounds"), blank=True)
    score_conditions = models.PositiveSmallIntegerField(_("conditions"), validators=SCORE)
    note_conditions = models.TextField(_("conditions: grounds"), blank=True)
    # Worked out by the services from the scores (kept so the trail and the inbox show what was approved).
    total_score = models.DecimalField(_("weighted score"), max_digits=4, decimal_places=2, default=Decimal(0))
    proposed_grade = models.CharField(
        _("proposed credit grade"), max_length=3, choices=choices.CreditGrade.choices, blank=True
    )
    proposed_limit = models.DecimalField(_("proposed limit (CNY)"), **MONEY, default=Decimal("0.00"))
    created_by = _created_by()

    filing_category = Category.CREDIT

    history = HistoricalRecords(bases=[TrailRecord])

    class Meta:
        verbose_name = _("credit application")
        verbose_name_plural = _("credit applications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(score_character__range=(1, 5))
                & Q(score_capacity__range=(1, 5))
                & Q(score_capital__range=(1, 5))
                & Q(score_collateral__range=(1, 5))
                & Q(score_conditions__range=(1, 5)),
                name="creditapplication_scores_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(requested_limit__gte=0) & Q(proposed_limit__gte=0),
                name="creditapplication_limits_not_negative",
            ),
        ]

    def __str__(self):
        return (
            _("Credit application of %(date)s") % {"date": f"{self.created_at:%Y-%m-%d}"}
            if self.created_at
            else _("Credit application")
        )

    def get_absolute_url(self):
        return reverse("credit:application-detail", args=[self.pk])

    def scores(self) -> dict[str, int]:
        return {factor: getattr(self, f"score_{factor}") for factor in choices.Factor.values}

    @classmethod
    def trail_label(cls, record) -> str:
        return f"{record.proposed_grade} ¥{record.proposed_limit:,.2f}"


def evidence_path(instance: "CreditEvidence", filename: str) -> str:
    suffix = PurePosixPath(filename.lower()).suffix[:10]
    return f"credit/{instance.application.customer_id}/{uuid.uuid4().hex}{suffix}"


class CreditEvidence(TimeStamped):
    """A document behind a score (财务报表, 担保函, 征信报告 …), served only after the gateway check."""

    application = models.ForeignKey(
        CreditApplication, verbose_name=_("credit application"), on_delete=models.CASCADE, related_name="evidence"
    )
    factor = models.CharField(_("for"), max_length=12, choices=choices.Factor.choices)
    file = models.FileField(_("file"), upload_to=evidence_path, storage=evidence_storage, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    description = models.CharField(_("description"), max_length=200, blank=True)
    uploaded_by = _created_by()

    history = HistoricalRecords(bases=[TrailRecord])

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["factor", "id"]

    def __str__(self):
        return self.original_name

    def get_absolute_url(self):
        return reverse("credit:evidence-file", args=[self.pk])

    @classmethod
    def trail_label(cls, record) -> str:
        return record.original_name


class ReceivableManager(models.Manager):
    """The receivables of the ledger: an order in the recycle bin takes its receivable along (and brings it back)."""

    def get_queryset(self):
        return super().get_queryset().filter(order__deleted_at__isnull=True)


class Receivable(TimeStamped):
    """Money the customer owes (应收账款): opened by a filed order, or entered by hand with a reason.

    ``due_on`` is the original due date and never changes; an approved extension sets ``extended_due_on``.
    What is still owed is the amount less the allocations (:mod:`credit.selectors` adds it up in the database).
    """

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="receivables"
    )
    order = models.OneToOneField(
        Order,
        verbose_name=_("order"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="receivable",
    )
    amount = models.DecimalField(_("amount (CNY)"), **MONEY, validators=POSITIVE)
    issued_on = models.DateField(_("issued on"))
    due_on = models.DateField(_("due on"))
    extended_due_on = models.DateField(_("extended to"), null=True, blank=True, editable=False)
    reason = models.TextField(
        _("reason"), blank=True, help_text=_("Why it is entered by hand (a receivable without an order).")
    )
    created_by = _created_by()

    objects = ReceivableManager()
    all_objects = models.Manager()  # noqa: DJ012 - ruff takes models.Manager() for a field

    history = HistoricalRecords(bases=[TrailRecord])

    class Meta:
        verbose_name = _("receivable")
        verbose_name_plural = _("receivables")
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="receivable_amount_positive"),
            models.CheckConstraint(condition=Q(due_on__gte=F("issued_on")), name="receivable_due_after_issue"),
            models.CheckConstraint(
                condition=Q(extended_due_on__isnull=True) | Q(extended_due_on__gt=F("due_on")),
                name="receivable_extension_later",
            ),
        ]
        indexes = [
            models.Index(fields=["customer", "due_on"], name="receivable_customer_due_idx"),
            models.Index(fields=["issued_on", "id"], name="receivable_issued_idx"),
        ]

    def __str__(self):
        return _("Receivable ¥%(amount)s due %(date)s") % {"amount": f"{self.amount:,.2f}", "date": self.current_due_on}

    def get_absolute_url(self):
        return reverse("credit:receivable-detail", args=[self.pk])

    @property
    def current_due_on(self):
        """The due date in force: the approved extension's, else the original."""
        return self.extended_due_on or self.due_on

    @classmethod
    def trail_label(cls, record) -> str:
        return f"¥{record.amount:,.2f} {record.issued_on:%Y-%m-%d}"


class Payment(TimeStamped):
    """Money received from the customer (回款), allocated to its receivables."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="payments"
    )
    received_on = models.DateField(_("received on"))
    amount = models.DecimalField(_("amount (CNY)"), **MONEY, validators=POSITIVE)
    method = models.CharField(_("payment method"), max_length=24, choices=choices.PaymentMethod.choices)
    reference = models.CharField(_("reference"), max_length=60, blank=True, help_text=_("Bank slip or bill number."))
    note = models.TextField(_("notes"), blank=True)
    created_by = _created_by()

    history = HistoricalRecords(bases=[TrailRecord])

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-received_on", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive")]
        indexes = [models.Index(fields=["customer", "received_on"], name="payment_customer_date_idx")]

    def __str__(self):
        return _("Payment ¥%(amount)s of %(date)s") % {"amount": f"{self.amount:,.2f}", "date": self.received_on}

    def get_absolute_url(self):
        return reverse("credit:payment-detail", args=[self.pk])

    @classmethod
    def trail_label(cls, record) -> str:
        return f"¥{record.amount:,.2f} {record.received_on:%Y-%m-%d}"


class PaymentAllocation(models.Model):
    """The part of a payment that settles a receivable (核销). The services keep both sides within their amount."""

    payment = models.ForeignKey(
        Payment, verbose_name=_("payment"), on_delete=models.CASCADE, related_name="allocations"
    )
    receivable = models.ForeignKey(
        Receivable, verbose_name=_("receivable"), on_delete=models.CASCADE, related_name="allocations"
    )
    amount = models.DecimalField(_("amount allocated (CNY)"), **MONEY, validators=POSITIVE)

    history = HistoricalRecords(bases=[TrailRecord])

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="allocation_amount_positive"),
            models.UniqueConstraint(fields=["payment", "receivable"], name="allocation_payment_receivable_unique"),
        ]

    def __str__(self):
        return f"¥{self.amount:,.2f}"

    @classmethod
    def trail_label(cls, record) -> str:
        return f"¥{record.amount:,.2f}"


class ExtensionRequest(TimeStamped, FiledEntry):
    """A request to pay a receivable later (延期还款), decided by the director through the filing inbox.

    Filing it (approval) moves the receivable's due date in force; the original due date stays in the ledger.
    """

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="extension_requests"
    )
    receivable = models.ForeignKey(
        Receivable, verbose_name=_("receivable"), on_delete=models.CASCADE, related_name="extensions"
    )
    previous_due_on = models.DateField(_("due on before"))
    requested_due_on = models.DateField(_("new due date"))
    reason = models.TextField(_("reason"))
    created_by = _created_by()

    filing_category = Category.CREDIT

    history = HistoricalRecords(bases=[TrailRecord])

    class Meta:
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(requested_due_on__gt=F("previous_due_on")),
                name="extension_later_than_before",
                violation_error_message=_("The new due date must be later than the one in force."),
            ),
        ]

    def __str__(self):
        return _("Extension to %(date)s") % {"date": self.requested_due_on}

    def get_absolute_url(self):
        return reverse("credit:receivable-detail", args=[self.receivable_id])

    @classmethod
    def trail_label(cls, record) -> str:
        return f"{record.previous_due_on:%Y-%m-%d} → {record.requested_due_on:%Y-%m-%d}"


class RepaymentPlan(TimeStamped):
    """Instalments agreed with the customer (回款计划), followed against the payments that come in."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="repayment_plans"
    )
    title = models.CharField(_("title"), max_length=120)
    starts_on = models.DateField(
        _("counts payments from"), help_text=_("Payments received on or after this day count towards the plan.")
    )
    note = models.TextField(_("notes"), blank=True)
    created_by = _created_by()

    history = HistoricalRecords(bases=[TrailRecord])

    class Meta:
        verbose_name = _("repayment plan")
        verbose_name_plural = _("repayment plans")
        ordering = ["-starts_on", "-id"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("credit:plan-detail", args=[self.pk])

    @classmethod
    def trail_label(cls, record) -> str:
        return record.title


class Instalment(models.Model):
    """One instalment of a repayment plan: how much, by when."""

    plan = models.ForeignKey(
        RepaymentPlan, verbose_name=_("repayment plan"), on_delete=models.CASCADE, related_name="instalments"
    )
    due_on = models.DateField(_("due on"))
    amount = models.DecimalField(_("amount (CNY)"), **MONEY, validators=POSITIVE)

    history = HistoricalRecords(bases=[TrailRecord])

    class Meta:
        verbose_name = _("instalment")
        verbose_name_plural = _("instalments")
        ordering = ["due_on", "id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="instalment_amount_positive")]

    def __str__(self):
        return f"{self.due_on} ¥{self.amount:,.2f}"

    @classmethod
    def trail_label(cls, record) -> str:
        return f"{record.due_on:%Y-%m-%d} ¥{record.amount:,.2f}"


class LimitOverride(models.Model):
    """A director letting an order through the credit limit (超额放行), with the figures and the reason."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="limit_overrides"
    )
    order = models.ForeignKey(Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="+")
    limit = models.DecimalField(_("credit limit (CNY)"), **MONEY)
    exposure = models.DecimalField(_("exposure with the order (CNY)"), **MONEY)
    reason = models.TextField(_("reason"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("let through by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    actor_name = models.CharField(_("let through by"), max_length=150)
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    history = HistoricalRecords(bases=[TrailRecord])

    class Meta:
        verbose_name = _("limit override")
        verbose_name_plural = _("limit overrides")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.order} {self.reason[:30]}"

    @classmethod
    def trail_label(cls, record) -> str:
        return f"¥{record.exposure:,.2f} > ¥{record.limit:,.2f}"
