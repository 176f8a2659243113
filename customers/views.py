"""Pages of the archive card. Views parse the request, ask one selector or service, and render."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import FormView, RedirectView, TemplateView
from django_filters.views import FilterView

from archive import filing
from archive.registry import registry

from . import access_log, exports, imports, permissions, selectors, services, tables
from .filtersets import CustomerFilterSet
from .forms import (
    AttachmentEditForm,
    AttachmentForm,
    ContactForm,
    CustomerForm,
    ImportForm,
    InteractionForm,
    KeepersForm,
)
from .models import Attachment, Contact, Customer, Interaction
from .permissions import Action


class CustomerListView(FilterView):
    """客户一览表: the customers the user may read, filtered, sorted and paged."""

    filterset_class = CustomerFilterSet
    paginate_by = settings.ARCHIVE_PAGE_SIZE
    template_name = "customers/customer_list.html"

    def get_queryset(self):
        return selectors.customer_list(user=self.request.user).only(*tables.FIELDS)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rows"] = tables.customer_rows(context["object_list"])
        query = self.request.GET.copy()
        query.pop("page", None)
        context["query_string"] = query.urlencode()
        return context


class CustomerExportView(View):
    """The register as Excel, with the list's own selector and filters; registered in the access register.

    The workbook is streamed while it is written, so the register records the row count the filter held when
    the export began.
    """

    def get(self, request):
        filterset = CustomerFilterSet(request.GET, queryset=selectors.customer_list(user=request.user), request=request)
        if not filterset.is_valid():
            return HttpResponseBadRequest(_("The filter is not valid."))
        rows = filterset.qs
        access_log.register(
            request,
            access_log.Action.EXPORT,
            what=_("Customer register"),
            query=request.GET.urlencode(),
            row_count=rows.count(),
        )
        response = StreamingHttpResponse(exports.register_stream(rows), content_type=XLSX_TYPE)
        response["Content-Disposition"] = content_disposition_header(True, exports.register_filename())
        return response


class ImportAllowedMixin:
    """An import opens cards, so it is open to those who may open cards: account managers and directors."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("customers.add_customer"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class ImportFormView(ImportAllowedMixin, FormView):
    """Upload a customer list; it is checked and stored, and the preview shows what importing it would do."""

    form_class = ImportForm
    template_name = "customers/import_form.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["max_bytes"] = settings.ARCHIVE_IMPORT_MAX_BYTES
        context["max_rows"] = settings.ARCHIVE_IMPORT_MAX_ROWS
        context["recent"] = imports.recent_imports(user=self.request.user)
        return context

    def form_valid(self, form):
        try:
            record, _result = imports.import_start(actor=self.request.user, upload=form.cleaned_data["file"])
        except ValidationError as exc:
            form.add_error("file", exc)
            return self.form_invalid(form)
        return redirect(record)


class ImportPreviewView(ImportAllowedMixin, TemplateView):
    """Every problem of the file by row and column, before anything is written; confirming imports the rest."""

    template_name = "customers/import_preview.html"
    problems_shown = 500

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        record = imports.import_record(user=self.request.user, pk=kwargs["pk"])
        context["record"] = record
        try:
            result = imports.import_result(actor=self.request.user, record=record)
        except ValidationError as exc:
            context["refusal"] = exc.messages
            return context
        context["result"] = result
        context["problems"] = result.problems[: self.problems_shown]
        context["problems_hidden"] = max(0, len(result.problems) - self.problems_shown)
        return context

    def post(self, request, pk):
        try:
            record, result = imports.import_confirm(actor=request.user, record_id=pk)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("customers:import-preview", pk)
        text = ngettext(
            "%(count)s customer imported from %(file)s as a draft.",
            "%(count)s customers imported from %(file)s as drafts.",
            record.imported_count,
        ) % {"count": record.imported_count, "file": record.file_name}
        if result.problem_rows:
            text += " " + ngettext(
                "%(count)s row with problems was left out.",
                "%(count)s rows with problems were left out.",
                result.problem_rows,
            ) % {"count": result.problem_rows}
        messages.success(request, text)
        query = {"status": "draft", "sort": "-updated"}
        if {row.owner.pk for row in result.valid} == {request.user.pk}:
            query["owner"] = request.user.pk
        return redirect(f"{reverse('customers:list')}?{urlencode(query)}")


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportErrorsView(ImportAllowedMixin, View):
    """The rows with problems as a workbook, with what to fix in a last column, ready to upload again."""

    def get(self, request, pk):
        record = imports.import_record(user=request.user, pk=pk)
        try:
            result = imports.import_result(actor=request.user, record=record)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(record)
        return FileResponse(
            imports.error_workbook(result),
            as_attachment=True,
            filename=imports.error_filename(record),
            content_type=XLSX_TYPE,
        )


