"""The buyer's mail preferences (pages.mail_preferences)."""

from django.http import HttpResponse
from django.views.decorators.http import require_http_methods

from dinghuo.notifications.kinds import Audience
from dinghuo.pages.mail_preferences import preferences_page
from dinghuo.portal.access import BuyerRequest, buyer_required


@buyer_required
@require_http_methods(["GET", "POST"])
def mail_preferences(request: BuyerRequest) -> HttpResponse:
    user_id = request.user.pk
    assert user_id is not None  # buyer_required let only a signed-in buyer in
    return preferences_page(
        request,
        tenant_id=request.buyer.tenant_id,
        user_id=user_id,
        audience=Audience.BUYER,
        template="portal/mail_preferences.html",
    )
