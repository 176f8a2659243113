from django.urls import path
from django.views.generic import RedirectView

app_name = "archive"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="customers:list", permanent=False), name="home"),
]
