"""The buyer portal's pages."""

from django.urls import path  # noqa: F401 (routes are added as pages are built)

app_name = "portal"
urlpatterns: list = []
