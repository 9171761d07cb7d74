"""Bank reconciliation pages: import a bank statement (CAMT.053 or MT940), the statements
imported and their lines, the queue of credits no rule matched, and a clerk's decision on one
of them: whose payment it is (applied to the company's open invoices oldest first, or to
those chosen), or set aside.

Thin pages over `billing.services.bank` and `billing.bank.queries` (what the API uses). An
import, a match and a set-aside run once per form token (`pages.submits.submit_once`), so a
double click does each once; the same file imported again changes nothing. The tenant always
comes from the signed-in staff member: another tenant's statement, line or company is not
found (404).
"""

import uuid
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from dinghuo.backoffice import forms
from dinghuo.backoffice.access import StaffRequest, StaffUser, staff_required
from dinghuo.backoffice.params import int_param
from dinghuo.backoffice.views_billing import position, show_refusal
from dinghuo.billing import queries as billing
from dinghuo.billing.bank import matching
from dinghuo.billing.bank import queries as bank_queries
from dinghuo.billing.models import BankLine, BankStatement, Invoice
from dinghuo.billing.services import bank, payments
from dinghuo.core import refusals
from dinghuo.core.errors import DomainError, NotFound
from dinghuo.core.templatetags.dinghuo import money
from dinghuo.customers import queries as customers
from dinghuo.customers.models import Company
from dinghuo.pages.invoices import business_day, state_of
from dinghuo.pages.submits import submit_once

STATEMENTS_PAGE_SIZE = 50
LINES_PAGE_SIZE = 200
QUEUE_PAGE_SIZE = 50
OPEN_INVOICES_SHOWN = 100
MAX_STATEMENT_BYTES = 20 * 1024 * 1024

STATUS_LABELS = dict(BankLine.Status.choices)
STATUS_BADGES: dict[str, str] = {
    BankLine.Status.UNMATCHED: "badge--warn",
    BankLine.Status.MATCHED: "badge--ok",
    BankLine.Status.IGNORED: "",
}
FORMAT_LABELS = dict(BankStatement.Format.choices)


# --- forms -----------------------------------------------------------------------------------


def _token(kwargs: dict[str, Any]) -> None:
    kwargs.setdefault("initial", {}).setdefault("token", uuid.uuid4().hex)


