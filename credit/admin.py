"""The credit records in the admin, read-only: the ledger changes only through the services and their trail."""

from django.contrib import admin

from archive.admin import ReadOnlyAdmin

from .models import CreditApplication, CreditProfile, Payment, Receivable


@admin.register(CreditProfile)
class CreditProfileAdmin(ReadOnlyAdmin):
    list_display = ["customer", "credit_grade", "limit", "terms_days", "payment_method"]
    list_select_related = ["customer"]


@admin.register(CreditApplication)
class CreditApplicationAdmin(ReadOnlyAdmin):
    list_display = ["customer", "status", "total_score", "proposed_grade", "proposed_limit", "created_at"]
    list_select_related = ["customer"]


@admin.register(Receivable)
class ReceivableAdmin(ReadOnlyAdmin):
    list_display = ["customer", "issued_on", "amount", "due_on", "extended_due_on"]
    list_select_related = ["customer"]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["customer", "received_on", "amount", "method", "reference"]
    list_select_related = ["customer"]
