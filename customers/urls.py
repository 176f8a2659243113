from django.urls import path

from . import views

app_name = "customers"

urlpatterns = [
    path("", views.CustomerListView.as_view(), name="list"),
    path("export.xlsx", views.CustomerExportView.as_view(), name="export"),
    path("exports/", views.ExportRegisterView.as_view(), name="export-register"),
    path("import/", views.ImportFormView.as_view(), name="import"),
    path("import/template.xlsx", views.ImportTemplateView.as_view(), name="import-template"),
    path("import/<int:pk>/", views.ImportPreviewView.as_view(), name="import-preview"),
    path("import/<int:pk>/errors.xlsx", views.ImportErrorsView.as_view(), name="import-errors"),
    path("new/", views.CustomerCreateView.as_view(), name="create"),
    path("<int:pk>/", views.CustomerDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.CustomerUpdateView.as_view(), name="edit"),
    path("<int:pk>/keepers/", views.CustomerKeepersView.as_view(), name="keepers"),
    path("<int:pk>/history/", views.CustomerHistoryView.as_view(), name="history"),
    path("<int:pk>/catalogue/", views.CustomerCatalogueView.as_view(), name="catalogue"),
    path("<int:pk>/export.xlsx", views.CustomerWorkbookView.as_view(), name="workbook"),
    path("<int:pk>/contacts/new/", views.ContactCreateView.as_view(), name="contact-create"),
    path("<int:pk>/contacts/<int:contact_pk>/edit/", views.ContactUpdateView.as_view(), name="contact-edit"),
    path("<int:pk>/interactions/new/", views.InteractionCreateView.as_view(), name="interaction-create"),
    path(
        "<int:pk>/interactions/<int:interaction_pk>/edit/",
        views.InteractionUpdateView.as_view(),
        name="interaction-edit",
    ),
    path("<int:pk>/attachments/new/", views.AttachmentCreateView.as_view(), name="attachment-create"),
    path(
        "<int:pk>/attachments/<int:attachment_pk>/edit/",
        views.AttachmentUpdateView.as_view(),
        name="attachment-edit",
    ),
    path(
        "<int:pk>/attachments/<int:attachment_pk>/",
        views.AttachmentDownloadView.as_view(),
        name="attachment-download",
    ),
]
