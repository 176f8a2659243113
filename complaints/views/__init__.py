"""Pages of the fifth category: complaints, returns and discounts, churn and win-back."""

from .adjustments import (
    DiscountDetailView,
    DiscountFormView,
    DiscountListView,
    ReturnDetailView,
    ReturnFormView,
    ReturnListView,
)
from .churn import ChurnDetailView, ChurnFormView, ChurnListView, PlanConcludeView, PlanFormView
from .complaints import (
    ComplaintCloseView,
    ComplaintDetailView,
    ComplaintFormView,
    ComplaintListView,
    ComplaintReopenView,
    StepAddView,
)

__all__ = [
    "ChurnDetailView",
    "ChurnFormView",
    "ChurnListView",
    "ComplaintCloseView",
    "ComplaintDetailView",
    "ComplaintFormView",
    "ComplaintListView",
    "ComplaintReopenView",
    "DiscountDetailView",
    "DiscountFormView",
    "DiscountListView",
    "PlanConcludeView",
    "PlanFormView",
    "ReturnDetailView",
    "ReturnFormView",
    "ReturnListView",
    "StepAddView",
]