class ImportTemplateView(ImportAllowedMixin, View):
    def get(self, request):
        return FileResponse(
            imports.template_workbook(),
            as_attachment=True,
            filename=imports.template_filename(),
            content_type=XLSX_TYPE,
        )


class ExportRegisterView(RedirectView):
    """导出登记's old address: the exports are now one view of the access log (older bookmarks keep working)."""

    def get_redirect_url(self, *args, **kwargs):
        return f"{reverse('access:log')}?action={access_log.Action.EXPORT}"


class CustomerMixin:
    """Fetch the customer of the URL through the gateway: 404 if unseen, 403 if seen but not ``action``."""

    action = Action.VIEW

    def dispatch(self, request, *args, **kwargs):
        self.customer = selectors.customer_card(user=request.user, pk=kwargs["pk"])
        if not self.allowed(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def allowed(self, user) -> bool:
        return self.action is Action.VIEW or permissions.can(user, self.action, self.customer)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["customer"] = self.customer
        context["can_edit"] = selectors.editable_by(self.request.user, self.customer)
        context["filing_requests"] = filing.entry_requests(self.customer)
        context["returned_request"] = filing.last_returned(self.customer)
        return context


class CustomerDetailView(CustomerMixin, TemplateView):
    """The archive card with every section the categories contribute; each opening is registered (查阅登记)."""

    template_name = "customers/customer_detail.html"

    def get(self, request, *args, **kwargs):
        access_log.register(request, access_log.Action.VIEW, customer=self.customer)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, customer = self.request.user, self.customer
        context["sections"] = []
        contacts = None
        for section in registry.sections:
            section_context = section.context(customer, user)
            if section.key == "contacts":
                contacts = section_context["contacts"]
            html = render_to_string(
                section.template,
                {"customer": customer, "can_edit": context["can_edit"], **section_context},
                request=self.request,
            )
            context["sections"].append({"key": section.key, "title": section.title, "html": html})
        context["co_owners"] = selectors.customer_co_owners(customer=customer)
        # The contacts section has already read the contacts; counting them again would cost a query.
        contact_count = len(contacts) if contacts is not None else customer.contacts.count()
        context["needs_contacts"] = selectors.needs_more_contacts(customer, contact_count)
        context["fieldsets"] = selectors.card_values(customer=customer)
        context["can_assign"] = permissions.has_global(user, Action.CHANGE)
        return context


class CustomerCreateView(FormView):
    form_class = CustomerForm
    template_name = "customers/customer_form.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("customers.add_customer"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            customer = services.customer_create(actor=self.request.user, data=form.card_data())
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Card for %(name)s opened as a draft.") % {"name": customer.name})
        return redirect(customer)


class CustomerUpdateView(CustomerMixin, FormView):
    """Edit a draft or returned card; on a filed card the same form proposes a change for the director."""

    action = Action.CHANGE
    form_class = CustomerForm
    template_name = "customers/customer_form.html"

    def get(self, request, *args, **kwargs):
        if not (self.customer.is_editable_draft or self.customer.is_filed):
            messages.warning(
                request, _("This card is waiting for approval and cannot be edited until the director decides.")
            )
            return redirect(self.customer)
        return super().get(request, *args, **kwargs)

    @property
    def proposing(self) -> bool:
        return self.customer.is_filed

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.customer, "proposing": self.proposing}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "proposing": self.proposing}

    def form_valid(self, form):
        try:
            if self.proposing:
                filing_request = services.card_change_propose(
                    actor=self.request.user,
                    customer_id=self.customer.pk,
                    data=form.card_data(),
                    note=form.cleaned_data["note"],
                    expected_version=form.cleaned_data.get("version"),
                )
            else:
                services.customer_update(
                    actor=self.request.user,
                    customer_id=self.customer.pk,
                    data=form.card_data(),
                    expected_version=form.cleaned_data.get("version"),
                )
        except services.EditConflict as conflict:
            form.add_error(None, str(conflict))
            return self.render_to_response(self.get_context_data(form=form, conflict=conflict))
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        if self.proposing:
            messages.success(
                self.request,
                _("Change request #%(number)s sent to the director; the filed card stays as it is until approved.")
                % {"number": filing_request.pk},
            )
        else:
            messages.success(self.request, _("Card saved."))
        return redirect(self.customer)


