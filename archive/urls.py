from django.urls import path
from django.views.generic import RedirectView

from . import views

app_name = "archive"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="customers:list", permanent=False), name="home"),
    path("approvals/", views.InboxView.as_view(), name="inbox"),
    path("approvals/bulk-approve/", views.BulkApproveView.as_view(), name="bulk-approve"),
    path("approvals/<int:pk>/approve/", views.ApproveView.as_view(), name="approve"),
    path("approvals/<int:pk>/return/", views.ReturnView.as_view(), name="return"),
    path("approvals/mine/", views.MyRequestsView.as_view(), name="my-requests"),
    path("recycle-bin/", views.RecycleBinView.as_view(), name="recycle-bin"),
    path("recycle-bin/<str:label>/<int:pk>/restore/", views.RestoreView.as_view(), name="restore"),
    path("entries/<str:label>/<int:pk>/submit/", views.SubmitView.as_view(), name="submit"),
    path("entries/<str:label>/<int:pk>/delete/", views.DeletionRequestView.as_view(), name="request-deletion"),
    path("entries/<str:label>/<int:pk>/revert/", views.RevertView.as_view(), name="revert"),
]
