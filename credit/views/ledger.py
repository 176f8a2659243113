"""Placeholder until the pages are written."""

from django.views import View


class ReceivableListView(View):
    pass


class ReceivableCreateView(View):
    pass


class ReceivableDetailView(View):
    pass


class ExtensionRequestView(View):
    pass


class PaymentListView(View):
    pass


class PaymentCreateView(View):
    pass


class PaymentDetailView(View):
    pass


class PaymentAllocateView(View):
    pass


class AllocationRemoveView(View):
    pass


class PlanFormView(View):
    pass


class PlanDetailView(View):
    pass
