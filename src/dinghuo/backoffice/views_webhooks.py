"""Webhook pages: the tenant's subscriptions with their state, one made, changed or deleted,
its secret shown once (made or replaced), a paused one resumed, and its delivery log with
every attempt, a delivery replayed, or the events of a period or after a feed cursor.

Thin over `integrations.services` and `integrations.queries`, what the API's webhook routes
use: the forms check the shape of what was typed; whether an address may be called is the
service's call, and its refusals appear next to the field. The tenant always comes from the
signed-in staff member, so another tenant's ids find nothing (404). Types, states and the
worker's notes are said in words (`webhook_words`).
"""

from dataclasses import replace
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dinghuo.backoffice import changes, forms, webhook_pages
from dinghuo.backoffice.access import StaffRequest, staff_required
from dinghuo.backoffice.forms_webhooks import (
    CursorReplayForm,
    PeriodReplayForm,
    WebhookForm,
    initial_of,
)
from dinghuo.backoffice.params import int_param
from dinghuo.backoffice.webhook_words import (
    STATE_WORDS,
    URL_REASONS,
    event_words,
    types_in_words,
)
from dinghuo.core import refusals
from dinghuo.core.errors import DomainError, FieldError, NotFound
from dinghuo.core.writes import UNSET
from dinghuo.integrations import cursors, queries, services
from dinghuo.integrations.models import WebhookDelivery, WebhookSubscription

LOG_PAGE_SIZE = 50
_SHOW_ONCE = "webhook_secret"  # the session's key for a secret to show once
# A cursor the page reads that the feed never gave: said for this form, not as a page link.
_CURSOR_WORDS: refusals.Overrides = {"invalid_cursor": webhook_pages.CURSOR_REFUSED}


def _platform_hosts(request: StaffRequest) -> list[str]:
    """This platform's own addresses: a webhook must not call them."""
    hosts = [request.get_host()]
    if settings.DINGHUO_PORTAL_URL:
        hosts.append(urlsplit(settings.DINGHUO_PORTAL_URL).netloc)
    return hosts


def _subscription(tenant_id: int, webhook_id: int) -> WebhookSubscription:
    try:
        return queries.subscription(tenant_id, webhook_id)
    except NotFound as error:
        raise Http404 from error


def _delivery(
    tenant_id: int, subscription: WebhookSubscription, delivery_id: int
) -> WebhookDelivery:
    try:
        return queries.delivery(tenant_id, subscription.pk, delivery_id)
    except NotFound as error:
        raise Http404 from error


@require_GET
@staff_required(get="integrations.view")
def webhooks(request: StaffRequest) -> HttpResponse:
    """Every subscription, oldest first, with what it asks for, its state in words, how many
    deliveries wait or were given up, and when it last received one."""
    found = list(queries.subscriptions(request.staff.tenant_id).order_by("pk"))
    ids = [s.pk for s in found]
    counts = queries.delivery_counts(ids)
    last = queries.last_delivered(ids)
    rows = [
        {
            "subscription": s,
            "types": types_in_words(s.event_types),
            "state": webhook_pages.state_of(s),
            "waiting": counts[s.pk].get("pending", 0),
            "given_up": counts[s.pk].get("failed", 0),
            "last_delivered": last.get(s.pk),
        }
        for s in found
    ]
    return render(request, "backoffice/webhooks.html", {"rows": rows})


def _said(problem: FieldError, error: DomainError) -> str:
    """A problem in words: by its own code, or, where that has no words, by the refusal's
    (`webhook_url_refused`, `replay_range_reversed`)."""
    code = problem.code if problem.code in refusals.CATALOG else error.code
    return forms.problem_message(replace(problem, code=code), overrides=_CURSOR_WORDS)


