"""EDI pages: the trading partners (set one up, change it, map its delivery points), the
messages received and sent (newest first, by status and direction), one message with its
reasons, orders, answer and raw text, and a manual upload of an interchange.

Thin pages over `edi.services` and `edi.queries` (what the API uses). A new partner and an
upload run once per form token (`pages.submits.submit_once`). The tenant always comes from
the signed-in staff member: another tenant's partner or message is not found (404).
"""

import uuid
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dinghuo.backoffice.access import StaffRequest, staff_required
from dinghuo.backoffice.views_billing import show_refusal
from dinghuo.core import refusals
from dinghuo.core.errors import DomainError, NotFound
from dinghuo.customers.models import Company, Location
from dinghuo.edi import queries
from dinghuo.edi.models import EdiMessage, TradingPartner
from dinghuo.edi.services import inbound, partners
from dinghuo.edi.syntax import segment_lines
from dinghuo.orders.models import order_number
from dinghuo.pages.submits import submit_once

MESSAGES_SHOWN = 50
MAX_UPLOAD_BYTES = 5 * 1024 * 1024

STATUS_LABELS = {
    "accepted": _("Orders placed"),
    "tested": _("Tested, no order"),
    "rejected": _("Refused"),
    "ready": _("Waiting to be sent"),
    "sent": _("Sent"),
}
STATUS_BADGES = {"accepted": "badge--ok", "sent": "badge--ok", "rejected": "badge--warn"}
KIND_LABELS = {
    "ORDERS": _("Purchase order"),
    "ORDRSP": _("Order response"),
    "DESADV": _("Despatch advice"),
    "INVOIC": _("Invoice"),
}
DIRECTION_LABELS = {
    "in": pgettext_lazy("an EDI message", "Received"),
    "out": _("Sent to the partner"),
}
# Why an interchange was refused, in the reader's language (the API and the partner's order
# response say it in English, with the values).
REASON_LABELS = {
    "edi_unreadable": _("The file is not an EDIFACT interchange."),
    "edi_segment_count": _("A message's segment count (UNT) is wrong."),
    "edi_message_count": _("The interchange's message count (UNZ) is wrong."),
    "edi_control_reference": _("A closing reference does not match its opening one."),
    "edi_unknown_partner": _("No trading partner has the sender's GLN."),
    "edi_partner_inactive": _("The trading partner is inactive."),
    "edi_wrong_recipient": _("The interchange is addressed to another GLN than ours."),
    "edi_duplicate_interchange": _("The interchange reference was used before for another file."),
    "edi_unsupported_message": _("Only EANCOM purchase orders (ORDERS D.96A) are read."),
    "edi_unsupported_function": _(
        "Only original orders are accepted, not changes or cancellations."
    ),
    "edi_bad_date": _("A date cannot be read."),
    "edi_missing_order_number": _("The order number is missing."),
    "edi_missing_party": _("The buyer's or the delivery point's GLN is missing."),
    "edi_no_lines": _("The order has no lines."),
    "edi_line_count": _("The line count (CNT) is wrong."),
    "edi_unknown_gln": _("A GLN in the order is not the partner's."),
    "edi_unknown_article": _("An article is unknown."),
    "edi_bad_quantity": _("A quantity is not a whole number of units."),
    "edi_order_refused": _("The order was not placed."),
}
OTHER_REASON = _("Placing the order was refused.")


def _token(kwargs: dict[str, Any]) -> None:
    kwargs.setdefault("initial", {}).setdefault("token", uuid.uuid4().hex)