class CustomerCatalogueView(CustomerMixin, TemplateView):
    """目录: the customer's filed entries by category and number, ready to print with the archive volume."""

    template_name = "customers/customer_catalogue.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["catalogue"] = filing.catalogue(self.customer)
        return context


class CustomerKeepersView(CustomerMixin, FormView):
    """The director names the account manager and co-managers; rights follow."""

    form_class = KeepersForm
    template_name = "customers/keepers_form.html"

    def allowed(self, user) -> bool:
        return permissions.has_global(user, Action.CHANGE)

    def get_initial(self):
        return {
            "owner": self.customer.owner,
            "co_owners": [row.user for row in selectors.customer_co_owners(customer=self.customer)],
        }

    def form_valid(self, form):
        try:
            services.customer_assign_keepers(
                actor=self.request.user,
                customer_id=self.customer.pk,
                owner=form.cleaned_data["owner"],
                co_owners=form.cleaned_data["co_owners"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Account managers updated."))
        return redirect(self.customer)


class CustomerWorkbookView(CustomerMixin, View):
    """The customer's whole archive as one workbook, a sheet per category; registered as an export."""

    def get(self, request, pk):
        workbook = exports.archive_workbook(self.customer)
        access_log.register(request, access_log.Action.EXPORT, customer=self.customer, what=_("Full archive workbook"))
        return FileResponse(
            workbook,
            as_attachment=True,
            filename=exports.archive_filename(self.customer),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )


class CustomerHistoryView(CustomerMixin, TemplateView):
    """The customer's merged change trail: every category, newest first, with field-by-field diffs."""

    template_name = "customers/customer_history.html"
    paginate_by = 50

    def get(self, request, *args, **kwargs):
        # The trail shows every value the card ever held: reading it is opening the card (customers.access_log).
        access_log.register(request, access_log.Action.VIEW, customer=self.customer, what=_("Change trail"))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        entries = selectors.customer_trail(customer=self.customer)
        page = Paginator(entries, self.paginate_by).get_page(self.request.GET.get("page"))
        selectors.describe_trail(page.object_list, customer=self.customer)
        context["page_obj"] = page
        context["entries"] = page.object_list
        context["can_revert"] = self.customer.is_filed and filing.can_decide(self.request.user)
        context["customer_label"] = str(Customer._meta.verbose_name)
        return context


class RecordFormView(CustomerMixin, FormView):
    """Add or edit a record on a card the user may change; the service re-checks inside its transaction."""

    action = Action.CHANGE
    template_name = "customers/record_form.html"
    record_model = None
    record_kwarg = None
    title = ""

    def get_record(self):
        if not self.record_kwarg:
            return None
        try:
            return self.record_model.objects.get(customer=self.customer, pk=self.kwargs[self.record_kwarg])
        except self.record_model.DoesNotExist:
            raise Http404 from None

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        self.record = self.get_record()
        if self.record is not None:
            kwargs["instance"] = self.record
        return kwargs

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "title": self.title}

    def form_valid(self, form):
        try:
            self.save(form)
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Saved."))
        return redirect(self.customer)


class ContactCreateView(RecordFormView):
    form_class = ContactForm
    record_model = Contact
    title = _("Add a contact")

    def save(self, form):
        services.contact_create(actor=self.request.user, customer_id=self.customer.pk, data=form.cleaned_data)


class ContactUpdateView(RecordFormView):
    form_class = ContactForm
    record_model = Contact
    record_kwarg = "contact_pk"
    title = _("Edit contact")

    def save(self, form):
        services.contact_update(actor=self.request.user, contact_id=self.record.pk, data=form.cleaned_data)


class InteractionFormMixin:
    """Offer as "our staff" only the people the service accepts for this card."""

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["staff_choices"] = selectors.staff_choices(user=self.request.user, customer=self.customer)
        return kwargs


class InteractionCreateView(InteractionFormMixin, RecordFormView):
    form_class = InteractionForm
    record_model = Interaction
    title = _("Record an interaction")

    def get_initial(self):
        from django.utils import timezone

        return {"occurred_on": timezone.localdate(), "staff": self.request.user}

    def save(self, form):
        services.interaction_create(actor=self.request.user, customer_id=self.customer.pk, data=form.cleaned_data)


class InteractionUpdateView(InteractionFormMixin, RecordFormView):
    form_class = InteractionForm
    record_model = Interaction
    record_kwarg = "interaction_pk"
    title = _("Edit interaction")

    def save(self, form):
        services.interaction_update(actor=self.request.user, interaction_id=self.record.pk, data=form.cleaned_data)


class AttachmentCreateView(RecordFormView):
    form_class = AttachmentForm
    title = _("Upload an attachment")

    def get_form_kwargs(self):
        kwargs = FormView.get_form_kwargs(self)
        self.record = None
        return kwargs

    def save(self, form):
        services.attachment_create(
            actor=self.request.user,
            customer_id=self.customer.pk,
            upload=form.cleaned_data["file"],
            kind=form.cleaned_data["kind"],
            title=form.cleaned_data["title"],
        )


class AttachmentUpdateView(RecordFormView):
    """Retitle a draft document, or propose a new title or kind for a filed one."""

    form_class = AttachmentEditForm
    record_model = Attachment
    record_kwarg = "attachment_pk"

    @property
    def title(self):
        return _("Propose a change to the document") if self.record.is_filed else _("Edit the document")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        return {**kwargs, "proposing": self.record.is_filed}

    def save(self, form):
        if self.record.is_filed:
            services.attachment_change_propose(
                actor=self.request.user,
                attachment_id=self.record.pk,
                data=form.entry_data(),
                note=form.cleaned_data["note"],
            )
        else:
            services.attachment_update(actor=self.request.user, attachment_id=self.record.pk, data=form.entry_data())


class AttachmentDownloadView(View):
    """Serve an attachment's bytes after the gateway says the user may read its customer."""

    def get(self, request, pk, attachment_pk):
        try:
            attachment = selectors.attachment_for_download(
                user=request.user, customer_id=pk, attachment_id=attachment_pk
            )
        except selectors.Attachment.DoesNotExist:
            raise Http404 from None
        access_log.register(
            request,
            access_log.Action.DOWNLOAD,
            customer=attachment.customer_id,
            what=f"{attachment.title} · {attachment.original_name}",
        )
        response = FileResponse(
            attachment.file.open("rb"),
            content_type=attachment.content_type,
            as_attachment=request.GET.get("download") == "1",
            filename=attachment.original_name,
        )
        # The bytes were checked on upload; the sandbox still stops any script a crafted file might carry.
        response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
        response["Cache-Control"] = "private, no-store"
        return response
