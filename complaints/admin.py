"""Complaints, returns, discounts and churn records in the admin, read-only (they change through the services)."""

from django.contrib import admin

from archive.admin import ReadOnlyAdmin

from .models import ChurnRecord, Complaint, Discount, Return


@admin.register(Complaint)
class ComplaintAdmin(ReadOnlyAdmin):
    list_display = ["customer", "received_at", "subject", "severity", "state", "satisfaction", "status"]
    list_filter = ["state", "severity", "status"]
    list_select_related = ["customer"]


@admin.register(Return)
class ReturnAdmin(ReadOnlyAdmin):
    list_display = ["customer", "returned_on", "kind", "total", "status"]
    list_select_related = ["customer"]


@admin.register(Discount)
class DiscountAdmin(ReadOnlyAdmin):
    list_display = ["customer", "order", "contract", "amount", "status"]
    list_select_related = ["customer", "order", "contract"]


@admin.register(ChurnRecord)
class ChurnRecordAdmin(ReadOnlyAdmin):
    list_display = ["customer", "churned_on", "reason_category", "competitor", "status"]
    list_select_related = ["customer"]
