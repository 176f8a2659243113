"""The Django admin for administrators: guardian's rights screens and simple-history's trail on every model.

Every queryset goes through the permission gateway, and every save records the actor and a reason. Filed
entries (cards and documents) are saved through the archive's services, so a pending or filed entry is
read-only here exactly as on the archive's own pages: it changes only through a change request.
"""

from django.contrib import admin
from django.db import models
from django.utils.translation import gettext as _
from guardian.admin import ReinforcedGuardedModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from archive.history import save_with_trail

from . import permissions, services
from .models import Attachment, Contact, Customer, Interaction, Region


class TrailAdmin(SimpleHistoryAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_delete_permission(self, request, obj=None):
        return False  # archive records are never deleted outright: the trail and the recycle bin keep them

    def save_model(self, request, obj, form, change):
        if change and hasattr(obj, "version"):
            obj.version += 1  # an open edit form elsewhere must see this as a newer version
        save_with_trail(obj, actor=request.user, reason=_("Changed in the administration site"), clean=False)


class CustomerRecordAdmin(TrailAdmin):
    """Records on a card: visible in the admin exactly when their customer is."""

    list_select_related = ("customer",)
    raw_id_fields = ("customer",)

    def get_queryset(self, request):
        return permissions.restrict_related(super().get_queryset(request), request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "customer":  # a record can only be put on a card its editor may change
            kwargs["queryset"] = permissions.visible_customers(request.user, permissions.Action.CHANGE)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Customer)
class CustomerAdmin(TrailAdmin, ReinforcedGuardedModelAdmin):
    list_display = ("name", "credit_code", "grade", "tier", "lifecycle", "region", "owner", "status")
    list_filter = ("grade", "tier", "lifecycle", "status", "region")
    search_fields = ("name", "short_name", "credit_code")
    list_select_related = ("owner", "region")
    list_per_page = 50
    # Ownership moves rights and filing has its own services: the admin shows them but does not write them.
    readonly_fields = ("owner", "status", "archive_no", "entry_no", "filed_at", "grade", "version")

    def has_add_permission(self, request):
        return False  # a card is opened through the archive's own form, which assigns its keepers

    def has_change_permission(self, request, obj=None):
        # A pending or filed card is read-only here too: it changes only through a change request.
        return super().has_change_permission(request, obj) and (obj is None or obj.is_editable_draft)

    def get_queryset(self, request):
        return permissions.restrict(super().get_queryset(request), request.user)

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in form.changed_data if name in services.CARD_FIELDS}
        services.customer_update(
            actor=request.user, customer_id=obj.pk, data=data, reason=_("Changed in the administration site")
        )


@admin.register(Contact)
class ContactAdmin(CustomerRecordAdmin):
    list_display = ("name", "customer", "title", "department_role", "level", "is_key_person")
    search_fields = ("name", "customer__name")


@admin.register(Interaction)
class InteractionAdmin(CustomerRecordAdmin):
    list_display = ("occurred_on", "customer", "kind", "subject", "staff")
    list_select_related = ("customer", "staff")


@admin.register(Attachment)
class AttachmentAdmin(CustomerRecordAdmin):
    list_display = ("title", "customer", "kind", "status", "original_name", "size", "uploaded_at")
    readonly_fields = ("customer", "file", "original_name", "content_type", "size", "uploaded_by", "status")

    def has_add_permission(self, request):
        return False  # a document is uploaded on its card, where its content is checked

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or obj.is_editable_draft)

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in form.changed_data if name in services.ATTACHMENT_FIELDS}
        services.attachment_update(actor=request.user, attachment_id=obj.pk, data=data)


@admin.register(Region)
class RegionAdmin(TrailAdmin):
    list_display = ("name", "code", "sort_order")
