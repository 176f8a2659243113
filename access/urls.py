from django.urls import path

from .views import grants, handovers, log, requests

app_name = "access"

urlpatterns = [
    # 调阅申请: look a customer up by exact credit code or full name, ask, and the director's answer.
    path("lookup/", requests.LookupView.as_view(), name="lookup"),
    path("requests/", requests.RequestListView.as_view(), name="requests"),
    path("requests/<int:pk>/", requests.RequestDetailView.as_view(), name="request"),
    # Rights: one customer's holders (grant, revoke), and a group's read access to a set of customers.
    path("customers/<int:pk>/rights/", grants.CustomerRightsView.as_view(), name="rights"),
    path("group-grants/", grants.GroupGrantView.as_view(), name="group-grant"),
    # 员工调离交接
    path("handovers/", handovers.HandoverListView.as_view(), name="handovers"),
    path("handovers/new/", handovers.HandoverCreateView.as_view(), name="handover-new"),
    path("handovers/<int:pk>/", handovers.HandoverDetailView.as_view(), name="handover"),
    path("handovers/<int:pk>/list.xlsx", handovers.HandoverExportView.as_view(), name="handover-export"),
    # 查阅登记: the director's audit of every reading
    path("log/", log.AccessLogView.as_view(), name="log"),
    path("log/export.xlsx", log.AccessLogExportView.as_view(), name="log-export"),
]
