"""Sellers that sign up on their own (setting DINGHUO_SELF_SIGNUP; off: these pages are 404).

The form's values travel in a signed link (Django's signing, 24 hours) mailed to the owner;
only a POST from that link creates the tenant, through the same service as the console. A
link creates its tenant once: the second use finds the short name taken and says the link was
used. Requests from one client address are limited to DINGHUO_SIGNUPS_PER_HOUR (counted like
failed sign-ins, `core.failures`, shared by every worker).
"""

import hashlib
from typing import Any

from django.conf import settings
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_http_methods

from dinghuo.core import failures
from dinghuo.core.errors import Conflict, DomainError, FieldError
from dinghuo.core.models import Tenant
from dinghuo.core.refusals import code_message, messages
from dinghuo.core.security import client_address
from dinghuo.core.services import tenant_input_errors
from dinghuo.operators import services, tasks
from dinghuo.operators.forms import NewSellerForm
from dinghuo.operators.welcome import set_password_link

LINK_MAX_AGE = 24 * 3600
_SALT = "dinghuo.operators.signup"
_HOUR = 3600


def _on() -> None:
    if not settings.DINGHUO_SELF_SIGNUP:
        raise Http404


def _counter(request: HttpRequest) -> str:
    address = hashlib.sha256(client_address(request).encode()).hexdigest()[:32]
    return f"signup:address:{address}"


@require_http_methods(["GET", "POST"])
def sign_up(request: HttpRequest) -> HttpResponse:
    """The form (GET) and the request (POST): checked, then the link is mailed."""
    _on()
    form = NewSellerForm(request.POST or None)
    if request.method != "POST" or not form.is_valid():
        return render(request, "operators/signup.html", {"form": form}, status=_status(form))
    key = _counter(request)
    if failures.counts([key]).get(key, 0) >= settings.DINGHUO_SIGNUPS_PER_HOUR:
        form.add_error(None, code_message("signup_too_often"))
        return render(request, "operators/signup.html", {"form": form}, status=429)
    values = form.values()
    errors = _input_errors(values)
    if errors:
        form.refused(DomainError("Not valid.", errors=errors))
        return render(request, "operators/signup.html", {"form": form}, status=422)
    failures.add([key], window=_HOUR)
    token = signing.dumps(values, salt=_SALT, compress=True)
    link = request.build_absolute_uri(reverse("operators:signup-confirm", args=[token]))
    tasks.send_signup_verification.enqueue(
        values["owner_email"], link, values["name"], translation.get_language()
    )
    return render(request, "operators/signup_sent.html", {"email": values["owner_email"]})


def _status(form: NewSellerForm) -> int:
    return 422 if form.errors else 200


def _input_errors(values: dict[str, Any]) -> list[FieldError]:
    errors = tenant_input_errors(
        values["slug"],
        values["name"],
        values["base_currency"],
        values["languages"],
        values["time_zone"],
    )
    if Tenant.objects.filter(slug=values["slug"]).exists():
        errors.append(FieldError("slug", "slug_taken", "This short name is taken."))
    return errors


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponseBase:
    """The mailed link: a button (GET, so that a mail scanner opening links creates nothing)
    that creates the seller (POST), then on to setting the owner's password."""
    _on()
    try:
        values = signing.loads(token, salt=_SALT, max_age=LINK_MAX_AGE)
    except signing.BadSignature:
        return _refused(request, code_message("signup_link_invalid"), 400)
    if request.method == "GET":
        return render(request, "operators/signup_confirm.html", {"values": values})
    try:
        made = services.set_up_tenant(**values)
    except Conflict as taken:
        if taken.code != "slug_taken":
            return _refused(request, " ".join(messages(taken)), taken.status)
        return _refused(request, code_message("signup_link_used"), 409)
    except DomainError as refusal:
        return _refused(request, " ".join(messages(refusal)), refusal.status)
    if not made.owner_is_new:
        return redirect("backoffice:sign-in")
    return redirect(set_password_link(made.owner, base_url=request.build_absolute_uri("/")))


def _refused(request: HttpRequest, reason: str, status: int) -> HttpResponse:
    return render(request, "operators/signup_refused.html", {"reason": reason}, status=status)
