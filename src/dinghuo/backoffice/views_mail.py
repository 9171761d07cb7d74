"""A staff member's mail preferences (pages.mail_preferences)."""

from django.http import HttpResponse
from django.views.decorators.http import require_http_methods

from dinghuo.backoffice.access import StaffRequest, staff_required
from dinghuo.notifications.kinds import Audience
from dinghuo.pages.mail_preferences import preferences_page


@staff_required(get="account.own", post="account.own")
@require_http_methods(["GET", "POST"])
def mail_preferences(request: StaffRequest) -> HttpResponse:
    return preferences_page(
        request,
        tenant_id=request.staff.tenant_id,
        user_id=request.staff.user_id,
        audience=Audience.STAFF,
        template="backoffice/mail_preferences.html",
    )
