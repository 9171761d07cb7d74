"""People: the seller's staff, inviting one by e-mail, sending an invitation again,
changing a staff member's role and switching them off or on. Thin over `backoffice.services`.

Staff with `staff.manage` use it (`core.permissions`); the role an invitation or a change
gives is never above the decider's own, nor may they change someone whose role is
(`permissions.may_grant`, checked by the services; the page offers only what is allowed).
"""

from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from dinghuo.backoffice import services
from dinghuo.backoffice.access import StaffRequest, staff_required
from dinghuo.backoffice.people import staff_people
from dinghuo.core import permissions, refusals
from dinghuo.core.errors import DomainError, NotFound


class InviteForm(django_forms.Form):
    email = django_forms.EmailField(label=_("Email"), max_length=254)
    name = django_forms.CharField(label=pgettext_lazy("of a person", "Name"), max_length=150)
    role = django_forms.ChoiceField(
        label=_("Role"),
        choices=[(role.value, name) for role, name in permissions.ROLE_NAMES.items()],
        initial=permissions.Role.READ_ONLY.value,
        required=False,  # left out: the role that changes nothing
    )


def roles_to_give(granter: str, holder: str) -> list[tuple[str, str]]:
    """The roles someone of role `granter` may give a person who has role `holder`, as
    (value, name) in the matrix's order; empty when they may not change that person."""
    if not permissions.may_grant(granter, holder):
        return []
    return [
        (role.value, str(name))
        for role, name in permissions.ROLE_NAMES.items()
        if permissions.may_grant(granter, role.value, replacing=holder)
    ]


class RoleForm(django_forms.Form):
    role = django_forms.ChoiceField(label=_("Role"))

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = choices  # type: ignore[attr-defined]


def _rows(request: StaffRequest) -> list[dict[str, Any]]:
    rows = []
    for member in staff_people(request.staff.tenant_id):
        user = member.user
        invited = bool(getattr(member, "invitation_open", False))
        is_me = user.pk == request.staff.user_id
        choices = roles_to_give(request.staff.role, member.role)
        rows.append(
            {
                "member": member,
                "name": f"{user.first_name} {user.last_name}".strip() or user.email,
                "email": user.email,
                "role": permissions.ROLE_NAMES[permissions.Role(member.role)],
                "invited": invited,
                "joined": user.has_usable_password() and not invited,
                "is_me": is_me,
                # Only someone whose role the viewer may change has a role form and switch.
                "role_choices": choices if member.is_active else [],
                "may_switch": bool(choices) and not is_me,
                "may_see_data": request.staff.may("people.erase"),
            }
        )
    return rows


def _page(request: StaffRequest, form: InviteForm | None = None, status: int = 200) -> HttpResponse:
    context = {"rows": _rows(request), "form": form or InviteForm()}
    return render(request, "backoffice/people.html", context, status=status)


@require_GET
@staff_required(get="staff.manage")
def people(request: StaffRequest) -> HttpResponse:
    """The staff, who has joined and who is invited, and the form to invite someone."""
    return _page(request)


@require_POST
@staff_required(post="staff.manage")
def invite(request: StaffRequest) -> HttpResponseBase:
    """Invite a person to the back office by e-mail."""
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            services.invite_staff_member(
                tenant_id=request.staff.tenant_id,
                email=form.cleaned_data["email"],
                name=form.cleaned_data["name"],
                role=form.cleaned_data["role"] or permissions.Role.READ_ONLY.value,
                by_role=request.staff.role,
                invited_by=request.staff.name,
                language=get_language() or "",
            )
        except DomainError as refused:
            for problem in refusals.problems_of(refused):
                field = problem.field if problem.field in form.fields else None
                form.add_error(field, refusals.message(problem))
        else:
            messages.success(
                request, gettext("We sent %(email)s an invitation.") % form.cleaned_data
            )
            return redirect("backoffice:people")
    return _page(request, form)


@require_POST
@staff_required(post="staff.manage")
def change(request: StaffRequest, staff_member_id: int, action: str) -> HttpResponseBase:
    """Send a staff member's invitation again, switch them off or on."""
    staff = request.staff
    try:
        if action == "resend":
            services.resend_staff_invitation(
                tenant_id=staff.tenant_id, staff_member_id=staff_member_id, invited_by=staff.name
            )
            messages.success(request, gettext("The invitation is sent again."))
        elif action == "deactivate":
            services.deactivate_staff_member(
                tenant_id=staff.tenant_id, staff_member_id=staff_member_id, by_user_id=staff.user_id
            )
            messages.success(request, gettext("They can no longer use the back office."))
        elif action == "reactivate":
            services.reactivate_staff_member(
                tenant_id=staff.tenant_id, staff_member_id=staff_member_id, by_user_id=staff.user_id
            )
            messages.success(request, gettext("They can use the back office again."))
        else:
            raise Http404
    except NotFound as missing:
        raise Http404 from missing
    except DomainError as refused:
        for said in refusals.messages(refused):
            messages.error(request, said)
    return redirect("backoffice:people")


@require_POST
@staff_required(post="staff.manage")
def change_role(request: StaffRequest, staff_member_id: int) -> HttpResponseBase:
    """Give a staff member another role (`change_staff_role`): only the roles the signed-in
    person may give are offered and accepted; a refusal is said on the People page."""
    staff = request.staff
    member = staff_people(staff.tenant_id).filter(pk=staff_member_id).first()
    if member is None:
        raise Http404
    form = RoleForm(request.POST, choices=roles_to_give(staff.role, member.role))
    if not form.is_valid():
        messages.error(request, gettext("Choose one of the roles offered."))
        return redirect("backoffice:people")
    try:
        services.change_staff_role(
            tenant_id=staff.tenant_id,
            by_user_id=staff.user_id,
            member_id=member.pk,
            role=form.cleaned_data["role"],
        )
    except DomainError as refused:
        for said in refusals.messages(refused):
            messages.error(request, said)
    else:
        messages.success(request, gettext("The role is changed."))
    return redirect("backoffice:people")
