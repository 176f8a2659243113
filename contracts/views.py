"""Pages of contracts, orders and the product catalogue. Views parse the request, ask one selector or service,
and render. A contract or order is found through its customer's rights: unseen means 404."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, ListView, TemplateView
from django_filters.views import FilterView

from archive import filing
from archive.filing import EditConflict
from customers import access_log, permissions

from . import grading, selectors, services
from .filtersets import ContractFilterSet, OrderFilterSet
from .forms import ContractForm, OrderForm, ProductForm, line_formset
from .models import Product

# ---- Lists ----------------------------------------------------------------------------------------------------


class EntryListView(FilterView):
    """A filtered, sorted, paged list with a totals row over every page, computed by the database."""

    paginate_by = settings.ARCHIVE_PAGE_SIZE
    total_field = ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["totals"] = selectors.totals(self.object_list, self.total_field)
        query = self.request.GET.copy()
        query.pop("page", None)
        context["query_string"] = query.urlencode()
        customer_id = self.filterset.form.cleaned_data.get("customer") if self.filterset.is_bound else None
        if customer_id:
            context["filter_customer"] = permissions.visible_customers(self.request.user).filter(pk=customer_id).first()
        context["can_add"] = selectors.customers_to_change(user=self.request.user).exists()
        return context


class ContractListView(EntryListView):
    """合同一览: the contracts of the customers the user may read, in signing order."""

    filterset_class = ContractFilterSet
    template_name = "contracts/contract_list.html"
    total_field = "amount"

    def get_queryset(self):
        return selectors.contract_list(user=self.request.user)


class OrderListView(EntryListView):
    """订单一览: the orders of the customers the user may read, newest first."""

    filterset_class = OrderFilterSet
    template_name = "contracts/order_list.html"
    total_field = "total"

    def get_queryset(self):
        return selectors.order_list(user=self.request.user)


# ---- One contract or order ------------------------------------------------------------------------------------


class EntryDetailMixin:
    """The entry of the URL through its customer's rights, and what its page shows of its filing."""

    def dispatch(self, request, *args, **kwargs):
        self.entry = self.get_entry(request.user, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        entry = self.entry
        context.update(
            entry=entry,
            customer=entry.customer,
            can_edit=selectors.editable_by(self.request.user, entry),
            filing_requests=filing.entry_requests(entry),
            returned_request=filing.last_returned(entry),
            catalogue_number=filing.catalogue_number(entry.customer, entry),
        )
        return context


class ContractDetailView(EntryDetailMixin, TemplateView):
    template_name = "contracts/contract_detail.html"

    def get_entry(self, user, pk):
        return selectors.contract_detail(user=user, pk=pk)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["orders"] = self.entry.orders.order_by("-ordered_on", "-id")
        context["order_totals"] = selectors.totals(self.entry.orders.all(), "total")
        return context


class OrderDetailView(EntryDetailMixin, TemplateView):
    template_name = "contracts/order_detail.html"

    def get_entry(self, user, pk):
        return selectors.order_detail(user=user, pk=pk)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "lines": selectors.order_lines(order=self.entry)}


class ContractFileView(View):
    """The signed contract's bytes, after the gateway says the user may read its customer."""

    def get(self, request, pk):
        contract = selectors.contract_detail(user=request.user, pk=pk)
        if not contract.file:
            raise Http404
        filename = contract.original_name or contract.file.name.rsplit("/", 1)[-1]
        access_log.register(
            request, access_log.Action.DOWNLOAD, customer=contract.customer_id, what=f"{contract} · {filename}"
        )
        response = FileResponse(
            contract.file.open("rb"),
            content_type=contract.content_type or "application/octet-stream",
            as_attachment=request.GET.get("download") == "1",
            filename=filename,
        )
        # The bytes were checked on upload; the sandbox still stops any script a crafted file might carry.
        response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
        response["Cache-Control"] = "private, no-store"
        return response


# ---- Forms ----------------------------------------------------------------------------------------------------


