"""The operator console and the sellers' own sign-up (mounted at /operator/)."""

from django.urls import path

from dinghuo.operators import signup, views, views_two_factor, views_welcome

app_name = "operators"
urlpatterns = [
    path("", views.tenants, name="tenants"),
    path("tenants/new/", views.new_tenant, name="new-tenant"),
    path("tenants/<slug:slug>/suspend/", views.suspend, name="suspend"),
    path("tenants/<slug:slug>/reactivate/", views.reactivate, name="reactivate"),
    path("two-step/", views_two_factor.two_step, name="two-step"),
    path("two-step/recovery-codes.txt", views_two_factor.two_step_codes, name="two-step-codes"),
    path("welcome/<uidb64>/<token>/", views_welcome.set_password, name="set-password"),
    path("signup/", signup.sign_up, name="signup"),
    path("signup/<str:token>/", signup.confirm, name="signup-confirm"),
]
