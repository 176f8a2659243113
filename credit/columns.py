"""The columns of receivables and payments, declared once for the card's workbook and the ledger's exports."""

from django.utils.translation import gettext_lazy as _

from archive.excel import Column

RECEIVABLE_COLUMNS = [
    Column("issued_on", _("issued on"), lambda r: r.issued_on, kind="date", width=12),
    Column("order", _("order"), lambda r: r.order.reference or str(r.order) if r.order_id else "", width=18),
    Column("amount", _("amount (CNY)"), lambda r: r.amount, kind="money", width=14),
    Column("paid", _("paid (CNY)"), lambda r: r.paid, kind="money", width=14),
    Column("outstanding", _("outstanding (CNY)"), lambda r: r.outstanding, kind="money", width=14),
    Column("due_on", _("due on"), lambda r: r.due_on, kind="date", width=12),
    Column("extended_due_on", _("extended to"), lambda r: r.extended_due_on, kind="date", width=12),
    Column("reason", _("reason"), lambda r: r.reason, width=30),
]

PAYMENT_COLUMNS = [
    Column("received_on", _("received on"), lambda p: p.received_on, kind="date", width=12),
    Column("amount", _("amount (CNY)"), lambda p: p.amount, kind="money", width=14),
    Column("method", _("payment method"), lambda p: p.get_method_display(), width=14),
    Column("reference", _("reference"), lambda p: p.reference, width=18),
    Column("note", _("notes"), lambda p: p.note, width=30),
]
