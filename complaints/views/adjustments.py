"""Pages of returns (退赔) and discounts (折价).

A return or a discount is found through its customer's rights: unseen is a 404, seen but not kept a 403. The
order or contract a new one is entered against comes through the same gateway, and must be filed. Neither has
fields a change request could change once filed: a filed return is corrected by a new return (or a deletion
request), a filed discount by a new discount. A discount goes to the director the moment it is asked for; a
returned one is corrected here and submitted again from its page.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db.models import F
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView

from archive.filing import EditConflict
from contracts import selectors as contract_selectors
from contracts.models import Order
from contracts.views import EntryDetailMixin, EntryListView

from .. import selectors, services
from ..filtersets import DiscountFilterSet, ReturnFilterSet
from ..forms.adjustments import DiscountForm, ReturnForm, ReturnLines, unit_price_text

CHOOSER_SIZE = 200


def _may_change(user, entry) -> bool:
    return contract_selectors.editable_by(user, entry)


def _to_fields(form, exc: ValidationError) -> None:
    """A refusal keyed by field goes next to its field; anything else above the form."""
    for name, errors in exc.error_dict.items():
        form.add_error(name if name in form.fields and name != NON_FIELD_ERRORS else None, errors)


def _chosen_id(request, name: str) -> str | None:
    value = request.GET.get(name, "")
    return value if value.isdigit() else None


class AdjustmentFormView(FormView):
    """What the return and discount forms share: the entry being corrected, or the chooser of what to enter it on.

    Only a draft or a returned entry is edited here; a pending one waits for the director and a filed one is
    final (``filed_message`` says what to do instead).
    """

    filed_message = ""

    def dispatch(self, request, *args, **kwargs):
        self.entry = None
        self.target = None
        if "pk" in kwargs:
            self.entry = self.get_entry(request.user, kwargs["pk"])
            if not _may_change(request.user, self.entry):
                raise PermissionDenied
            if self.entry.is_filed:
                messages.info(request, self.filed_message)
                return redirect(self.entry)
            if not self.entry.is_editable_draft:
                messages.warning(
                    request, _("This entry is waiting for approval and cannot be edited until the director decides.")
                )
                return redirect(self.entry)
            self.target = self.target_of(self.entry)
        else:
            self.target = self.get_target(request)
            if self.target is None and not contract_selectors.customers_to_change(user=request.user).exists():
                raise PermissionDenied
            if self.target is not None:
                if not _may_change(request.user, self.target):
                    raise PermissionDenied
                if not self.target.is_filed:
                    messages.error(request, self.not_filed_message)
                    return redirect(self.target)
        return super().dispatch(request, *args, **kwargs)

    @property
    def customer(self):
        return self.entry.customer if self.entry else self.target.customer

    def get_form_kwargs(self):
        kwargs = {**super().get_form_kwargs(), "customer_id": self.customer.pk}
        if self.entry is not None:
            kwargs["instance"] = self.entry
        return kwargs

    def get_initial(self):
        initial = super().get_initial()
        if self.entry is None and (complaint := _chosen_id(self.request, "complaint")):
            initial["complaint"] = int(complaint)
        return initial

    def get(self, request, *args, **kwargs):
        if self.target is None:
            return self.render_to_response(self.chooser_context())
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if self.target is None:
            return redirect(request.path)
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(entry=self.entry, target=self.target, customer=self.customer)
        return context

    def chooser_context(self) -> dict:
        user, term = self.request.user, self.request.GET.get("q", "").strip()
        orders = selectors.filed_orders(user=user)
        if term:
            orders = orders.filter(customer__name__icontains=term)
        if customer_id := _chosen_id(self.request, "customer"):
            orders = orders.filter(customer_id=customer_id)
        return {
            "view": self,
            "entry": None,
            "choosing": True,
            "q": term,
            "orders": orders[:CHOOSER_SIZE],
            "chooser_size": CHOOSER_SIZE,
        }

    def refused(self, form, exc, **context):
        """A service said no: the form comes back with its message and everything typed."""
        if isinstance(exc, EditConflict):
            form.add_error(None, str(exc))
            context["conflict"] = exc
        elif hasattr(exc, "error_dict"):
            _to_fields(form, exc)
        else:
            form.add_error(None, exc)
        return self.render_to_response(self.get_context_data(form=form, **context))


# ---- Returns --------------------------------------------------------------------------------------------------


class ReturnListView(EntryListView):
    """退赔一览: the returns of the customers the user may read, newest first, with their total."""

    filterset_class = ReturnFilterSet
    template_name = "complaints/return_list.html"
    total_field = "total"

    def get_queryset(self):
        return selectors.return_list(user=self.request.user)


class ReturnDetailView(EntryDetailMixin, TemplateView):
    """The return, line by line next to what was ordered and what is still returnable of each line."""

    template_name = "complaints/return_detail.html"

    def get_entry(self, user, pk):
        return selectors.return_detail(user=user, pk=pk)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        entry = self.entry
        left = services.returnable(entry.order, exclude=entry)
        rows = [
            {
                "line": line,
                "left": left[line.order_line_id],
                "after": left[line.order_line_id].quantity - line.quantity,
                "unit_price": unit_price_text(left[line.order_line_id].unit_amount),
            }
            for line in selectors.return_lines(entry)
        ]
        context.update(rows=rows, over=any(row["after"] < 0 for row in rows), order=entry.order)
        return context


class ReturnFormView(AdjustmentFormView):
    """Enter a return of a filed order's goods (``?order=``), or correct a draft or returned one.

    One row per order line shows what was ordered, what committed returns already took back and what is left;
    a line asked beyond that is refused next to the line, and nothing is saved.
    """

    form_class = ReturnForm
    template_name = "complaints/return_form.html"

    @property
    def filed_message(self):
        return _(
            "This return is filed and stays as filed. Correct it with a new return of the same order, "
            "or request its deletion."
        )

    @property
    def not_filed_message(self):
        return _("Only goods of a filed order can be returned: submit the order for approval first.")

    def get_entry(self, user, pk):
        return selectors.return_detail(user=user, pk=pk)

    def target_of(self, entry):
        return entry.order

    def get_target(self, request):
        order_id = _chosen_id(request, "order")
        return contract_selectors.order_detail(user=request.user, pk=order_id) if order_id else None

    def get_initial(self):
        initial = super().get_initial()
        if self.entry is None:
            initial["returned_on"] = timezone.localdate()
        return initial

    def get_lines(self) -> ReturnLines:
        data = self.request.POST if self.request.method == "POST" else None
        return ReturnLines(self.target, data=data, entry=self.entry)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("lines", self.get_lines())
        context["order"] = self.target
        return context

    def post(self, request, *args, **kwargs):
        if self.target is None:
            return redirect(request.path)
        form, lines = self.get_form(), self.get_lines()
        if not all([form.is_valid(), lines.is_valid()]):
            return self.render_to_response(self.get_context_data(form=form, lines=lines))
        user = request.user
        try:
            if self.entry is None:
                entry = services.return_create(
                    actor=user, order_id=self.target.pk, data=form.return_data(), lines=lines.lines()
                )
                messages.success(
                    request,
                    _("Return entered as a draft: total ¥%(total)s. Submit it for approval when ready.")
                    % {"total": f"{entry.total:,.2f}"},
                )
            else:
                entry = services.return_update(
                    actor=user,
                    return_id=self.entry.pk,
                    data=form.return_data(),
                    lines=lines.lines(),
                    expected_version=form.cleaned_data.get("version"),
                )
                messages.success(request, _("Return saved: total ¥%(total)s.") % {"total": f"{entry.total:,.2f}"})
        except EditConflict as exc:
            return self.refused(form, exc, lines=lines)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                return self.refused(form, exc, lines=lines)
            for error in lines.refused(exc.error_list):
                form.add_error(None, error)
            if lines.has_errors:
                form.add_error(None, _("Nothing was saved: the marked lines ask for more than can still be returned."))
            return self.render_to_response(self.get_context_data(form=form, lines=lines))
        return redirect(entry)


# ---- Discounts ------------------------------------------------------------------------------------------------


class DiscountListView(EntryListView):
    """折价一览: the discounts asked for on the orders and contracts of the customers the user may read."""

    filterset_class = DiscountFilterSet
    template_name = "complaints/discount_list.html"
    total_field = "amount"

    def get_queryset(self):
        return selectors.discount_list(user=self.request.user).annotate(net_after=F("base") - F("amount"))


class DiscountDetailView(EntryDetailMixin, TemplateView):
    """The discount, its order or contract, and what that total becomes once it is approved."""

    template_name = "complaints/discount_detail.html"

    def get_entry(self, user, pk):
        return selectors.discount_detail(user=user, pk=pk)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        entry = self.entry
        discounted = selectors.discounts_of(entry.target)
        context.update(
            target=entry.target,
            discounted=discounted,
            net_once_approved=discounted.net if entry.is_filed else discounted.net - entry.amount,
        )
        return context


class DiscountFormView(AdjustmentFormView):
    """Ask for a discount on a filed order (``?order=``) or contract (``?contract=``), or correct a returned one."""

    form_class = DiscountForm
    template_name = "complaints/discount_form.html"

    @property
    def filed_message(self):
        return _("This discount is filed and stays as approved. Ask for a new discount, or request its deletion.")

    @property
    def not_filed_message(self):
        return _("A discount is asked for on a filed order or contract: submit it for approval first.")

    def get_entry(self, user, pk):
        return selectors.discount_detail(user=user, pk=pk)

    def target_of(self, entry):
        return entry.target

    def get_target(self, request):
        if order_id := _chosen_id(request, "order"):
            return contract_selectors.order_detail(user=request.user, pk=order_id)
        if contract_id := _chosen_id(request, "contract"):
            return contract_selectors.contract_detail(user=request.user, pk=contract_id)
        return None

    def chooser_context(self) -> dict:
        context = super().chooser_context()
        contracts = selectors.filed_contracts(user=self.request.user)
        if context["q"]:
            contracts = contracts.filter(customer__name__icontains=context["q"])
        if customer_id := _chosen_id(self.request, "customer"):
            contracts = contracts.filter(customer_id=customer_id)
        return {**context, "contracts": contracts[:CHOOSER_SIZE]}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        discounted = selectors.discounts_of(self.target)
        context.update(
            discounted=discounted,
            left=discounted.base - discounted.approved - discounted.pending,
            base_fen=int(discounted.base * 100),
            net_fen=int(discounted.net * 100),
            others=[d for d in discounted.discounts if self.entry is None or d.pk != self.entry.pk],
            on_order=isinstance(self.target, Order),
        )
        return context

    def form_valid(self, form):
        user, data = self.request.user, form.discount_data()
        try:
            if self.entry is None:
                target = {"order_id" if isinstance(self.target, Order) else "contract_id": self.target.pk}
                discount = services.discount_request(actor=user, data=data, **target)
                messages.success(
                    self.request,
                    _("Discount of ¥%(amount)s asked for: it went to the director for approval.")
                    % {"amount": f"{discount.amount:,.2f}"},
                )
            else:
                discount = services.discount_update(
                    actor=user, discount_id=self.entry.pk, data=data, expected_version=form.cleaned_data.get("version")
                )
                messages.success(
                    self.request,
                    _("Discount request corrected: ¥%(amount)s. Submit it again to send it to the director.")
                    % {"amount": f"{discount.amount:,.2f}"},
                )
        except (ValidationError, EditConflict) as exc:
            return self.refused(form, exc)
        return redirect(discount)
