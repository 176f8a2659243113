"""The columns of the fifth category, declared once for the card's workbook sheets."""

from django.utils.translation import gettext_lazy as _

from archive import filing
from archive.excel import Column


def _catalogue_number(entry) -> str:
    return filing.catalogue_number(entry.customer, entry)


def _order(entry) -> str:
    return entry.order.ordered_on if entry.order_id else None


COMPLAINT_COLUMNS = [
    Column("catalogue_no", _("catalogue number"), _catalogue_number, width=24),
    Column("received_at", _("received at"), lambda c: c.received_at, kind="datetime", width=17),
    Column("subject", _("subject"), lambda c: c.subject, width=28),
    Column("channel", _("complaint channel"), lambda c: c.get_channel_display(), width=12),
    Column("category", _("complaint category"), lambda c: c.get_category_display(), width=14),
    Column("severity", _("severity"), lambda c: c.get_severity_display(), width=8),
    Column("content", _("what the customer says"), lambda c: c.content, width=40),
    Column("handler", _("handled by"), lambda c: c.handler.get_full_name() if c.handler_id else "", width=12),
    Column("state", _("handling state"), lambda c: c.get_state_display(), width=10),
    Column("due_at", _("to be closed by"), lambda c: c.due_at, kind="datetime", width=17),
    Column("result", _("result"), lambda c: c.result, width=36),
    Column("responsibility", _("responsibility"), lambda c: c.get_responsibility_display(), width=16),
    Column("satisfaction", _("customer satisfaction"), lambda c: c.satisfaction, kind="int", width=8),
    Column("closed_on", _("closed on"), lambda c: c.closed_on, kind="date", width=12),
    Column("status", _("filing status"), lambda c: c.get_status_display(), width=10),
]

RETURN_COLUMNS = [
    Column("catalogue_no", _("catalogue number"), _catalogue_number, width=24),
    Column("returned_on", _("return date"), lambda r: r.returned_on, kind="date", width=12),
    Column("order", _("order date"), _order, kind="date", width=12),
    Column("kind", _("return type"), lambda r: r.get_kind_display(), width=12),
    Column("reason_category", _("reason category"), lambda r: r.get_reason_category_display(), width=14),
    Column("reason", _("reason"), lambda r: r.reason, width=36),
    Column("total", _("return total (CNY)"), lambda r: r.total, kind="money", width=16),
    Column("status", _("filing status"), lambda r: r.get_status_display(), width=10),
]

DISCOUNT_COLUMNS = [
    Column("catalogue_no", _("catalogue number"), _catalogue_number, width=24),
    Column("order", _("order date"), _order, kind="date", width=12),
    Column("contract", _("contract number"), lambda d: d.contract.number if d.contract_id else "", width=18),
    Column("base", _("before the discount (CNY)"), lambda d: d.base, kind="money", width=16),
    Column("percent", _("discount rate (%)"), lambda d: d.percent, kind="money", width=10),
    Column("amount", _("discount amount (CNY)"), lambda d: d.amount, kind="money", width=16),
    Column("reason", _("reason"), lambda d: d.reason, width=36),
    Column("status", _("filing status"), lambda d: d.get_status_display(), width=10),
]


def _plan(churn, attribute):
    plan = getattr(churn, "win_back", None)  # a missing one-to-one raises a subclass of AttributeError
    return attribute(plan) if plan is not None else None


CHURN_COLUMNS = [
    Column("catalogue_no", _("catalogue number"), _catalogue_number, width=24),
    Column("churned_on", _("lost on"), lambda c: c.churned_on, kind="date", width=12),
    Column("reason_category", _("reason category"), lambda c: c.get_reason_category_display(), width=14),
    Column("narrative", _("what happened"), lambda c: c.narrative, width=40),
    Column("competitor", _("competitor that won the customer"), lambda c: c.competitor, width=20),
    Column("status", _("filing status"), lambda c: c.get_status_display(), width=10),
    Column("next_steps", _("next steps"), lambda c: _plan(c, lambda p: p.next_steps), width=36),
    Column("target_on", _("next step by"), lambda c: _plan(c, lambda p: p.target_on), kind="date", width=12),
    Column("plan_state", _("win-back"), lambda c: _plan(c, lambda p: p.get_state_display()), width=10),
]
