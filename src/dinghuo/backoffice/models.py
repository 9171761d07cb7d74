"""Who works in a tenant's back office: a Django user made staff of one tenant.

Being a Django superuser or `is_staff` (the admin's notion) does not let anyone into the back
office: only a `StaffMember` row does, and it names the one tenant whose orders they see.
"""

from django.conf import settings
from django.db import models

from dinghuo.core.models import TenantScoped
from dinghuo.core.permissions import ROLE_NAMES, Role

ROLE_CHOICES = [(role.value, name) for role, name in ROLE_NAMES.items()]


class StaffMember(TenantScoped):
    """A person of the operator who works on the tenant's orders, stock and customers."""

    # One row per person and tenant: a person may work for several sellers (the reverse
    # name stays "staff_member" for the queries that use it).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_member"
    )
    is_active = models.BooleanField(
        default=True, help_text="Untick to take back office access away without deleting."
    )
    # What they may do (`core.permissions`). Staff made before roles existed could do
    # everything, so they became owners; `add_staff_member` always names the role.
    role = models.CharField(max_length=20, choices=ROLE_CHOICES, default=Role.OWNER.value)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "user"], name="one_staff_row_per_tenant")
        ]

    def __str__(self) -> str:
        return str(self.user)
