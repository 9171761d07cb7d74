"""Bulk files in the back office: the imports (upload a file, follow its check and apply,
read its problems) and the export downloads the list pages link to.

Thin pages over `bulk.services`, `bulk.queries` and `bulk.exporting` (what the API uses).
An upload runs once per form token; the worker does the work, and the run's page refreshes
its progress every few seconds while the worker is at it. The tenant always comes from the
signed-in staff member: another tenant's run is not found (404).
"""

import contextlib
import uuid
from typing import Any

from django import forms as django_forms
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from dinghuo.backoffice.access import StaffRequest, staff_required
from dinghuo.backoffice.params import int_param
from dinghuo.bulk import exporting, files, queries, services
from dinghuo.bulk.formats import IMPORTABLE, KINDS
from dinghuo.bulk.models import ImportRun
from dinghuo.core import refusals
from dinghuo.core.errors import DomainError, NotFound
from dinghuo.orders.queries import OrderSearch
from dinghuo.orders.states import OrderStatus
from dinghuo.pages.responses import is_htmx
from dinghuo.pages.submits import submit_once

RUNS_PAGE_SIZE = 30
PROBLEMS_SHOWN = 200
REFRESH_SECONDS = 3

KIND_LABELS: dict[str, Any] = {
    "products": _("Products and SKUs"),
    "prices": _("Price list prices"),
    "contract-prices": _("Contract prices"),
    "stock": _("Stock counts"),
    "companies": _("Companies"),
    "company-users": _("Company users"),
    "company-addresses": _("Company addresses"),
    "orders": _("Orders"),
    "invoices": _("Invoices"),
}
STATE_LABELS = dict(ImportRun.State.choices)
STATE_BADGES: dict[str, str] = {
    ImportRun.State.CHECKED: "badge--ok",
    ImportRun.State.APPLIED: "badge--ok",
    ImportRun.State.REFUSED: "badge--warn",
    ImportRun.State.BROKEN: "badge--warn",
}
RUNNING = {ImportRun.State.WAITING, ImportRun.State.CHECKING, ImportRun.State.APPLYING}
SUMMARY_LABELS: dict[str, Any] = {
    "products_created": _("Products created"),
    "products_updated": _("Products changed"),
    "products_unchanged": _("Products unchanged"),
    "skus_created": _("SKUs created"),
    "skus_updated": _("SKUs changed"),
    "skus_unchanged": _("SKUs unchanged"),
    "ladders_changed": _("Price ladders changed"),
    "ladders_unchanged": _("Price ladders unchanged"),
    "contracts_created": _("Contract prices created"),
    "contracts_seen": _("Contract prices checked"),
    "levels_adjusted": _("Stock levels adjusted"),
    "levels_unchanged": _("Stock levels unchanged"),
    "companies_created": _("Companies created"),
    "companies_seen": _("Companies checked"),
    "users_created": _("Users created"),
    "users_seen": _("Users checked"),
    "addresses_created": _("Addresses created"),
    "addresses_seen": _("Addresses checked"),
}


