from django.urls import path

from . import views

app_name = "contracts"

urlpatterns = [
    path("contracts/", views.ContractListView.as_view(), name="contract-list"),
    path("contracts/new/", views.ContractFormView.as_view(), name="contract-create"),
    path("contracts/<int:pk>/", views.ContractDetailView.as_view(), name="contract-detail"),
    path("contracts/<int:pk>/edit/", views.ContractFormView.as_view(), name="contract-edit"),
    path("contracts/<int:pk>/file/", views.ContractFileView.as_view(), name="contract-file"),
    path("orders/", views.OrderListView.as_view(), name="order-list"),
    path("orders/new/", views.OrderFormView.as_view(), name="order-create"),
    path("orders/<int:pk>/", views.OrderDetailView.as_view(), name="order-detail"),
    path("orders/<int:pk>/edit/", views.OrderFormView.as_view(), name="order-edit"),
    path("products/", views.ProductListView.as_view(), name="product-list"),
    path("products/new/", views.ProductFormView.as_view(), name="product-create"),
    path("products/<int:pk>/edit/", views.ProductFormView.as_view(), name="product-edit"),
    path("grading/", views.GradingView.as_view(), name="grading"),
]
