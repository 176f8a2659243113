"""The columns of contracts and orders, declared once for the card's workbook sheets and the lists' exports."""

from django.utils.translation import gettext_lazy as _

from archive import filing
from archive.excel import Column


def _catalogue_number(entry) -> str:
    return filing.catalogue_number(entry.customer, entry)


CONTRACT_COLUMNS = [
    Column("catalogue_no", _("catalogue number"), _catalogue_number, width=24),
    Column("number", _("contract number"), lambda c: c.number, width=18),
    Column("title", _("contract title"), lambda c: c.title, width=30),
    Column("signed_on", _("signed on"), lambda c: c.signed_on, kind="date", width=12),
    Column("starts_on", _("starts on"), lambda c: c.starts_on, kind="date", width=12),
    Column("ends_on", _("ends on"), lambda c: c.ends_on, kind="date", width=12),
    Column("amount", _("contract amount (CNY)"), lambda c: c.amount, kind="money", width=16),
    Column("state", _("execution state"), lambda c: c.get_state_display(), width=10),
    Column("status", _("filing status"), lambda c: c.get_status_display(), width=10),
    Column("original_name", _("signed file"), lambda c: c.original_name, width=24),
    Column("note", _("notes"), lambda c: c.note, width=30),
]

ORDER_COLUMNS = [
    Column("catalogue_no", _("catalogue number"), _catalogue_number, width=24),
    Column("ordered_on", _("order date"), lambda o: o.ordered_on, kind="date", width=12),
    Column("reference", _("order reference"), lambda o: o.reference, width=16),
    Column("contract", _("under contract"), lambda o: o.contract.number if o.contract_id else "", width=18),
    Column("total", _("order total (CNY)"), lambda o: o.total, kind="money", width=16),
    Column("settlement", _("settlement"), lambda o: o.get_settlement_display(), width=10),
    Column("status", _("filing status"), lambda o: o.get_status_display(), width=10),
    Column("note", _("notes"), lambda o: o.note, width=30),
]

ORDER_LINE_COLUMNS = [
    Column("ordered_on", _("order date"), lambda line: line.order.ordered_on, kind="date", width=12),
    Column("position", _("line"), lambda line: line.position, kind="int", width=6),
    Column("product_code", _("product code"), lambda line: line.product.code, width=14),
    Column("product", _("product name"), lambda line: line.product.name, width=24),
    Column("specification", _("specification"), lambda line: line.specification, width=16),
    Column("quantity", _("quantity"), lambda line: line.quantity, kind="money", width=10),
    Column("unit", _("unit"), lambda line: line.product.unit, width=6),
    Column("unit_price", _("unit price"), lambda line: line.unit_price, kind="money", width=12),
    Column("discount", _("discount (%)"), lambda line: line.discount, kind="money", width=10),
    Column("amount", _("line amount"), lambda line: line.amount, kind="money", width=14),
]