class StatementForm(django_forms.Form):
    """A statement file to import."""

    token = django_forms.CharField(widget=django_forms.HiddenInput, max_length=64)
    file = django_forms.FileField(
        label=_("Statement file"),
        help_text=_("CAMT.053 (XML) or MT940, as your bank sends it."),
    )

    def __init__(self, data: Any = None, files: Any = None, **kwargs: Any) -> None:
        _token(kwargs)
        super().__init__(data, files, **kwargs)

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_STATEMENT_BYTES:
            raise django_forms.ValidationError(
                gettext("The file is larger than %(size)s MB; import a shorter period.")
                % {"size": MAX_STATEMENT_BYTES // (1024 * 1024)}
            )
        return upload


class MatchForm(django_forms.Form):
    """Whose payment a credit is: the company's open invoices oldest due first, or those
    given an amount."""

    token = django_forms.CharField(widget=django_forms.HiddenInput, max_length=64)
    company = django_forms.IntegerField(widget=django_forms.HiddenInput, min_value=1)
    apply = django_forms.ChoiceField(
        label=_("Apply it to"), widget=django_forms.RadioSelect, initial=forms.OLDEST_FIRST
    )

    def __init__(self, data: Any = None, *, open_invoices: list[int], **kwargs: Any) -> None:
        _token(kwargs)
        super().__init__(data, **kwargs)
        apply = self.fields["apply"]
        assert isinstance(apply, django_forms.ChoiceField)
        apply.choices = [
            (forms.OLDEST_FIRST, gettext("Its open invoices, oldest due first")),
            (forms.CHOSEN, gettext("The invoices below, with the amount entered for each")),
        ]
        self.open_invoices = open_invoices
        for invoice_id in open_invoices:
            self.fields[forms.invoice_field(invoice_id)] = forms.money_field(
                _("Amount"), required=False
            )

    def amount_of(self, invoice_id: int) -> django_forms.BoundField:
        """The bound amount field of an open invoice (for the template)."""
        return self[forms.invoice_field(invoice_id)]

    def chosen(self) -> list[payments.Allocate] | None:
        """The amounts entered per invoice when applied to chosen invoices; None: oldest
        first."""
        if self.cleaned_data.get("apply") != forms.CHOSEN:
            return None
        return [
            payments.Allocate(invoice_id, amount)
            for invoice_id in self.open_invoices
            if (amount := self.cleaned_data.get(forms.invoice_field(invoice_id))) is not None
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors and self.chosen() == []:
            raise django_forms.ValidationError(
                gettext("Enter the amount for at least one invoice.")
            )
        return cleaned


class TokenForm(django_forms.Form):
    """A decision with nothing to fill in (setting a line aside): its one-time token."""

    token = django_forms.CharField(widget=django_forms.HiddenInput, max_length=64)

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        _token(kwargs)
        super().__init__(data, **kwargs)


def _once(request: HttpRequest, staff: StaffUser, token: str, body: Any, create: Any) -> Any:
    return submit_once(
        request,
        tenant_id=staff.tenant_id,
        scope=f"staff-{staff.user_id}:",
        token=token,
        body=body,
        create=create,
    )


def _labelled(lines: list[BankLine]) -> list[tuple[BankLine, str, str]]:
    return [
        (line, str(STATUS_LABELS.get(line.status, "")), STATUS_BADGES.get(line.status, ""))
        for line in lines
    ]


# --- statements ------------------------------------------------------------------------------


def _statements_page(request: StaffRequest, form: StatementForm | None = None) -> HttpResponse:
    tenant_id = request.staff.tenant_id
    found = bank_queries.statements(tenant_id).order_by("-id")
    before = int_param(request.GET.get("before"))
    if before is not None:
        found = found.filter(pk__lt=before)
    page = list(found[: STATEMENTS_PAGE_SIZE + 1])
    shown = page[:STATEMENTS_PAGE_SIZE]
    waiting = bank_queries.lines(tenant_id, status=BankLine.Status.UNMATCHED).count()
    context = {
        "form": form or StatementForm(),
        "statements": [(s, FORMAT_LABELS.get(s.format, "")) for s in shown],
        "next_before": shown[-1].pk if len(page) > STATEMENTS_PAGE_SIZE else None,
        "waiting": waiting,
    }
    return render(request, "backoffice/bank_statements.html", context)


@require_GET
@staff_required(get="billing.view")
def statements(request: StaffRequest) -> HttpResponse:
    """The statements imported, newest first, how many of their lines are matched and
    waiting, and the form to import one."""
    return _statements_page(request)


def _imported_message(request: HttpRequest, imported: dict[str, Any]) -> None:
    if not imported["created"]:
        messages.info(request, gettext("This statement was imported before; nothing changed."))
        return
    messages.success(
        request,
        ngettext(
            "Statement imported: %(matched)d credit recorded as a payment, %(waiting)d waiting.",
            "Statement imported: %(matched)d credits recorded as payments, %(waiting)d waiting.",
            imported["matched"],
        )
        % {"matched": imported["matched"], "waiting": imported["waiting"]},
    )


@require_POST
@staff_required(post="billing.change")
def import_statement(request: StaffRequest) -> HttpResponseBase:
    """Import the file sent (once per form token; the same file again changes nothing):
    credits the rules match become payments, the others wait in the queue."""
    staff = request.staff
    form = StatementForm(request.POST, request.FILES)
    if not form.is_valid():
        return _statements_page(request, form)
    upload = form.cleaned_data["file"]
    content = upload.read()

    def create() -> tuple[int, dict[str, Any]]:
        imported = bank.import_statement(
            tenant_id=staff.tenant_id,
            content=content,
            file_name=upload.name or "",
            imported_by=staff.name,
        )
        return 201, {
            "statement": imported.statement.pk,
            "created": imported.created,
            "matched": imported.matched,
            "waiting": imported.waiting,
        }

    body = {"sha256": bank.fingerprint(content), "name": upload.name}
    try:
        imported = _once(request, staff, form.cleaned_data["token"], body, create)
    except DomainError as error:
        show_refusal(form, error)
        return _statements_page(request, form)
    _imported_message(request, imported)
    return redirect("backoffice:bank-statement", statement_id=imported["statement"])


@require_GET
@staff_required(get="billing.view")
def statement(request: StaffRequest, statement_id: int) -> HttpResponse:
    """One statement: its balances and its lines, what became of each (a page at a time)."""
    tenant_id = request.staff.tenant_id
    try:
        found = bank_queries.statement(tenant_id, statement_id)
    except NotFound as error:
        raise Http404 from error
    after = int_param(request.GET.get("after")) or 0
    lines = list(
        bank_queries.lines(tenant_id, statement_id=found.pk)
        .filter(line_number__gt=after)
        .order_by("line_number")[: LINES_PAGE_SIZE + 1]
    )
    shown = lines[:LINES_PAGE_SIZE]
    context = {
        "statement": found,
        "format_label": FORMAT_LABELS.get(found.format, ""),
        "lines": _labelled(shown),
        "next_after": shown[-1].line_number if len(lines) > LINES_PAGE_SIZE else None,
    }
    return render(request, "backoffice/bank_statement.html", context)


# --- the queue and a clerk's decision ----------------------------------------------------


@require_GET
@staff_required(get="billing.view")
def queue(request: StaffRequest) -> HttpResponse:
    """Credits no rule matched, oldest first: each waits for a clerk to say whose it is."""
    tenant_id = request.staff.tenant_id
    found = bank_queries.lines(tenant_id, status=BankLine.Status.UNMATCHED)
    after = int_param(request.GET.get("after"))
    if after is not None:
        found = found.filter(pk__gt=after)
    page = list(found.order_by("id")[: QUEUE_PAGE_SIZE + 1])
    shown = page[:QUEUE_PAGE_SIZE]
    context = {
        "lines": shown,
        "next_after": shown[-1].pk if len(page) > QUEUE_PAGE_SIZE else None,
    }
    return render(request, "backoffice/bank_queue.html", context)


def _line(staff: StaffUser, line_id: int) -> BankLine:
    try:
        return bank_queries.line(staff.tenant_id, line_id)
    except NotFound as error:
        raise Http404 from error


def _company(tenant_id: int, text: str) -> Company | None:
    """The company a clerk chose: by id (links, the form) or by code (typed)."""
    found = customers.companies(tenant_id).select_related("price_list")
    if text.isdigit():
        return found.filter(pk=int_param(text) or 0).first()
    return found.filter(code__iexact=text).first() if text else None


def _suggested(tenant_id: int, line: BankLine) -> Company | None:
    """The company the payer's name or account identifies, by the matching rule's own
    test (`matching.Book.payer`)."""
    names = customers.companies(tenant_id).values_list("id", "name")
    accounts = (
        BankLine.objects.filter(tenant_id=tenant_id, status=BankLine.Status.MATCHED)
        .exclude(payer_account="")
        .filter(payer_account=line.payer_account)
        .values_list("payer_account", "company_id")
    )
    book = matching.Book([], names, [(a, c) for a, c in accounts if c is not None])
    credit = matching.Credit(
        line.amount, line.currency, line.reference, line.payer_name, line.payer_account
    )
    company_id = book.payer(credit)
    return None if company_id is None else _company(tenant_id, str(company_id))


def _open_invoices(tenant_id: int, company_id: int) -> list[Invoice]:
    return list(
        billing.invoices(tenant_id, company_id=company_id, state=billing.OPEN).order_by(
            "due_on", "id"
        )[:OPEN_INVOICES_SHOWN]
    )


def _line_page(
    request: StaffRequest,
    line: BankLine,
    company: Company | None,
    match_form: MatchForm | None = None,
) -> HttpResponse:
    tenant_id = request.staff.tenant_id
    context: dict[str, Any] = {
        "line": line,
        "status_label": STATUS_LABELS.get(line.status, ""),
        "status_badge": STATUS_BADGES.get(line.status, ""),
        "company": company,
        "waiting": line.status == BankLine.Status.UNMATCHED and line.amount > 0,
    }
    if not context["waiting"]:
        return render(request, "backoffice/bank_line.html", context)
    context["ignore_form"] = TokenForm()
    if company is None:
        context["suggested"] = _suggested(tenant_id, line)
        return render(request, "backoffice/bank_line.html", context)
    invoices = _open_invoices(tenant_id, company.pk)
    form = match_form or MatchForm(
        open_invoices=[i.pk for i in invoices], initial={"company": company.pk}
    )
    today = business_day()
    context |= {
        "match_form": form,
        "same_currency": company.price_list.currency == line.currency,
        "open_invoices": [(*state_of(i, today), form.amount_of(i.pk)) for i in invoices],
    }
    return render(request, "backoffice/bank_line.html", context)


@require_GET
@staff_required(get="billing.view")
def line(request: StaffRequest, line_id: int) -> HttpResponse:
    """One line: what the bank says, and while it waits, the company chooser (with the
    company its payer suggests), that company's open invoices to apply it to, and setting it
    aside."""
    staff = request.staff
    found = _line(staff, line_id)
    text = (request.GET.get("company") or "").strip()[:64]
    company = _company(staff.tenant_id, text) if text else None
    if text and company is None:
        messages.error(request, refusals.code_message("unknown_company"))
    return _line_page(request, found, company)


def _match_target(chosen: list[int]) -> Any:
    """`allocations[i]…` → the amount field of the i-th invoice given an amount."""

    def target(field: str) -> str | None:
        at = position(field)
        if field.startswith("allocations[") and at is not None and at < len(chosen):
            return forms.invoice_field(chosen[at])
        return None if field in ("allocations", "line") else field

    return target


@require_POST
@staff_required(post="billing.change")
def match(request: StaffRequest, line_id: int) -> HttpResponseBase:
    """Record the credit as the chosen company's payment (once per form token)."""
    staff = request.staff
    found = _line(staff, line_id)
    company = _company(staff.tenant_id, str(int_param(request.POST.get("company")) or ""))
    if company is None:
        raise Http404
    if found.status != BankLine.Status.UNMATCHED:  # a form sent again once it was decided
        messages.info(request, refusals.code_message("bank_line_decided"))
        return redirect("backoffice:bank-line", line_id=found.pk)
    invoices = [i.pk for i in _open_invoices(staff.tenant_id, company.pk)]
    form = MatchForm(request.POST, open_invoices=invoices)
    if not form.is_valid():
        return _line_page(request, found, company, form)
    chosen = form.chosen()

    def create() -> tuple[int, dict[str, Any]]:
        decided = bank.match_line(
            tenant_id=staff.tenant_id,
            line_id=found.pk,
            company_id=company.pk,
            allocations=chosen,
            decided_by=staff.name,
        )
        return 200, {"payment": decided.payment_id}

    body = {
        "line": found.pk,
        "company": company.pk,
        "chosen": None if chosen is None else [[a.invoice_id, str(a.amount)] for a in chosen],
    }
    try:
        _once(request, staff, form.cleaned_data["token"], body, create)
    except NotFound as error:
        raise Http404 from error
    except DomainError as error:
        show_refusal(form, error, _match_target([a.invoice_id for a in chosen or []]))
        return _line_page(request, found, company, form)
    messages.success(
        request,
        gettext("%(amount)s from %(company)s is recorded as its payment.")
        % {"amount": money(found.amount, found.currency), "company": company.name},
    )
    return redirect("backoffice:bank-queue")


@require_POST
@staff_required(post="billing.change")
def ignore(request: StaffRequest, line_id: int) -> HttpResponseBase:
    """Set the credit aside: not a customer's payment (once per form token)."""
    staff = request.staff
    found = _line(staff, line_id)
    form = TokenForm(request.POST)
    if not form.is_valid():
        return redirect("backoffice:bank-line", line_id=found.pk)

    def create() -> tuple[int, dict[str, Any]]:
        bank.ignore_line(tenant_id=staff.tenant_id, line_id=found.pk, decided_by=staff.name)
        return 200, {"line": found.pk}

    try:
        _once(request, staff, form.cleaned_data["token"], {"line": found.pk}, create)
    except DomainError as error:
        messages.error(request, " ".join(forms.error_messages(error)))
        return redirect("backoffice:bank-line", line_id=found.pk)
    messages.success(
        request,
        gettext("%(amount)s is set aside.") % {"amount": money(found.amount, found.currency)},
    )
    return redirect("backoffice:bank-queue")
