"""The cXML endpoints (mounted at /punchout/cxml/)."""

from django.urls import path

from dinghuo.punchout import views

app_name = "punchout"
urlpatterns = [
    path("setup", views.setup, name="setup"),
    path("order", views.order, name="order"),
]
