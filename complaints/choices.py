from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    """How the complaint reached us (投诉渠道)."""

    PHONE = "phone", _("Telephone")
    VISIT = "visit", _("In person")
    LETTER = "letter", _("Letter")
    EMAIL = "email", _("E-mail")
    FAX = "fax", _("Fax")
    ONLINE = "online", _("Online / instant message")
    SALESPERSON = "salesperson", _("Through our salesperson")


class ComplaintCategory(models.TextChoices):
    """What the complaint is about (投诉类别)."""

    QUALITY = "quality", _("Product quality")
    DELIVERY = "delivery", _("Delivery and logistics")
    QUANTITY = "quantity", _("Wrong or short quantity")
    PACKAGING = "packaging", _("Packaging")
    PRICE = "price", _("Price and invoicing")
    SERVICE = "service", _("Service and attitude")
    AFTER_SALES = "after_sales", _("Installation and after-sales")
    OTHER = "other", _("Other")


class Severity(models.TextChoices):
    """How serious the complaint is; it sets how long we have to close it (ARCHIVE_COMPLAINT_DUE_HOURS)."""

    MINOR = "minor", _("Minor")
    MAJOR = "major", _("Major")
    CRITICAL = "critical", _("Critical")


class ComplaintState(models.TextChoices):
    """Where the handling stands (处理状态); filing into the archive follows closing."""

    OPEN = "open", _("Waiting to be handled")
    HANDLING = "handling", _("Being handled")
    CLOSED = "closed", _("Closed")


class Responsibility(models.TextChoices):
    """Whose fault it was, once established (责任鉴定)."""

    SALES = "sales", _("Our sales department")
    PRODUCTION = "production", _("Our production / quality")
    LOGISTICS = "logistics", _("Our logistics")
    SUPPLIER = "supplier", _("Our supplier")
    CARRIER = "carrier", _("The carrier")
    CUSTOMER = "customer", _("The customer")
    NONE = "none", _("Nobody: the complaint was unfounded")


class ReturnKind(models.TextChoices):
    """What the customer gets back (退赔方式)."""

    RETURN = "return", _("Return and refund")
    EXCHANGE = "exchange", _("Exchange")
    COMPENSATION = "compensation", _("Compensation")


class ReturnReason(models.TextChoices):
    """Why goods come back or are compensated (退赔原因)."""

    DEFECT = "defect", _("Defective goods")
    DAMAGED = "damaged", _("Damaged in transport")
    WRONG_ITEM = "wrong_item", _("Wrong item delivered")
    SHORT = "short", _("Short delivery")
    LATE = "late", _("Late delivery")
    UNSOLD = "unsold", _("Unsold goods taken back")
    OTHER = "other", _("Other")


class DiscountMode(models.TextChoices):
    """A discount as a share of the total or as a sum (折价方式)."""

    PERCENT = "percent", _("Percentage")
    AMOUNT = "amount", _("Amount")


class ChurnReason(models.TextChoices):
    """Why the customer left (流失原因类别)."""

    PRICE = "price", _("Price")
    QUALITY = "quality", _("Product quality")
    SERVICE = "service", _("Service")
    COMPETITOR = "competitor", _("Won by a competitor")
    CREDIT = "credit", _("Credit or payment terms")
    STAFF = "staff", _("Our contact person left")
    BUSINESS = "business", _("Customer closed or changed business")
    RELOCATED = "relocated", _("Customer moved away")
    OTHER = "other", _("Other")


class WinBackState(models.TextChoices):
    """Where a win-back plan (挽回计划) stands."""

    ACTIVE = "active", _("In progress")
    WON_BACK = "won_back", _("Won back")
    ABANDONED = "abandoned", _("Given up")


# Bootstrap colours of the badges.
SEVERITY_COLOURS = {Severity.MINOR: "secondary", Severity.MAJOR: "warning", Severity.CRITICAL: "danger"}
STATE_COLOURS = {ComplaintState.OPEN: "danger", ComplaintState.HANDLING: "warning", ComplaintState.CLOSED: "success"}
WIN_BACK_COLOURS = {WinBackState.ACTIVE: "info", WinBackState.WON_BACK: "success", WinBackState.ABANDONED: "secondary"}