class EntryFormView(FormView):
    """Enter a new entry, edit a draft or returned one, or propose a change to a filed one.

    The entry and the customer choices come through the gateway: an entry the user cannot read is a 404, one
    they read but may not change a 403, and a customer they may not change is not among the choices.
    """

    pk_url_kwarg = "pk"

    def dispatch(self, request, *args, **kwargs):
        self.entry = None
        if self.pk_url_kwarg in kwargs:
            self.entry = self.get_entry(request.user, kwargs[self.pk_url_kwarg])
            if not selectors.editable_by(request.user, self.entry):
                raise PermissionDenied
            if not (self.entry.is_editable_draft or self.entry.is_filed):
                messages.warning(
                    request, _("This entry is waiting for approval and cannot be edited until the director decides.")
                )
                return redirect(self.entry)
        elif not selectors.customers_to_change(user=request.user).exists():
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    @property
    def proposing(self) -> bool:
        return self.entry is not None and self.entry.is_filed

    def get_initial(self):
        initial = super().get_initial()
        if self.entry is None and self.request.GET.get("customer", "").isdigit():
            initial["customer"] = int(self.request.GET["customer"])
        return initial

    def get_form_kwargs(self):
        kwargs = {**super().get_form_kwargs(), "user": self.request.user, "proposing": self.proposing}
        if self.entry is not None:
            kwargs["instance"] = self.entry
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(entry=self.entry, proposing=self.proposing, customer=self.entry.customer if self.entry else None)
        return context

    def refused(self, form, exc, **context):
        if isinstance(exc, EditConflict):
            form.add_error(None, str(exc))
            context["conflict"] = exc
        else:
            form.add_error(None, exc)
        return self.render_to_response(self.get_context_data(form=form, **context))

    def proposed(self, filing_request):
        messages.success(
            self.request,
            _("Change request #%(number)s sent to the director; the filed entry stays as it is until approved.")
            % {"number": filing_request.pk},
        )
        return redirect(self.entry)


class ContractFormView(EntryFormView):
    form_class = ContractForm
    template_name = "contracts/contract_form.html"

    def get_entry(self, user, pk):
        return selectors.contract_detail(user=user, pk=pk)

    def form_valid(self, form):
        data, user = form.contract_data(), self.request.user
        try:
            if self.proposing:
                return self.proposed(
                    services.contract_change_propose(
                        actor=user, contract_id=self.entry.pk, data=data, note=form.cleaned_data["reason"]
                    )
                )
            if self.entry is None:
                contract = services.contract_create(
                    actor=user, customer_id=form.customer.pk, data=data, upload=form.cleaned_data.get("upload")
                )
                messages.success(
                    self.request, _("Contract %(number)s entered as a draft.") % {"number": contract.number}
                )
            else:
                contract = services.contract_update(
                    actor=user,
                    contract_id=self.entry.pk,
                    data=data,
                    upload=form.cleaned_data.get("upload"),
                    expected_version=form.cleaned_data.get("version"),
                )
                messages.success(self.request, _("Contract saved."))
        except (ValidationError, EditConflict) as exc:
            return self.refused(form, exc)
        return redirect(contract)


