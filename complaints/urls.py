from django.urls import path

from . import views

app_name = "complaints"

urlpatterns = [
    path("", views.ComplaintListView.as_view(), name="complaint-list"),
    path("new/", views.ComplaintFormView.as_view(), name="complaint-create"),
    path("<int:pk>/", views.ComplaintDetailView.as_view(), name="complaint-detail"),
    path("<int:pk>/edit/", views.ComplaintFormView.as_view(), name="complaint-edit"),
    path("<int:pk>/steps/", views.StepAddView.as_view(), name="step-add"),
    path("<int:pk>/close/", views.ComplaintCloseView.as_view(), name="complaint-close"),
    path("<int:pk>/reopen/", views.ComplaintReopenView.as_view(), name="complaint-reopen"),
    path("returns/", views.ReturnListView.as_view(), name="return-list"),
    path("returns/new/", views.ReturnFormView.as_view(), name="return-create"),
    path("returns/<int:pk>/", views.ReturnDetailView.as_view(), name="return-detail"),
    path("returns/<int:pk>/edit/", views.ReturnFormView.as_view(), name="return-edit"),
    path("discounts/", views.DiscountListView.as_view(), name="discount-list"),
    path("discounts/new/", views.DiscountFormView.as_view(), name="discount-create"),
    path("discounts/<int:pk>/", views.DiscountDetailView.as_view(), name="discount-detail"),
    path("discounts/<int:pk>/edit/", views.DiscountFormView.as_view(), name="discount-edit"),
    path("churn/", views.ChurnListView.as_view(), name="churn-list"),
    path("churn/new/", views.ChurnFormView.as_view(), name="churn-create"),
    path("churn/<int:pk>/", views.ChurnDetailView.as_view(), name="churn-detail"),
    path("churn/<int:pk>/edit/", views.ChurnFormView.as_view(), name="churn-edit"),
    path("churn/<int:pk>/plan/", views.PlanFormView.as_view(), name="plan-edit"),
    path("churn/<int:pk>/plan/conclude/", views.PlanConcludeView.as_view(), name="plan-conclude"),
]
