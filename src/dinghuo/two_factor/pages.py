"""The "Two-step sign-in" page of a signed-in person, shared by the back office and the portal
(each wraps it with its own access check and layout): set up an authenticator, keep the
recovery codes, renew them, turn two-step sign-in off, add passkeys (the page's script, through
two_factor/passkey_views.py) and remove them.

New recovery codes stay in the session until the person says they kept them (or signs out),
so that they can be downloaded as a text file; they are never shown again after that.
"""

from typing import Any

import django_otp
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dinghuo.core import failures
from dinghuo.core.signin import TOO_MANY_ATTEMPTS, blocked, count_failure, counter_keys
from dinghuo.two_factor import codes, qr, queries, services
from dinghuo.two_factor.forms import CodeForm, NewPasskeyForm, RemovePasskeyForm
from dinghuo.two_factor.signin import WRONG_CODE

FRESH_CODES = "two_factor.fresh_codes"
REQUIRED = _("Your organisation requires two-step sign-in, so it cannot be turned off.")
NOT_THE_APP_CODE = _("This is not the code your app shows now. Check the app and try again.")
WRONG_PASSWORD = _("This is not your password.")
LAST_PASSKEY_REQUIRED = _(
    "Your organisation requires two-step sign-in: add another passkey or an authenticator app "
    "before you remove this one."
)


def _me(request: HttpRequest) -> int:
    """The signed-in person's user id (the doors' access checks let only them in)."""
    user_id = request.user.pk
    assert user_id is not None
    return int(user_id)


def _checked(request: HttpRequest, form: CodeForm, act: Any) -> Any:
    """Run `act(code)` for a signed-in person's code, counted like a sign-in: refused while
    locked out, a failure counted when it answers None."""
    keys = counter_keys(request, request.user.get_username())
    if blocked(keys):
        form.add_error(None, TOO_MANY_ATTEMPTS)
        return None
    result = act(form.cleaned_data["code"])
    if result is None or result == services.TurnOff.WRONG_CODE:
        count_failure(keys)
        form.add_error("code", WRONG_CODE)
        return None
    failures.forget(keys[0])
    return result


def _remove_passkey(request: HttpRequest) -> tuple[str, RemovePasskeyForm | None]:
    """Remove one passkey once the person typed their password (a wrong one counts as a
    failed sign-in); another person's passkey is not found (404)."""
    passkey = request.POST.get("passkey", "")
    if not passkey.isdigit() or len(passkey) > 18:
        raise Http404
    failed = f"remove-{passkey}"
    form = RemovePasskeyForm(request.POST, auto_id=f"{failed}-%s")
    if not form.is_valid():
        return failed, form
    keys = counter_keys(request, request.user.get_username())
    if blocked(keys):
        form.add_error(None, TOO_MANY_ATTEMPTS)
        return failed, form
    done = services.remove_passkey(
        user_id=_me(request),
        passkey_id=form.cleaned_data["passkey"],
        password=form.cleaned_data["password"],
    )
    if done == services.RemovePasskey.NOT_FOUND:
        raise Http404
    if done == services.RemovePasskey.WRONG_PASSWORD:
        count_failure(keys)
        form.add_error("password", WRONG_PASSWORD)
        return failed, form
    if done == services.RemovePasskey.LAST_REQUIRED:
        form.add_error(None, LAST_PASSKEY_REQUIRED)
        return failed, form
    failures.forget(keys[0])
    messages.success(request, gettext("Passkey removed."))
    return "", None


def _post(request: HttpRequest, *, required: bool) -> tuple[str, Any]:
    """Handle one of the page's buttons: ("", None) when done, else the action whose form
    failed and that form. `required`: turning off is refused whatever the tenants' rules."""
    user_id = _me(request)
    action = request.POST.get("action", "")
    if action == "remove-passkey":
        return _remove_passkey(request)
    if action == "begin":
        services.begin_enrolment(user_id=user_id)
    elif action == "kept":
        request.session.pop(FRESH_CODES, None)
    elif action in ("confirm", "renew", "off"):
        form = CodeForm(request.POST, auto_id=f"{action}-%s")
        if not form.is_valid():
            return action, form
        if action == "confirm":
            confirmed = services.confirm_enrolment(user_id=user_id, code=form.cleaned_data["code"])
            if confirmed is None:
                form.add_error("code", NOT_THE_APP_CODE)
                return action, form
            django_otp.login(request, confirmed[0])
            request.session[FRESH_CODES] = confirmed[1]
        elif action == "renew":
            fresh = _checked(
                request, form, lambda c: services.renew_recovery_codes(user_id=user_id, code=c)
            )
            if fresh is None:
                return action, form
            request.session[FRESH_CODES] = fresh
        else:
            required = required or queries.standing(user_id).required_as is not None
            if required and not queries.has_passkeys(user_id):
                form.add_error(None, REQUIRED)
                return action, form
            done = _checked(request, form, lambda c: services.turn_off(user_id=user_id, code=c))
            if done is None:
                return action, form
            messages.success(request, gettext("Two-step sign-in is off."))
    return "", None


def two_step_page(
    request: HttpRequest, *, template: str, codes_url: str, required: bool = False
) -> HttpResponseBase:
    """The page (GET) and its buttons (POST `action`: begin, confirm, kept, renew, off).
    `required`: the door itself requires two-step sign-in (the operators' console with
    DINGHUO_OPERATORS_2FA), besides any tenant's rule."""
    failed, form = ("", None)
    if request.method == "POST":
        failed, form = _post(request, required=required)
        if form is None:
            return HttpResponseRedirect(request.path)
    enrolment = queries.enrolment(_me(request))
    fresh = request.session.get(FRESH_CODES) or []
    context: dict[str, Any] = {
        "enrolment": enrolment,
        "required": required or queries.standing(_me(request)).required_as is not None,
        "qr_svg": mark_safe(qr.svg(enrolment.setup_url)) if enrolment.setup_url else "",  # noqa: S308
        "grouped_secret": codes.grouped_secret(enrolment.secret),
        "fresh_codes": [codes.shown_recovery_code(c) for c in fresh],
        "codes_url": codes_url,
    }
    for action in ("confirm", "renew", "off"):
        mine = form if failed == action else None
        context[f"{action}_form"] = mine or CodeForm(auto_id=f"{action}-%s")
    context["passkeys"] = [
        (
            key,
            form
            if failed == f"remove-{key.id}"
            else RemovePasskeyForm(initial={"passkey": key.id}, auto_id=f"remove-{key.id}-%s"),
        )
        for key in enrolment.passkeys
    ]
    context["new_passkey_form"] = NewPasskeyForm(auto_id="passkey-%s")
    return render(request, template, context, status=422 if form is not None else 200)


def recovery_codes_file(request: HttpRequest) -> HttpResponse:
    """The new recovery codes as a text file, while the page still shows them."""
    fresh = request.session.get(FRESH_CODES)
    if not fresh:
        raise Http404
    lines = [gettext("Recovery codes for %(name)s") % {"name": request.user.get_username()}, ""]
    lines += [codes.shown_recovery_code(c) for c in fresh]
    lines += ["", gettext("Each code signs you in once, instead of a code from your app.")]
    response = HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="recovery-codes.txt"'
    response["Cache-Control"] = "no-store"
    return response
