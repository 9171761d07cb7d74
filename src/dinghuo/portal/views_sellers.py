"""A person who buys from several sellers chooses which one they work with now; the choice
is kept in the session and changed from the header."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from dinghuo.accounts.rules import CHOSEN_TENANT
from dinghuo.portal.access import buyers_of
from dinghuo.portal.signin import safe_next_url


@login_required
@require_http_methods(["GET", "POST"])
def choose_seller(request: HttpRequest) -> HttpResponseBase:
    """The sellers the person buys from (GET); POST `seller` (one of theirs) chooses it."""
    every = buyers_of(int(request.user.pk or 0))
    if not every:
        raise PermissionDenied
    if request.method == "POST":
        wanted = request.POST.get("seller", "")
        chosen = next((b for b in every if str(b.tenant_id) == wanted), None)
        if chosen is not None:
            request.session[CHOSEN_TENANT] = chosen.tenant_id
            return HttpResponseRedirect(safe_next_url(request))
    current = request.session.get(CHOSEN_TENANT)
    wanted_next = request.POST.get("next") or request.GET.get("next") or ""
    context = {"buyers": every, "current": current, "next": wanted_next}
    return render(request, "portal/choose_seller.html", context)
