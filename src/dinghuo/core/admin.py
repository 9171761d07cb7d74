"""What every app's admin shares, and the admin of Django's own users and groups.

Every admin class inherits django-unfold's `ModelAdmin` (inlines its `TabularInline`), so
that the theme styles all of a page: forms, filters, actions, not only the frame.
"""

from types import MethodType
from typing import Any

from django.contrib import admin
from django.contrib.admin import AdminSite
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group, User
from django.http import HttpRequest
from unfold.admin import ModelAdmin
from unfold.forms import AdminPasswordChangeForm, UserChangeForm, UserCreationForm


class ReadOnlyAdmin(ModelAdmin):
    """Rows staff may look at but change only through the services (which lock, check and
    record events): the admin would skip all three."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# Django registers these with its plain admin (importing django.contrib.auth.admin above
# did); they come back with the theme's forms.
admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class UserAdmin(BaseUserAdmin[User], ModelAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    change_password_form = AdminPasswordChangeForm


@admin.register(Group)
class GroupAdmin(BaseGroupAdmin, ModelAdmin):
    pass


# The worker's queue (django-tasks-db) registers an admin of its task results: queued imports
# are followed on their own pages (Imports and exports), and a queue row changed by hand would
# break the worker's claim, so the queue stays out of the admin.
def _leave_out_the_task_queue() -> None:
    from django_tasks_db.models import DBTaskResult

    if admin.site.is_registered(DBTaskResult):
        admin.site.unregister(DBTaskResult)


_leave_out_the_task_queue()


def operators_only(site: AdminSite, request: HttpRequest) -> bool:
    """Only the operators of the deployment (active superusers) enter the admin.

    The admin sees every tenant's rows and writes past the services (no lock, no event, no
    tenant scope), so a tenant's staff — even one made `is_staff` — keep to the back office,
    which covers their master data through the services (docs/security.md, "The Django admin").
    """
    user = request.user
    return bool(user.is_active and user.is_superuser)


admin.site.has_permission = MethodType(operators_only, admin.site)  # type: ignore[method-assign]
