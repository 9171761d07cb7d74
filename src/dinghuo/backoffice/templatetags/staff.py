"""`{% load staff %}`: `{% if request.staff|may:"prices.view" %}` hides a menu entry, a money
column or a form from a role without the permission (the view refuses it anyway)."""

from django import template

from dinghuo.backoffice.access import StaffUser

register = template.Library()


@register.filter
def may(staff: StaffUser | None, permission: str) -> bool:
    """Whether the signed-in staff member's role allows `permission` (no query)."""
    return staff is not None and staff.may(permission)