def _show_refusal(form: WebhookForm, error: DomainError) -> None:
    """Each problem next to its field: the address (with why, when known), or the types
    written out (naming the type that is not one)."""
    types = form.event_types() if form.is_valid() else []
    for problem in refusals.problems_of(error):
        said = _said(problem, error)
        field = changes.field_of(problem)
        if field == "url":
            reason = URL_REASONS.get(problem.message)
            form.add_error("url", f"{said} {reason}" if reason else said)
        elif field == "event_types":
            index = problem.field[len("event_types[") : -1]
            kind = types[int(index)] if index.isdigit() and int(index) < len(types) else ""
            form.add_error("more_types", f"{said} ({kind})" if kind else said)
        else:
            form.add_error(None, said)


def _secret_once(request: StaffRequest, made: services.NewSecret, rotated: bool) -> None:
    # Kept in the session only until the next page shows it (then popped): a reload or the
    # back button shows it no more.
    request.session[_SHOW_ONCE] = {
        "id": made.subscription.pk,
        "secret": made.secret,
        "rotated": rotated,
    }


def _create(request: StaffRequest, form: WebhookForm) -> services.NewSecret:
    """The subscription made, and switched off at once if so asked (in the caller's one
    transaction: a refusal leaves nothing behind)."""
    data = form.cleaned_data
    made = services.create_subscription(
        tenant_id=request.staff.tenant_id,
        url=data["url"].strip(),
        event_types=form.event_types(),
        description=data["description"],
        contact_email=data["contact_email"],
        platform_hosts=_platform_hosts(request),
    )
    if not data["is_active"]:
        services.update_subscription(
            tenant_id=request.staff.tenant_id,
            subscription_id=made.subscription.pk,
            platform_hosts=_platform_hosts(request),
            is_active=False,
        )
    return made


@require_http_methods(["GET", "POST"])
@staff_required(get="webhooks.manage", post="webhooks.manage")
def new_webhook(request: StaffRequest) -> HttpResponseBase:
    """Subscribe an address through `create_subscription`; the next page shows its secret."""
    form = WebhookForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            made = changes.run(lambda: _create(request, form))
        except DomainError as error:
            _show_refusal(form, error)
        else:
            _secret_once(request, made, rotated=False)
            messages.success(request, gettext("The webhook is created."))
            return redirect("backoffice:webhook", webhook_id=made.subscription.pk)
    return render(request, "backoffice/webhook_form.html", {"form": form, "subscription": None})


