"""Where each door of the site signs people in and sets up their two-step sign-in."""

from django.urls import reverse

STAFF_PREFIX = "/staff/"
ADMIN_PREFIX = "/admin/"

ENROL_PAGE = {"staff": "backoffice:two-step", "buyer": "portal:two-step"}
"""The page setting up two-step sign-in for those a tenant's rule covers, by role."""
OPERATOR_ENROL_PAGE = "operators:two-step"
"""The console's page where an operator sets up their own two-step sign-in."""
OPERATOR_PREFIXES = ("/operator/", ADMIN_PREFIX)
"""The doors of the people who run the deployment (setting DINGHUO_OPERATORS_2FA)."""


def sign_in_url(path: str) -> str:
    """The sign-in page of the door `path` belongs to (operators sign in at the admin's)."""
    if path.startswith(STAFF_PREFIX):
        return reverse("backoffice:sign-in")
    if path.startswith(OPERATOR_PREFIXES):
        return reverse("admin:login")
    return reverse("portal:sign-in")
