"""The seller's staff as the People page reads them (one query)."""

from django.db.models import Exists, OuterRef, QuerySet

from dinghuo.accounts.models import Invitation
from dinghuo.backoffice.models import StaffMember


def staff_people(tenant_id: int) -> QuerySet[StaffMember]:
    """The tenant's staff, active first, each with `invitation_open` (invited, not joined)."""
    waiting = Invitation.objects.filter(
        tenant_id=tenant_id,
        user_id=OuterRef("user_id"),
        door=Invitation.Door.BACKOFFICE,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
    )
    return (
        StaffMember.objects.filter(tenant_id=tenant_id)
        .select_related("user")
        .annotate(invitation_open=Exists(waiting))
        .order_by("-is_active", "user__email", "pk")
    )
