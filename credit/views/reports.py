"""Placeholder until the pages are written."""

from django.views import View


class OverdueView(View):
    pass


class AgingView(View):
    pass


class AgingExportView(View):
    pass
