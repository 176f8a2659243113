"""What the admin pages of every archive category share."""

from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """Archive records in the admin are read-only: they change only through the services and their trail."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