@require_http_methods(["GET", "POST"])
@staff_required(get="webhooks.manage", post="webhooks.manage")
def edit_webhook(request: StaffRequest, webhook_id: int) -> HttpResponseBase:
    """Change a subscription through `update_subscription`; refusals next to the fields."""
    tenant_id = request.staff.tenant_id
    found = _subscription(tenant_id, webhook_id)
    form = WebhookForm(
        request.POST if request.method == "POST" else None, initial=initial_of(found)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        url = data["url"].strip()
        try:
            changes.run(
                lambda: services.update_subscription(
                    tenant_id=tenant_id,
                    subscription_id=found.pk,
                    platform_hosts=_platform_hosts(request),
                    # An address left as it was is not checked again (nor looked up).
                    url=UNSET if url == found.url else url,
                    event_types=form.event_types(),
                    description=data["description"],
                    contact_email=data["contact_email"],
                    is_active=data["is_active"],
                )
            )
        except DomainError as error:
            _show_refusal(form, error)
        else:
            messages.success(request, gettext("The webhook is saved."))
            return redirect("backoffice:webhook", webhook_id=found.pk)
    return render(request, "backoffice/webhook_form.html", {"form": form, "subscription": found})


@require_http_methods(["GET", "POST"])
@staff_required(get="webhooks.manage", post="webhooks.manage")
def delete_webhook(request: StaffRequest, webhook_id: int) -> HttpResponseBase:
    """Ask, then delete: nothing more is sent, and its delivery log goes with it."""
    tenant_id = request.staff.tenant_id
    found = _subscription(tenant_id, webhook_id)
    if request.method == "POST":
        changes.run(
            lambda: services.delete_subscription(tenant_id=tenant_id, subscription_id=found.pk)
        )
        messages.success(request, gettext("The webhook is deleted."))
        return redirect("backoffice:webhooks")
    return render(request, "backoffice/webhook_delete.html", {"subscription": found})


@require_POST
@staff_required(post="webhooks.manage")
def rotate_secret(request: StaffRequest, webhook_id: int) -> HttpResponseBase:
    """A new secret, shown once on the next page; the old one signs beside it for 24 hours."""
    made = changes.run(
        lambda: services.rotate_secret(
            tenant_id=request.staff.tenant_id, subscription_id=webhook_id
        )
    )
    _secret_once(request, made, rotated=True)
    return redirect("backoffice:webhook", webhook_id=webhook_id)


@require_POST
@staff_required(post="webhooks.manage")
def resume(request: StaffRequest, webhook_id: int) -> HttpResponseBase:
    """Send again after a pause: every delivery waiting or given up is tried now."""
    try:
        changes.run(
            lambda: services.resume_subscription(
                tenant_id=request.staff.tenant_id, subscription_id=webhook_id
            )
        )
    except DomainError as error:
        messages.error(request, " ".join(forms.error_messages(error)))
    else:
        messages.success(
            request, gettext("The webhook is resumed: what was waiting is being sent now.")
        )
    return redirect("backoffice:webhook", webhook_id=webhook_id)


def _log_link(webhook_id: int, **query: Any) -> str:
    given = {k: v for k, v in query.items() if v}
    base = reverse("backoffice:webhook", kwargs={"webhook_id": webhook_id})
    return f"{base}?{urlencode(given)}#log" if given else f"{base}#log"


def _detail(
    request: StaffRequest,
    found: WebhookSubscription,
    period_form: PeriodReplayForm | None = None,
    cursor_form: CursorReplayForm | None = None,
) -> HttpResponse:
    tenant_id = request.staff.tenant_id
    state = request.GET.get("state") or ""
    if state not in STATE_WORDS:
        state = ""
    log = queries.deliveries(tenant_id, found.pk, state or None).order_by("-id")
    before = int_param(request.GET.get("before"))
    if before:
        log = log.filter(pk__lt=before)
    page = list(log[: LOG_PAGE_SIZE + 1])
    more = len(page) > LOG_PAGE_SIZE
    page = page[:LOG_PAGE_SIZE]
    shown = request.session.get(_SHOW_ONCE)
    secret = None
    if shown and shown.get("id") == found.pk:
        secret = request.session.pop(_SHOW_ONCE)
    counts = queries.delivery_counts([found.pk])[found.pk]
    context = {
        "subscription": found,
        "types": types_in_words(found.event_types),
        "state": webhook_pages.state_of(found),
        "waiting": counts.get("pending", 0),
        "given_up": counts.get("failed", 0),
        "old_secret_until": webhook_pages.old_secret_until(found),
        "position": cursors.write(found.position_txid, found.position_event_id),
        "secret": secret,
        "log": webhook_pages.log_rows(tenant_id, page),
        "log_state": state,
        "states": list(STATE_WORDS.items()),
        "older": _log_link(found.pk, state=state, before=page[-1].pk) if more else None,
        "period_form": period_form or PeriodReplayForm(),
        "cursor_form": cursor_form or CursorReplayForm(),
    }
    return render(request, "backoffice/webhook.html", context)


@require_GET
@never_cache
@staff_required(get="integrations.view")
def webhook(request: StaffRequest, webhook_id: int) -> HttpResponse:
    """A subscription: its settings and state, its secret when just made or replaced (once),
    and its delivery log, newest first, by state (`?state=`), older ones by `?before=`."""
    return _detail(request, _subscription(request.staff.tenant_id, webhook_id))


@require_GET
@staff_required(get="integrations.view")
def delivery(request: StaffRequest, webhook_id: int, delivery_id: int) -> HttpResponse:
    """One delivery: its event and object in words, and every attempt with the answer."""
    tenant_id = request.staff.tenant_id
    found = _subscription(tenant_id, webhook_id)
    one = _delivery(tenant_id, found, delivery_id)
    (row,) = webhook_pages.log_rows(tenant_id, [one])
    return render(
        request,
        "backoffice/webhook_delivery.html",
        {
            "subscription": found,
            "row": row,
            "cursor": cursors.write(one.event_txid, one.event_id),
            "attempts": webhook_pages.attempt_rows(one.log.all()),
            "next_try": webhook_pages.next_try(one),
        },
    )


@require_POST
@staff_required(post="webhooks.manage")
def replay_delivery(request: StaffRequest, webhook_id: int, delivery_id: int) -> HttpResponseBase:
    """Send a delivery's event again as a new delivery (same event id)."""
    tenant_id = request.staff.tenant_id
    found = _subscription(tenant_id, webhook_id)
    one = _delivery(tenant_id, found, delivery_id)
    try:
        changes.run(lambda: services.replay_delivery(tenant_id=tenant_id, delivery_id=one.pk))
    except DomainError as error:
        messages.error(request, " ".join(forms.error_messages(error)))
    else:
        said = event_words(one.event_type, one.aggregate_type)  # type: ignore[attr-defined]
        messages.success(request, gettext("“%(event)s” will be sent again.") % {"event": said})
    return redirect(_log_link(found.pk))


def _replayed(request: StaffRequest, count: int) -> None:
    if count:
        messages.success(
            request,
            ngettext(
                "%(count)s event will be sent again.",
                "%(count)s events will be sent again.",
                count,
            )
            % {"count": count},
        )
    else:
        messages.warning(request, gettext("No event to send again: none matches."))


def _replay_refusal(form: Any, error: DomainError, field: str) -> None:
    for problem in refusals.problems_of(error):
        said = _said(problem, error)
        target = changes.field_of(problem)
        form.add_error(target if target in form.fields else field, said)


@require_POST
@staff_required(post="webhooks.manage")
def replay_period(request: StaffRequest, webhook_id: int) -> HttpResponseBase:
    """Send again the events that occurred in a period (in the staff member's time zone)."""
    tenant_id = request.staff.tenant_id
    found = _subscription(tenant_id, webhook_id)
    form = PeriodReplayForm(request.POST)
    if not form.is_valid():
        return _detail(request, found, period_form=form)
    try:
        count = changes.run(
            lambda: services.replay_events(
                tenant_id=tenant_id,
                subscription_id=found.pk,
                occurred_from=form.cleaned_data["occurred_from"],
                occurred_until=form.cleaned_data["occurred_until"],
            )
        )
    except DomainError as error:
        _replay_refusal(form, error, "occurred_from")
        return _detail(request, found, period_form=form)
    _replayed(request, count)
    return redirect(_log_link(found.pk))


@require_POST
@staff_required(post="webhooks.manage")
def replay_cursor(request: StaffRequest, webhook_id: int) -> HttpResponseBase:
    """Send again every event after a feed cursor, up to the subscription's position."""
    tenant_id = request.staff.tenant_id
    found = _subscription(tenant_id, webhook_id)
    form = CursorReplayForm(request.POST)
    if not form.is_valid():
        return _detail(request, found, cursor_form=form)
    try:
        after = cursors.read(form.cleaned_data["after"].strip())
        count = changes.run(
            lambda: services.replay_events(
                tenant_id=tenant_id, subscription_id=found.pk, after=after
            )
        )
    except DomainError as error:
        _replay_refusal(form, error, "after")
        return _detail(request, found, cursor_form=form)
    _replayed(request, count)
    return redirect(_log_link(found.pk))
