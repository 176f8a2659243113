from django.urls import path

from .views import applications, ledger, reports

app_name = "credit"

urlpatterns = [
    path("receivables/", ledger.ReceivableListView.as_view(), name="receivable-list"),
    path("receivables/new/", ledger.ReceivableCreateView.as_view(), name="receivable-create"),
    path("receivables/<int:pk>/", ledger.ReceivableDetailView.as_view(), name="receivable-detail"),
    path("receivables/<int:pk>/extend/", ledger.ExtensionRequestView.as_view(), name="receivable-extend"),
    path("payments/", ledger.PaymentListView.as_view(), name="payment-list"),
    path("payments/new/", ledger.PaymentCreateView.as_view(), name="payment-create"),
    path("payments/<int:pk>/", ledger.PaymentDetailView.as_view(), name="payment-detail"),
    path("payments/<int:pk>/allocate/", ledger.PaymentAllocateView.as_view(), name="payment-allocate"),
    path("allocations/<int:pk>/remove/", ledger.AllocationRemoveView.as_view(), name="allocation-remove"),
    path("plans/new/", ledger.PlanFormView.as_view(), name="plan-create"),
    path("plans/<int:pk>/", ledger.PlanDetailView.as_view(), name="plan-detail"),
    path("plans/<int:pk>/edit/", ledger.PlanFormView.as_view(), name="plan-edit"),
    path("overdue/", reports.OverdueView.as_view(), name="overdue"),
    path("aging/", reports.AgingView.as_view(), name="aging"),
    path("aging/export.xlsx", reports.AgingExportView.as_view(), name="aging-export"),
    path("applications/", applications.ApplicationListView.as_view(), name="application-list"),
    path("applications/new/", applications.ApplicationFormView.as_view(), name="application-create"),
    path("applications/<int:pk>/", applications.ApplicationDetailView.as_view(), name="application-detail"),
    path("applications/<int:pk>/edit/", applications.ApplicationFormView.as_view(), name="application-edit"),
    path("applications/<int:pk>/evidence/", applications.EvidenceAddView.as_view(), name="evidence-add"),
    path("evidence/<int:pk>/", applications.EvidenceFileView.as_view(), name="evidence-file"),
    path("evidence/<int:pk>/remove/", applications.EvidenceRemoveView.as_view(), name="evidence-remove"),
]