def gln_field(label: Any, help_text: Any = "", required: bool = True) -> django_forms.CharField:
    """A 13-digit GLN (the service checks the check digit)."""
    return django_forms.CharField(
        label=label,
        help_text=help_text,
        required=required,
        min_length=13,
        max_length=13,
        widget=django_forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


class PartnerForm(django_forms.Form):
    """A trading partner's settings; its delivery points are one GLN per company address."""

    token = django_forms.CharField(widget=django_forms.HiddenInput, max_length=64, required=False)
    name = django_forms.CharField(label=_("Name"), max_length=200)
    gln = gln_field(_("Partner's GLN"), _("13 digits, as in the partner's EDI messages."))
    company = django_forms.TypedChoiceField(label=_("Company"), coerce=int)
    our_gln = gln_field(_("Our GLN"), _("The GLN the partner sends its messages to."))
    test_mode = django_forms.BooleanField(
        label=_("Test mode"),
        required=False,
        help_text=_("Messages are read and answered, but never become real orders."),
    )
    is_active = django_forms.BooleanField(label=_("Active"), required=False, initial=True)
    accept_partial_orders = django_forms.BooleanField(
        label=_("Accept partial orders"),
        required=False,
        help_text=_("Place the lines that can be ordered and refuse the others."),
    )
    documents_for_all_orders = django_forms.BooleanField(
        label=_("Documents for all orders"),
        required=False,
        help_text=_("Despatch advices and invoices also for orders not sent by EDI."),
    )

    def __init__(
        self,
        data: Any = None,
        *,
        tenant_id: int,
        partner: TradingPartner | None = None,
        **kwargs: Any,
    ) -> None:
        _token(kwargs)
        super().__init__(data, **kwargs)
        company = self.fields["company"]
        assert isinstance(company, django_forms.TypedChoiceField)
        companies = Company.objects.filter(tenant_id=tenant_id, is_active=True).order_by("name")
        company.choices = [(c.pk, f"{c.name} ({c.code})") for c in companies]
        self.addresses: list[Location] = []
        if partner is not None:
            company.disabled = True
            self.addresses = list(
                Location.objects.filter(
                    tenant_id=tenant_id, company_id=partner.company_id, kind="ship_to"
                ).order_by("name")
            )
            for address in self.addresses:
                self.fields[f"address_{address.pk}"] = gln_field(address.name, required=False)

    def address_fields(self) -> list[tuple[Location, django_forms.BoundField]]:
        """Each ship-to address of the company with its GLN field (for the template)."""
        return [(a, self[f"address_{a.pk}"]) for a in self.addresses]

    def ship_tos(self) -> list[partners.ShipTo]:
        return [
            partners.ShipTo(gln, address.pk)
            for address in self.addresses
            if (gln := self.cleaned_data.get(f"address_{address.pk}"))
        ]


class UploadForm(django_forms.Form):
    token = django_forms.CharField(widget=django_forms.HiddenInput, max_length=64)
    file = django_forms.FileField(
        label=_("EDI file"), help_text=_("An EANCOM purchase order interchange (ORDERS).")
    )

    def __init__(self, data: Any = None, files: Any = None, **kwargs: Any) -> None:
        _token(kwargs)
        super().__init__(data, files, **kwargs)

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise django_forms.ValidationError(gettext("The file is larger than 5 MB."))
        return upload


def labelled(message: EdiMessage) -> dict[str, Any]:
    """A message with its words for people."""
    return {
        "message": message,
        "status": STATUS_LABELS.get(message.status, ""),
        "badge": STATUS_BADGES.get(message.status, ""),
        "kind": KIND_LABELS.get(message.kind, gettext("Unreadable file")),
        "direction": DIRECTION_LABELS.get(message.direction, ""),
        "reason": REASON_LABELS.get(message.reason_code, OTHER_REASON)
        if message.reason_code
        else "",
        "orders": [order_number(link.order_id) for link in message.orders.all()],
    }


def _overview(request: StaffRequest, upload: UploadForm | None = None) -> HttpResponse:
    tenant_id = request.staff.tenant_id
    status = request.GET.get("status") or None
    direction = request.GET.get("direction") or None
    found = queries.newest_messages(
        tenant_id,
        MESSAGES_SHOWN,
        status=status if status in STATUS_LABELS else None,
        direction=direction if direction in DIRECTION_LABELS else None,
    )
    context = {
        "partners": list(queries.partners(tenant_id).order_by("name")),
        "edi_messages": [labelled(m) for m in found],
        "statuses": list(STATUS_LABELS.items()),
        "directions": list(DIRECTION_LABELS.items()),
        "status": status,
        "direction": direction,
        "upload": upload or UploadForm(),
    }
    return render(request, "backoffice/edi.html", context)


@require_GET
@staff_required(get="integrations.view")
def overview(request: StaffRequest) -> HttpResponse:
    """The trading partners and the newest messages (filtered by status and direction)."""
    return _overview(request)


@require_POST
@staff_required(post="edi.manage")
def upload(request: StaffRequest) -> HttpResponseBase:
    """Read an interchange uploaded by hand, as if it came from the partner (once per form
    token; the same interchange again answers as the first time)."""
    staff = request.staff
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _overview(request, form)
    content = form.cleaned_data["file"].read()
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        text = content.decode("latin-1")
    name = form.cleaned_data["file"].name or ""

    def create() -> tuple[int, dict[str, Any]]:
        received = inbound.receive_interchange(
            tenant_id=staff.tenant_id, text=text, source=f"{staff.name}: {name}"
        )
        return 201, {"message": received.message.pk}

    try:
        answer = submit_once(
            request,
            tenant_id=staff.tenant_id,
            scope=f"staff-{staff.user_id}:",
            token=form.cleaned_data["token"],
            body={"sha256": inbound.fingerprint(text)},
            create=create,
        )
    except DomainError as error:  # a form token that is spent on another file, or forged
        for said in refusals.messages(error):
            form.add_error(None, said)
        return _overview(request, form)
    return redirect("backoffice:edi-message", message_id=answer["message"])


@require_http_methods(["GET", "POST"])
@staff_required(get="edi.manage", post="edi.manage")
def new_partner(request: StaffRequest) -> HttpResponseBase:
    """Set up a trading partner; its delivery points are mapped on its page next."""
    staff = request.staff
    form = PartnerForm(request.POST or None, tenant_id=staff.tenant_id)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def create() -> tuple[int, dict[str, Any]]:
            partner = partners.create_partner(
                tenant_id=staff.tenant_id,
                name=data["name"],
                gln=data["gln"],
                company_id=data["company"],
                our_gln=data["our_gln"],
                test_mode=data["test_mode"],
                is_active=data["is_active"],
                accept_partial_orders=data["accept_partial_orders"],
                documents_for_all_orders=data["documents_for_all_orders"],
            )
            return 201, {"partner": partner.pk}

        try:
            created = submit_once(
                request,
                tenant_id=staff.tenant_id,
                scope=f"staff-{staff.user_id}:",
                token=data["token"] or uuid.uuid4().hex,
                body={k: v for k, v in data.items() if k != "token"},
                create=create,
            )
        except DomainError as error:
            show_refusal(form, error, _partner_field)
        else:
            messages.success(
                request, gettext("Trading partner set up. Now map its delivery points.")
            )
            return redirect("backoffice:edi-partner", partner_id=created["partner"])
    return render(request, "backoffice/edi_partner.html", {"form": form, "partner": None})


def _partner_field(field: str) -> str | None:
    if field.startswith("ship_tos["):
        return None
    return "company" if field == "company_id" else field


@require_http_methods(["GET", "POST"])
@staff_required(get="integrations.view", post="edi.manage")
def partner(request: StaffRequest, partner_id: int) -> HttpResponseBase:
    """A trading partner's settings and delivery points, and its latest messages."""
    tenant_id = request.staff.tenant_id
    try:
        found = queries.partner(tenant_id, partner_id)
    except NotFound as error:
        raise Http404 from error
    initial = {
        "name": found.name,
        "gln": found.gln,
        "company": found.company_id,
        "our_gln": found.our_gln,
        "test_mode": found.test_mode,
        "is_active": found.is_active,
        "accept_partial_orders": found.accept_partial_orders,
        "documents_for_all_orders": found.documents_for_all_orders,
        **{f"address_{s.location_id}": s.gln for s in found.ship_tos.all()},
    }
    form = PartnerForm(request.POST or None, tenant_id=tenant_id, partner=found, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            partners.update_partner(
                tenant_id=tenant_id,
                partner_id=found.pk,
                name=data["name"],
                gln=data["gln"],
                our_gln=data["our_gln"],
                test_mode=data["test_mode"],
                is_active=data["is_active"],
                accept_partial_orders=data["accept_partial_orders"],
                documents_for_all_orders=data["documents_for_all_orders"],
                ship_tos=form.ship_tos(),
            )
        except DomainError as error:
            show_refusal(form, error, _partner_field)
        else:
            messages.success(request, gettext("Trading partner saved."))
            return redirect("backoffice:edi-partner", partner_id=found.pk)
    latest = queries.newest_messages(tenant_id, 10, partner_id=found.pk)
    context = {"form": form, "partner": found, "edi_messages": [labelled(m) for m in latest]}
    return render(request, "backoffice/edi_partner.html", context)


@require_GET
@staff_required(get="integrations.view")
def message(request: StaffRequest, message_id: int) -> HttpResponse:
    """One message: what it is, what became of it and why, its orders, its answer (or the
    message it answers) and its raw text, one segment a line."""
    tenant_id = request.staff.tenant_id
    try:
        found = queries.message(tenant_id, message_id)
    except NotFound as error:
        raise Http404 from error
    try:
        answered: EdiMessage | None = found.answered
    except EdiMessage.DoesNotExist:
        answered = None
    problems = [{**p, "label": REASON_LABELS.get(p["code"], OTHER_REASON)} for p in found.problems]
    context = {
        **labelled(found),
        "answered": answered,
        "problems": problems,
        "segments": segment_lines(found.raw),
    }
    return render(request, "backoffice/edi_message.html", context)
