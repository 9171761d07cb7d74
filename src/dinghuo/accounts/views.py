"""The pages of a person's sign-in: accept an invitation, forgot and reset the password,
change it, and one's sessions. Thin: the forms check input, `services` write."""

from typing import Any, cast

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth import get_user_model, login, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.contrib.auth.models import User
from django.contrib.auth.tokens import default_token_generator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from dinghuo.accounts import queries, services
from dinghuo.accounts.forms import CurrentPasswordForm, EmailForm, NewcomerForm
from dinghuo.accounts.models import Invitation
from dinghuo.accounts.rules import CHOSEN_TENANT
from dinghuo.core import refusals
from dinghuo.core.errors import DomainError
from dinghuo.core.signin import TOO_MANY_ATTEMPTS, blocked, count_failure, counter_keys

RESET_SENT = _(
    "If an account has this address, a link to choose a new password is on its way. "
    "It works once, for an hour."
)
DOORS: dict[str, tuple[str, str]] = {
    Invitation.Door.PORTAL.value: ("portal:sign-in", "portal:home"),
    Invitation.Door.BACKOFFICE.value: ("backoffice:sign-in", "backoffice:dashboard"),
}


def _door(door: str) -> tuple[str, str]:
    if door not in DOORS:
        raise Http404
    return DOORS[door]


def _show_refusal(form: django_forms.Form, error: DomainError) -> None:
    for problem in refusals.problems_of(error):
        field = problem.field if problem.field in form.fields else None
        form.add_error(field, refusals.message(problem))


def _invitation_form(invitation: Invitation, data: Any) -> django_forms.Form:
    if invitation.user.has_usable_password():
        return CurrentPasswordForm(data=data)
    if not invitation.user.first_name.strip():
        return NewcomerForm(invitation.user, data=data)
    return SetPasswordForm(invitation.user, data=data)


@sensitive_post_parameters()
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def accept_invitation(request: HttpRequest, tenant: str, token: str) -> HttpResponseBase:
    """An invitation's link: choose a password (or give the one already used), be signed in."""
    invitation = queries.open_invitation(tenant, token)
    if invitation is None:
        return render(request, "accounts/link_not_valid.html", status=404)
    form = _invitation_form(invitation, request.POST if request.method == "POST" else None)
    status = 200
    keys = counter_keys(request, invitation.user.email)
    if request.method == "POST" and form.is_valid():
        password = form.cleaned_data.get("password") or form.cleaned_data["new_password1"]
        if blocked(keys):
            form.add_error(None, TOO_MANY_ATTEMPTS)
            status = 429
        else:
            try:
                person = services.accept_invitation(
                    tenant_slug=tenant,
                    token=token,
                    password=password,
                    name=form.cleaned_data.get("name", ""),
                )
            except DomainError as refused:
                if refused.code == "wrong_password":
                    count_failure(keys)
                _show_refusal(form, refused)
            else:
                login(request, person, backend="django.contrib.auth.backends.ModelBackend")
                request.session[CHOSEN_TENANT] = invitation.tenant_id
                return HttpResponseRedirect(reverse(_door(invitation.door)[1]))
    context = {"form": form, "invitation": invitation, "seller": invitation.tenant.name}
    return render(request, "accounts/invitation.html", context, status=status)


@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def forgot_password(request: HttpRequest, door: str) -> HttpResponseBase:
    """Ask for a reset link; the answer is the same whether the address has an account."""
    sign_in_url = reverse(_door(door)[0])
    form = EmailForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        hint = request.session.get(CHOSEN_TENANT)
        services.request_password_reset(
            email=form.cleaned_data["email"],
            door=door,
            language=get_language() or "",
            tenant_hint=hint if isinstance(hint, int) else None,
        )
        messages.info(request, RESET_SENT)
        return HttpResponseRedirect(sign_in_url)
    return render(request, "accounts/forgot.html", {"form": form, "sign_in_url": sign_in_url})


def _person_of_link(uid: str, token: str) -> Any:
    try:
        pk = int(force_str(urlsafe_base64_decode(uid)))
    except (TypeError, ValueError, OverflowError):
        return None
    person = get_user_model().objects.filter(pk=pk, is_active=True).first()
    if person is None or not default_token_generator.check_token(person, token):
        return None
    return person


@sensitive_post_parameters()
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def reset_password(request: HttpRequest, door: str, uid: str, token: str) -> HttpResponseBase:
    """A reset link: choose a new password; every session of the person is signed out and
    the link stops working (Django's token changes with the password)."""
    sign_in_url = reverse(_door(door)[0])
    person = _person_of_link(uid, token)
    if person is None:
        return render(request, "accounts/link_not_valid.html", status=404)
    form = SetPasswordForm(person, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_new_password(
                user_id=person.pk,
                password=form.cleaned_data["new_password1"],
                keep_session_key=None,
            )
        except DomainError as refused:
            _show_refusal(form, refused)
        else:
            messages.success(request, _("Your new password is set. Sign in with it."))
            return HttpResponseRedirect(sign_in_url)
    return render(request, "accounts/reset.html", {"form": form, "sign_in_url": sign_in_url})


@sensitive_post_parameters()
@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def change_password(request: HttpRequest) -> HttpResponseBase:
    """Change one's password, giving the current one; one's other sessions are signed out."""
    person = cast(User, request.user)
    form = PasswordChangeForm(person, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_new_password(
                user_id=person.pk,
                password=form.cleaned_data["new_password1"],
                keep_session_key=request.session.session_key,
            )
        except DomainError as refused:
            _show_refusal(form, refused)
        else:
            person.refresh_from_db()
            update_session_auth_hash(request, person)
            messages.success(request, _("Your password is changed; your other sessions ended."))
            return HttpResponseRedirect(reverse("accounts:sessions"))
    return render(request, "accounts/password.html", {"form": form})


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def sessions(request: HttpRequest) -> HttpResponse:
    """One's signed-in sessions, this one marked; POST signs out every other one."""
    current = request.session.session_key or ""
    person = cast(User, request.user)
    if request.method == "POST":
        ended = services.end_other_sessions(user_id=person.pk, keep_session_key=current)
        messages.success(
            request,
            _("You are signed out everywhere else.") if ended else _("You had no other sessions."),
        )
        return HttpResponseRedirect(reverse("accounts:sessions"))
    rows = [
        {
            "session": s,
            "is_this_one": s.session_key == current,
            "device": describe_device(s.user_agent),
        }
        for s in queries.live_sessions(person.pk)
    ]
    return render(request, "accounts/sessions.html", {"rows": rows})


def describe_device(user_agent: str) -> str:
    """A browser and system a person recognises, from the User-Agent ("Chrome · Windows")."""
    browsers = [
        ("Edg/", "Edge"),
        ("Firefox/", "Firefox"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
    ]
    systems = [
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("Android", "Android"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("Linux", "Linux"),
    ]
    browser = next((name for mark, name in browsers if mark in user_agent), "")
    system = next((name for mark, name in systems if mark in user_agent), "")
    return " · ".join(part for part in (browser, system) if part)
