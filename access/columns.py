"""The columns of the handover list (交接清单), declared once for its Excel export.

Rows are the items of :func:`access.selectors.handovers.handover_sheet`; the customer's figures are blank for a
customer the reader may not read (or in the recycle bin).
"""

from django.utils.translation import gettext_lazy as _

from archive.excel import Column

from .selectors.handovers import moved_summary


def _figure(name):
    return lambda item: getattr(item, name) if item.readable else None


def moved_text(item) -> str:
    return "、".join(f"{label} {count}" for label, count in moved_summary(item.moved))


HANDOVER_COLUMNS = [
    Column("archive_no", _("archive number"), lambda i: i.archive_no, width=16),
    Column("customer", _("customer"), lambda i: i.customer_name, width=32),
    Column("grade", _("grade"), _figure("grade"), kind="grade", width=8),
    Column("role", _("role"), lambda i: i.get_role_display(), width=12),
    Column("from", _("handed over by"), lambda i: i.handover.from_name, width=14),
    Column("to", _("handed to"), lambda i: i.to_name, width=14),
    Column("contracts", _("contracts"), _figure("contract_count"), kind="int", width=10),
    Column("orders", _("orders"), _figure("order_count"), kind="int", width=10),
    Column("outstanding", _("outstanding (CNY)"), _figure("outstanding"), kind="money", width=16),
    Column("open_complaints", _("open complaints"), _figure("open_complaints"), kind="int", width=12),
    Column("moved", _("moved with it"), moved_text, width=40),
]
