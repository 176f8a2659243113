"""Contracts, orders and products in the admin: for looking things up only.

Every write goes through the services and the filing mechanism (rights, approval, numbers, the trail), which
the app's own pages call; the admin offers no second way around them.
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Contract, Order, OrderLine, Product


class ReadOnlyAdmin(SimpleHistoryAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Product)
class ProductAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "specification", "unit", "category", "list_price", "is_active"]
    search_fields = ["code", "name"]
    list_filter = ["is_active", "category"]


@admin.register(Contract)
class ContractAdmin(ReadOnlyAdmin):
    list_display = ["number", "title", "customer", "signed_on", "amount", "state", "status"]
    search_fields = ["number", "title", "customer__name"]
    list_filter = ["state", "status"]
    list_select_related = ["customer"]


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    can_delete = False
    readonly_fields = ["position", "product", "specification", "quantity", "unit_price", "discount", "amount"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    list_display = ["ordered_on", "customer", "reference", "total", "settlement", "status"]
    search_fields = ["reference", "customer__name"]
    list_filter = ["settlement", "status"]
    list_select_related = ["customer"]
    date_hierarchy = "ordered_on"
    inlines = [OrderLineInline]
