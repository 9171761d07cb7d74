"""Each tenant's rule on who must sign in in two steps.

The authenticators and recovery codes themselves are django-otp's tables (`otp_totp`,
`otp_static`), one of each per person at most, written only by this app's services.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from dinghuo.core.models import TenantScoped


class Requirement(models.TextChoices):
    """Who of a tenant must use two-step sign-in."""

    NOBODY = "nobody", _("Nobody has to (each person may turn it on)")
    STAFF = "staff", _("Staff have to")
    EVERYONE = "everyone", _("Staff and buyers have to")


class SignInPolicy(TenantScoped):
    """The tenant's rule; a tenant without a row requires nobody."""

    requires = models.CharField(
        max_length=10, choices=Requirement.choices, default=Requirement.NOBODY
    )
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant"], name="two_factor_one_policy_per_tenant"),
            models.CheckConstraint(
                condition=models.Q(requires__in=["nobody", "staff", "everyone"]),
                name="two_factor_policy_requires_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tenant_id}: {self.requires}"
