"""Invitations, password reset and change, and one's sessions (mounted at /account/)."""

from django.urls import path

from dinghuo.accounts import views

app_name = "accounts"
urlpatterns = [
    path("invitation/<slug:tenant>/<str:token>/", views.accept_invitation, name="invitation"),
    path("forgot/<str:door>/", views.forgot_password, name="forgot"),
    path("reset/<str:door>/<str:uid>/<str:token>/", views.reset_password, name="reset"),
    path("password/", views.change_password, name="password"),
    path("sessions/", views.sessions, name="sessions"),
]