class OrderFormView(EntryFormView):
    """An order and its lines; on a filed order only the header can change (its lines are the sales record)."""

    form_class = OrderForm
    template_name = "contracts/order_form.html"

    def get_entry(self, user, pk):
        return selectors.order_detail(user=user, pk=pk)

    def get_initial(self):
        initial = super().get_initial()
        if self.entry is None:
            initial["ordered_on"] = timezone.localdate()
        return initial

    def get_formset(self):
        data = self.request.POST if self.request.method == "POST" else None
        return None if self.proposing else line_formset(data=data, order=self.entry)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if "lines" not in context:
            context["lines"] = self.get_formset()
        if context["lines"] is not None:
            context["product_data"] = {
                product.pk: {"price": str(product.list_price or ""), "spec": product.specification}
                for product in context["lines"].products
            }
        if self.proposing:
            context["filed_lines"] = selectors.order_lines(order=self.entry)
        return context

    def post(self, request, *args, **kwargs):
        form, lines = self.get_form(), self.get_formset()
        if not form.is_valid() or (lines is not None and not lines.is_valid()):
            return self.render_to_response(self.get_context_data(form=form, lines=lines))
        user, data = request.user, form.order_data()
        try:
            if self.proposing:
                return self.proposed(
                    services.order_change_propose(
                        actor=user, order_id=self.entry.pk, data=data, note=form.cleaned_data["reason"]
                    )
                )
            if self.entry is None:
                order = services.order_create(
                    actor=user,
                    customer_id=form.customer.pk,
                    data=data,
                    lines=lines.lines(),
                    override_reason=form.cleaned_data.get("override_reason", ""),
                )
                messages.success(
                    request,
                    _("Order entered as a draft: %(count)s lines, total ¥%(total)s. Submit it for approval when ready.")
                    % {"count": order.lines.count(), "total": f"{order.total:,.2f}"},
                )
            else:
                order = services.order_update(
                    actor=user,
                    order_id=self.entry.pk,
                    data=data,
                    lines=lines.lines(),
                    expected_version=form.cleaned_data.get("version"),
                    override_reason=form.cleaned_data.get("override_reason", ""),
                )
                messages.success(request, _("Order saved."))
        except (ValidationError, EditConflict) as exc:
            return self.refused(form, exc, lines=lines)
        return redirect(order)


# ---- Products -------------------------------------------------------------------------------------------------


class ProductListView(ListView):
    """产品目录: every product, for everyone who enters orders; the director and the archivist keep it."""

    template_name = "contracts/product_list.html"
    paginate_by = settings.ARCHIVE_PAGE_SIZE

    def get_queryset(self):
        queryset = selectors.products(include_inactive=True).order_by("-is_active", "code")
        term = self.request.GET.get("q", "").strip()
        if term:
            queryset = queryset.filter(name__icontains=term) | queryset.filter(code__icontains=term)
        return queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_keep"] = self.request.user.has_perm("contracts.add_product")
        return context


class ProductFormView(FormView):
    form_class = ProductForm
    template_name = "contracts/product_form.html"

    def dispatch(self, request, *args, **kwargs):
        self.product = None
        if "pk" in kwargs:
            try:
                self.product = Product.objects.get(pk=kwargs["pk"])
            except Product.DoesNotExist:
                raise Http404 from None
        perm = "contracts.change_product" if self.product else "contracts.add_product"
        if not request.user.has_perm(perm):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.product}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "product": self.product}

    def form_valid(self, form):
        data = {name: form.cleaned_data[name] for name in form._meta.fields}
        try:
            if self.product is None:
                product = services.product_create(actor=self.request.user, data=data)
            else:
                product = services.product_update(actor=self.request.user, product_id=self.product.pk, data=data)
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Product %(product)s saved.") % {"product": product})
        return redirect("contracts:product-list")


# ---- ABC grading ----------------------------------------------------------------------------------------------


class GradingView(View):
    """The director's button: grade every customer by its sales now (the command does the same at night)."""

    def post(self, request):
        if not request.user.has_perm("contracts.grade_customers"):
            raise PermissionDenied
        result = grading.customers_grade(actor=request.user)
        messages.success(
            request,
            _(
                "Customers graded by their sales up to %(date)s: A %(a)s, B %(b)s, C %(c)s, D %(d)s; "
                "%(changed)s grades changed."
            )
            % {
                "date": date_format(result.as_of, "DATE_FORMAT"),
                "a": result.by_grade.get("A", 0),
                "b": result.by_grade.get("B", 0),
                "c": result.by_grade.get("C", 0),
                "d": result.by_grade.get("D", 0),
                "changed": result.changed,
            },
        )
        return redirect(f"{reverse('customers:list')}?sort=grade")
