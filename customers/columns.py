"""The customer register's columns, declared once for the Excel export (and the import that reads it back)."""

from django.utils.translation import gettext_lazy as _

from archive.excel import Column

from .models import Customer


def _field(name: str, **kwargs) -> Column:
    """A column read straight off a model field, labelled with the field's verbose name."""
    field = Customer._meta.get_field(name)
    getter = (
        (lambda c, n=name: getattr(c, f"get_{n}_display")()) if field.choices else (lambda c, n=name: getattr(c, n))
    )
    kind = {
        "DecimalField": "money",
        "DateField": "date",
        "DateTimeField": "datetime",
        "PositiveIntegerField": "int",
        "PositiveSmallIntegerField": "int",
    }.get(field.get_internal_type(), "text")
    return Column(name=name, label=field.verbose_name, get=getter, kind=kwargs.pop("kind", kind), **kwargs)


def _person(user) -> str:
    return user.get_full_name() or user.get_username()


REGISTER_COLUMNS = [
    _field("archive_no", width=16, importable=False),
    _field("name", width=34),
    _field("short_name", width=12),
    _field("credit_code", width=22),
    Column("grade", _("grade"), lambda c: c.grade, kind="grade", width=8),
    _field("tier", width=10),
    _field("lifecycle", width=12),
    _field("nature", width=12),
    _field("ownership", width=10),
    _field("channel", width=10),
    Column("region", _("region"), lambda c: c.region.name if c.region_id else "", width=10),
    _field("route", width=10),
    _field("visit_order", width=8),
    Column("owner", _("account manager"), lambda c: _person(c.owner), width=12),
    _field("legal_representative", width=12),
    _field("registered_capital", width=16),
    _field("founded_on", width=12),
    _field("industry", width=16),
    _field("address", width=36),
    _field("postcode", width=9),
    _field("phone", width=16),
    _field("fax", width=16),
    _field("email", width=24),
    _field("website", width=24),
    _field("first_deal_on", width=12),
    _field("employees", width=9),
    _field("annual_sales", width=16),
    Column("contact_count", _("contacts"), lambda c: c.contact_count, kind="int", width=8, importable=False),
    _field("status", width=10, importable=False),
    _field("updated_at", width=17, importable=False),
]
