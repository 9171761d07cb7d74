"""The new owner's one-time page to set a password (`welcome.set_password_link`)."""

from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy


class SetPassword(auth_views.PasswordResetConfirmView):
    """Django's password-reset confirmation: the link works once, then the owner signs in
    to the back office with the new password."""

    template_name = "operators/set_password.html"
    success_url = reverse_lazy("backoffice:sign-in")
    post_reset_login = False


set_password = SetPassword.as_view()
