"""Contracts in signing order, orders and their lines: the second category of a customer's archive (合同与订单).

Orders are the sales record every analysis reads (the trading status panel, ABC grading, receivables). Money is
``Decimal`` everywhere; a line's amount and an order's total are computed by :mod:`contracts.services` when the
lines are saved, rounded half up to the fen, and stored so that lists, totals and grading add them in the database.
"""

import uuid
from decimal import ROUND_HALF_UP, Decimal
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
from customers.models import Customer

from . import choices

MONEY = {"max_digits": 16, "decimal_places": 2}
FEN = Decimal("0.01")
HUNDRED = Decimal(100)

contract_storage = NamedStorage("attachments")


def money(value: Decimal) -> Decimal:
    """Round to the fen, half up, as an invoice does (never banker's rounding, never a float)."""
    return Decimal(value).quantize(FEN, rounding=ROUND_HALF_UP)


class Product(TimeStamped):
    """A product of the catalogue (产品目录) that order lines name; kept by the director and the archivist."""

    code = models.CharField(_("product code"), max_length=40, unique=True)
    name = models.CharField(_("product name"), max_length=120)
    specification = models.CharField(_("specification"), max_length=120, blank=True)
    unit = models.CharField(_("unit"), max_length=20, help_text=_("For example 台, 件, 箱, 吨."))
    category = models.CharField(_("product category"), max_length=60, blank=True)
    list_price = models.DecimalField(
        _("list price"), **MONEY, null=True, blank=True, validators=[MinValueValidator(Decimal(0))]
    )
    is_active = models.BooleanField(
        _("on sale"), default=True, help_text=_("Products no longer sold stay on old orders.")
    )

    history = HistoricalRecords(bases=[TrailRecord])

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(list_price__gte=0), name="product_list_price_not_negative"),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"


def contract_path(instance: "Contract", filename: str) -> str:
    """A random stored name under the customer's folder: the uploaded name is kept only as data."""
    suffix = PurePosixPath(filename.lower()).suffix[:10]
    return f"contracts/{instance.customer_id}/{uuid.uuid4().hex}{suffix}"


class Contract(TimeStamped, FiledEntry):
    """A contract signed with the customer (合同), kept in signing order and filed through approval (``2-00n``)."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="contracts"
    )
    number = models.CharField(_("contract number"), max_length=40)
    title = models.CharField(_("contract title"), max_length=200)
    signed_on = models.DateField(_("signed on"))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(
        _("ends on"), null=True, blank=True, help_text=_("Leave empty for an open-ended contract.")
    )
    amount = models.DecimalField(_("contract amount (CNY)"), **MONEY, validators=[MinValueValidator(Decimal(0))])
    state = models.CharField(
        _("execution state"),
        max_length=12,
        choices=choices.ContractState.choices,
        default=choices.ContractState.IN_FORCE,
    )
    file = models.FileField(
        _("signed file"), upload_to=contract_path, storage=contract_storage, max_length=200, blank=True
    )
    original_name = models.CharField(_("file name"), max_length=200, blank=True)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    note = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )

    filing_category = Category.CONTRACTS

    history = HistoricalRecords(bases=[TrailRecord])

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["signed_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["number"],
                name="contract_number_unique",
                violation_error_message=_("Another contract in the archive already has this number."),
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="contract_ends_after_start",
                violation_error_message=_("A contract cannot end before it starts."),
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="contract_amount_not_negative"),
        ]
        indexes = [
            models.Index(fields=["customer", "signed_on"], name="contract_customer_signed_idx"),
            models.Index(fields=["signed_on", "id"], name="contract_signed_idx"),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"

    def get_absolute_url(self):
        return reverse("contracts:contract-detail", args=[self.pk])

    @property
    def file_url(self) -> str:
        return reverse("contracts:contract-file", args=[self.pk]) if self.file else ""

    @classmethod
    def trail_label(cls, record) -> str:
        return f"{record.number} {record.title}"


class Order(TimeStamped, FiledEntry):
    """An order placed by the customer (订单), with its lines; filed through approval (``2-00n``).

    ``total`` is the sum of the lines' amounts, written by the services whenever lines change.
    """

    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="orders")
    contract = models.ForeignKey(
        Contract,
        verbose_name=_("under contract"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="orders",
    )
    reference = models.CharField(
        _("order reference"), max_length=40, blank=True, help_text=_("The customer's own order number, if any.")
    )
    ordered_on = models.DateField(_("order date"))
    settlement = models.CharField(
        _("settlement"), max_length=12, choices=choices.Settlement.choices, default=choices.Settlement.UNSETTLED
    )
    # Written by the services from the lines; editable only so that the change trail shows it.
    total = models.DecimalField(_("order total (CNY)"), **MONEY, default=Decimal("0.00"))
    note = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )

    filing_category = Category.CONTRACTS

    history = HistoricalRecords(bases=[TrailRecord])

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-ordered_on", "-id"]
        permissions = [
            ("grade_customers", _("Can grade customers by their sales (ABC)")),
            ("override_order_checks", _("Can let an order through a refused check (such as the credit limit)")),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(total__gte=0), name="order_total_not_negative"),
        ]
        indexes = [
            models.Index(fields=["customer", "ordered_on"], name="order_customer_date_idx"),
            models.Index(fields=["ordered_on", "id"], name="order_date_idx"),
            models.Index(fields=["status", "ordered_on"], name="order_status_date_idx"),
        ]

    def __str__(self):
        return _("Order of %(date)s") % {"date": self.ordered_on.isoformat()} if self.ordered_on else _("Order")

    def get_absolute_url(self):
        return reverse("contracts:order-detail", args=[self.pk])

    @classmethod
    def trail_label(cls, record) -> str:
        return f"{record.ordered_on:%Y-%m-%d} {record.reference}".strip()


class OrderLine(models.Model):
    """One line of an order: a product, how many, at what price, less what discount."""

    order = models.ForeignKey(Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(_("line"), default=1)
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="order_lines"
    )
    specification = models.CharField(_("specification"), max_length=120, blank=True)
    quantity = models.DecimalField(
        _("quantity"), max_digits=12, decimal_places=3, validators=[MinValueValidator(Decimal("0.001"))]
    )
    unit_price = models.DecimalField(_("unit price"), **MONEY, validators=[MinValueValidator(Decimal(0))])
    discount = models.DecimalField(
        _("discount (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(HUNDRED)],
    )
    # Computed by the services (``line_amount``); editable only so that the change trail shows it.
    amount = models.DecimalField(_("line amount"), **MONEY)

    history = HistoricalRecords(bases=[TrailRecord])

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="orderline_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="orderline_price_not_negative"),
            models.CheckConstraint(
                condition=Q(discount__gte=0) & Q(discount__lte=100), name="orderline_discount_range"
            ),
        ]

    def __str__(self):
        return f"{self.product} × {self.quantity}"

    @staticmethod
    def line_amount(quantity: Decimal, unit_price: Decimal, discount: Decimal) -> Decimal:
        """Quantity × unit price, less the discount in per cent, rounded once, to the fen, half up."""
        return money(Decimal(quantity) * Decimal(unit_price) * (HUNDRED - Decimal(discount)) / HUNDRED)

    @classmethod
    def trail_label(cls, record) -> str:
        return f"#{record.position}"
