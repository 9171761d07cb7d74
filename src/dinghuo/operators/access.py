"""Who may use the operator console: the people who run the deployment (active Django
superusers), never a tenant's staff or buyers, who get 404 as if it did not exist."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponseBase
from django.urls import reverse

View = Callable[..., HttpResponseBase]


def operator_required(view: View) -> View:
    """Anonymous → the admin's sign-in (then back); signed in but no superuser → 404."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path(), login_url=reverse("admin:login"))
        if not (user.is_active and user.is_superuser):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper
