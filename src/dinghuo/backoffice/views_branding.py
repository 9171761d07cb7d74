"""The tenant's branding settings: the name, logo and colours its pages, documents and mails
show (`core.branding`). Thin: the form reads, `core.services.set_branding` checks and writes."""

from django import forms
from django.contrib import messages
from django.http import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from dinghuo.backoffice.access import StaffRequest, staff_required
from dinghuo.backoffice.changes import show_refusal
from dinghuo.core import branding
from dinghuo.core.errors import DomainError
from dinghuo.core.services import set_branding


class BrandingForm(forms.Form):
    display_name = forms.CharField(
        label=_("Name shown"),
        max_length=200,
        required=False,
        help_text=_("Leave empty to show the company's name."),
    )
    primary_colour = forms.CharField(
        label=_("Main colour"), max_length=7, required=False, help_text=_("Such as #1f4e79.")
    )
    accent_colour = forms.CharField(
        label=_("Accent colour"), max_length=7, required=False, help_text=_("Such as #8a4b08.")
    )
    logo = forms.FileField(
        label=_("Logo"),
        required=False,
        help_text=_("A PNG or JPEG image of at most 512 KB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
    )
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)


def _page(request: StaffRequest, form: BrandingForm, status: int = 200) -> HttpResponseBase:
    brand = branding.brand_for(request.staff.tenant_id)
    context = {"form": form, "current": brand}
    return render(request, "backoffice/branding.html", context, status=status)


@require_http_methods(["GET", "POST"])
@staff_required(get="settings.change", post="settings.change")
def branding_settings(request: StaffRequest) -> HttpResponseBase:
    """The branding form (GET) and its saving (POST); a refused colour or logo is shown on
    its field and nothing is saved."""
    tenant_id = request.staff.tenant_id
    if request.method != "POST":
        brand = branding.brand_for(tenant_id)
        initial = {}
        if brand is not None:
            initial = {
                "display_name": brand.name,
                "primary_colour": brand.primary,
                "accent_colour": brand.accent,
            }
        return _page(request, BrandingForm(initial=initial))
    form = BrandingForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, form, 422)
    data = form.cleaned_data
    upload = data["logo"]
    try:
        set_branding(
            tenant_id=tenant_id,
            display_name=data["display_name"],
            primary_colour=data["primary_colour"].strip(),
            accent_colour=data["accent_colour"].strip(),
            logo=upload.read(branding.LOGO_MAX_BYTES + 1) if upload else None,
            remove_logo=data["remove_logo"],
        )
    except DomainError as refusal:
        show_refusal(form, refusal, lambda problem: problem.field)
        return _page(request, form, 422)
    messages.success(request, gettext("The branding is saved."))
    return redirect("backoffice:branding")