class UploadForm(django_forms.Form):
    """A file to import: what it holds, and whether to apply it when the check is clean."""

    token = django_forms.CharField(widget=django_forms.HiddenInput, max_length=64)
    kind = django_forms.ChoiceField(label=_("The file holds"))
    mode = django_forms.ChoiceField(
        label=_("Then"),
        widget=django_forms.RadioSelect,
        initial=ImportRun.Mode.DRY_RUN,
        choices=[
            (ImportRun.Mode.DRY_RUN, _("Check it only (a dry run); I apply it after")),
            (ImportRun.Mode.APPLY, _("Check it, and apply it at once if nothing is wrong")),
        ],
    )
    file = django_forms.FileField(
        label=_("File"),
        help_text=_("CSV (UTF-8) or Excel (.xlsx), with a heading row; at most 20 MB."),
    )

    def __init__(self, data: Any = None, files_: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("token", uuid.uuid4().hex)
        super().__init__(data, files_, **kwargs)
        kind = self.fields["kind"]
        assert isinstance(kind, django_forms.ChoiceField)
        kind.choices = [(k, KIND_LABELS[k]) for k in IMPORTABLE]

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > files.MAX_FILE_BYTES:
            raise django_forms.ValidationError(
                refusals.code_message("file_too_large", max_mb=files.MAX_FILE_BYTES // 2**20)
            )
        return upload


def _runs_page(request: StaffRequest, form: UploadForm | None = None) -> HttpResponse:
    found = queries.runs(request.staff.tenant_id)
    before = int_param(request.GET.get("before"))
    if before is not None:
        found = found.filter(pk__lt=before)
    page = list(found[: RUNS_PAGE_SIZE + 1])
    shown = page[:RUNS_PAGE_SIZE]
    context = {
        "form": form or UploadForm(),
        "runs": [_labelled(run) for run in shown],
        "next_before": shown[-1].pk if len(page) > RUNS_PAGE_SIZE else None,
        "exports": [(k, KIND_LABELS[k]) for k in KINDS],
    }
    return render(request, "backoffice/imports.html", context)


def _labelled(run: ImportRun) -> dict[str, Any]:
    return {
        "run": run,
        "kind": KIND_LABELS.get(run.kind, ""),
        "state": STATE_LABELS.get(run.state, ""),
        "badge": STATE_BADGES.get(run.state, ""),
        "running": run.state in RUNNING,
        "percent": int(100 * run.rows_done / run.rows_total) if run.rows_total else 0,
    }


@staff_required(get="data.import", post="data.import")
def imports(request: StaffRequest) -> HttpResponse:
    """The import runs, newest first, and the form to upload a file (POST: start its run)."""
    if request.method != "POST":
        return _runs_page(request)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _runs_page(request, form)
    staff, data = request.staff, form.cleaned_data
    upload = data["file"]
    content = upload.read()

    def create() -> tuple[int, Any]:
        run = services.start_import(
            tenant_id=staff.tenant_id,
            kind=data["kind"],
            mode=data["mode"],
            file_name=upload.name or "",
            content=content,
            started_by=staff.name,
        )
        return 201, {"id": run.pk}

    body = {"sha256": files.fingerprint(content), "kind": data["kind"], "mode": data["mode"]}
    try:
        made = submit_once(
            request,
            tenant_id=staff.tenant_id,
            scope=f"staff-{staff.user_id}:",
            token=data["token"],
            body=body,
            create=create,
        )
    except DomainError as error:
        for said in refusals.messages(error):
            form.add_error(None, said)
        return _runs_page(request, form)
    return redirect("backoffice:import", made["id"])


def _run_or_404(request: StaffRequest, run_id: int) -> ImportRun:
    try:
        return queries.run_of(request.staff.tenant_id, run_id)
    except NotFound as error:
        raise Http404 from error


@require_GET
@staff_required(get="data.import")
def import_run(request: StaffRequest, run_id: int) -> HttpResponse:
    """One run: its state and progress (refreshed while the worker is at it), what it did
    or would do, and its problems by row and column."""
    run = _run_or_404(request, run_id)
    problems = [
        (found.row, found.column, queries.said(found))
        for found in map(queries.problem, run.problems[:PROBLEMS_SHOWN])
    ]
    context = {
        **_labelled(run),
        "summary": [(SUMMARY_LABELS.get(name, name), count) for name, count in run.summary.items()],
        "problems": problems,
        "more_problems": max(0, run.problem_count - len(problems)),
        "refresh": REFRESH_SECONDS,
        "can_apply": run.state == ImportRun.State.CHECKED and run.mode == ImportRun.Mode.DRY_RUN,
    }
    template = "backoffice/_import_progress.html" if is_htmx(request) else "backoffice/import.html"
    return render(request, template, context)


@require_POST
@staff_required(post="data.import")
def apply_import(request: StaffRequest, run_id: int) -> HttpResponse:
    """Apply a checked run (the worker checks it again, then writes all of it or none)."""
    _run_or_404(request, run_id)
    # Applied already, or not checked: the run's page says where it stands.
    with contextlib.suppress(DomainError):
        services.apply_import(tenant_id=request.staff.tenant_id, run_id=run_id)
    return redirect("backoffice:import", run_id)


@require_GET
@staff_required(get="data.import")
def import_problems_csv(request: StaffRequest, run_id: int) -> StreamingHttpResponse:
    """The run's problems as CSV, in the reader's language."""
    run = _run_or_404(request, run_id)
    headings = [gettext("Row"), gettext("Column"), gettext("Problem")]
    language = translation.get_language() or "en"

    def rows() -> Any:
        with translation.override(language):
            yield from queries.problem_rows(run)

    response = StreamingHttpResponse(
        files.csv_stream(headings, rows()), content_type=files.CSV_TYPE
    )
    response["Content-Disposition"] = f'attachment; filename="import-{run.pk}-problems.csv"'
    return response


def _filters(kind: str, request: HttpRequest) -> dict[str, Any]:
    """The filters of the list page the download button was on, as the export takes them."""
    company = int_param(request.GET.get("company") or "")
    if kind == "orders":
        status = request.GET.get("status") or ""
        statuses = (status,) if status in OrderStatus.values else ()
        return {"search": OrderSearch(statuses=statuses, company_id=company)}
    if kind == "invoices":
        state = request.GET.get("state") or ""
        return {
            "company_id": company,
            "state": state if state in ("open", "overdue", "paid") else None,
        }
    if kind == "companies":
        return {"q": (request.GET.get("q") or "").strip()[:64] or None}
    if kind == "prices":
        return {"price_list_id": int_param(request.GET.get("price_list") or "")}
    return {}


@require_GET
@staff_required(get="data.export")
def export(request: StaffRequest) -> StreamingHttpResponse:
    """A kind's export (`?kind=orders&format=xlsx`, with the list page's own filters) as CSV
    or XLSX, headings in the page's language."""
    kind, file_format = request.GET.get("kind") or "", request.GET.get("format") or files.CSV
    if kind not in KINDS or file_format not in (files.CSV, files.XLSX):
        raise Http404
    language = translation.get_language() or "en"
    return exporting.download(
        kind, request.staff.tenant_id, file_format, language, **_filters(kind, request)
    )
