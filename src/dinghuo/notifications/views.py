"""The unsubscribe page a mail's link opens: no sign-in, the signed token says who and what.

GET shows what will stop and a button (mail scanners open links; only a person's POST, or a
mail program's one-click POST (RFC 8058), unsubscribes).
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from dinghuo.notifications import services
from dinghuo.notifications import unsubscribe as tokens
from dinghuo.notifications.branding import brand_for


@csrf_exempt  # a mail program's one-click POST has no CSRF token; the signed token is the proof
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    asked = tokens.read(token)
    if asked is None:
        return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=404)
    done = request.method == "POST"
    if done:
        services.unsubscribe(tenant_id=asked.tenant_id, user_id=asked.user_id, kind=asked.kind)
    context = {"kind": asked.kind.label, "mail_brand": brand_for(asked.tenant_id), "done": done}
    return render(request, "notifications/unsubscribe.html", context)
