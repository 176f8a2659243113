"""Placeholder until the pages are written."""

from django.views import View


class ApplicationListView(View):
    pass


class ApplicationFormView(View):
    pass


class ApplicationDetailView(View):
    pass


class EvidenceAddView(View):
    pass


class EvidenceFileView(View):
    pass


class EvidenceRemoveView(View):
    pass
