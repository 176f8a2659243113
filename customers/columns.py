"""The customer register's columns, declared once for the Excel export and the import that reads it back.

An importable column is matched by its Chinese or English label, its name, or one of its ``aliases``: the
headers companies' own lists tend to use for the same thing.
"""

from django.utils.translation import gettext_lazy as _

from archive import filing
from archive.excel import Column

from .models import Attachment, Contact, Customer, Interaction

# The card's fields in the order of the paper card, grouped as the seeds group them.
CARD_FIELDSETS = [
    (
        _("Identity"),
        [
            "name",
            "short_name",
            "credit_code",
            "legal_representative",
            "organisation_form",
            "registered_capital",
            "founded_on",
            "industry",
            "business_scope",
            "total_assets",
            "employees",
            "annual_sales",
            "first_deal_on",
            "data_source",
        ],
    ),
    (_("Address and contact"), ["address", "postcode", "phone", "fax", "email", "website"]),
    (
        _("Classification"),
        [
            "nature",
            "ownership",
            "channel",
            "location_type",
            "lifecycle",
            "tier",
            "grade_override",
            "chain_position",
            "region",
            "route",
            "visit_order",
            "best_visit_time",
            "reviewed_on",
        ],
    ),
    (
        _("Characteristics"),
        [
            "service_area",
            "sales_capability",
            "development_potential",
            "business_philosophy",
            "business_scale",
            "management_style",
        ],
    ),
    (
        _("Business status"),
        ["sales_performance", "staff_quality", "competitor_relations", "cooperation_attitude", "competing_products"],
    ),
    (
        _("Trading status"),
        [
            "trading_problems",
            "trading_strengths",
            "future_plans",
            "reputation",
            "credit_standing",
            "trading_terms",
            "past_credit_issues",
            "notes",
        ],
    ),
]


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
    _field("name", width=34, aliases=("客户", "客户全称", "公司名称", "单位名称", "企业名称", "company")),
    _field("short_name", width=12, aliases=("客户简称", "公司简称")),
    _field("credit_code", width=22, aliases=("信用代码", "社会信用代码", "credit code", "USCC")),
    Column("grade", _("grade"), lambda c: c.grade, kind="grade", width=8, aliases=("等级",)),
    _field("tier", width=10),
    _field("lifecycle", width=12),
    _field("nature", width=12),
    _field("ownership", width=10),
    _field("channel", width=10, aliases=("渠道",)),
    Column(
        "region", _("region"), lambda c: c.region.name if c.region_id else "", width=10, aliases=("销售区域", "片区")
    ),
    _field("route", width=10, aliases=("线路", "拜访路线")),
    _field("visit_order", width=8),
    Column(
        "owner", _("account manager"), lambda c: _person(c.owner), width=12, aliases=("业务员", "负责人", "销售代表")
    ),
    _field("legal_representative", width=12, aliases=("法人", "法人代表")),
    _field("registered_capital", width=16, aliases=("注册资金",)),
    _field("founded_on", width=12, aliases=("成立时间",)),
    _field("industry", width=16, aliases=("行业",)),
    _field("address", width=36, aliases=("公司地址", "联系地址", "详细地址")),
    _field("postcode", width=9, aliases=("邮编",)),
    _field("phone", width=16, aliases=("联系电话", "telephone")),
    _field("fax", width=16),
    _field("email", width=24, aliases=("邮箱", "电子邮件")),
    _field("website", width=24, aliases=("网站", "主页")),
    _field("first_deal_on", width=12),
    _field("employees", width=9, aliases=("员工人数",)),
    _field("annual_sales", width=16),
    Column("contact_count", _("contacts"), lambda c: c.contact_count, kind="int", width=8, importable=False),
    _field("status", width=10, importable=False),
    _field("updated_at", width=17, importable=False),
]


def _record_columns(model, names: list[str], widths: dict[str, int] | None = None) -> list[Column]:
    """Columns read straight off the fields of a record on the card (contacts, interactions…)."""
    columns = []
    for name in names:
        field = model._meta.get_field(name)
        if field.is_relation:
            getter = lambda r, n=name: _person(getattr(r, n)) if getattr(r, n) is not None else ""  # noqa: E731
            kind = "text"
        elif field.get_internal_type() == "BooleanField":
            getter = lambda r, n=name: str(_("Yes") if getattr(r, n) else _("No"))  # noqa: E731
            kind = "text"
        elif field.choices:
            getter = lambda r, n=name: getattr(r, f"get_{n}_display")()  # noqa: E731
            kind = "text"
        else:
            getter = lambda r, n=name: getattr(r, n)  # noqa: E731
            kind = {"DateField": "date", "DateTimeField": "datetime", "PositiveIntegerField": "int"}.get(
                field.get_internal_type(), "text"
            )
        columns.append(Column(name, field.verbose_name, getter, kind=kind, width=(widths or {}).get(name, 14)))
    return columns


def card_rows(customer: Customer):
    """The card as (section, label, value) rows, in the order of the paper card."""
    from .selectors import card_values

    if customer.archive_no:
        yield (str(_("Archive")), str(_("catalogue number")), filing.catalogue_number(customer, customer))
        yield (str(_("Archive")), str(_("filing status")), customer.get_status_display())
    for title, rows in card_values(customer=customer):
        for field, value in rows:
            yield (str(title), str(field.verbose_name), value)


CARD_COLUMNS = [
    Column("group", _("section"), lambda r: r[0], width=14),
    Column("field", _("field"), lambda r: r[1], width=24),
    Column("value", _("value"), lambda r: r[2], width=60),
]

CONTACT_COLUMNS = _record_columns(
    Contact,
    [
        "name",
        "gender",
        "title",
        "department",
        "department_role",
        "level",
        "is_key_person",
        "phone",
        "mobile",
        "email",
        "birthday",
        "education",
        "personality",
        "hobbies",
        "family",
        "background",
        "notes",
    ],
    {"name": 10, "email": 24, "personality": 24, "hobbies": 24, "family": 24, "background": 30},
)
INTERACTION_COLUMNS = _record_columns(
    Interaction,
    ["occurred_on", "kind", "staff", "their_people", "subject", "content", "next_step", "next_step_on"],
    {"subject": 24, "content": 50, "next_step": 24, "their_people": 20},
)
ATTACHMENT_COLUMNS = [
    # The related manager hands each document its customer, so the number costs no query per row.
    Column("catalogue_no", _("catalogue number"), lambda a: filing.catalogue_number(a.customer, a), width=24),
    *_record_columns(
        Attachment,
        ["kind", "title", "status", "original_name", "content_type", "size", "uploaded_by", "uploaded_at"],
        {"title": 24, "original_name": 28, "uploaded_at": 17},
    ),
]
