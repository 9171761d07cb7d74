"""Bulk files over HTTP (staff routes).

Exports (`GET /exports/<kind>`): a CSV or Excel file streamed as it is read, filtered like
the list it comes from. Imports (`POST /imports`): the file is stored as an import run and
checked by the worker (a dry run), then applied (`mode=apply`, or `POST
/imports/{id}/apply` after a clean dry run); `GET /imports/{id}` shows its progress and every
problem, `GET /imports/{id}/problems.csv` the problems as a file.
"""

from typing import Any

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.multipartparser import MultiPartParserError
from ninja import Query, Router
from ninja.errors import HttpError

from dinghuo.api.auth import staff_may, tenant_id
from dinghuo.api.idempotent import json_response, require_key, run_change, run_create
from dinghuo.api.pagination import paged
from dinghuo.api.schemas import ObjectId, PageFilters, RequiredIdempotencyKey
from dinghuo.bulk import exporting, files, queries, services
from dinghuo.bulk.formats import IMPORTABLE
from dinghuo.bulk.models import ImportRun
from dinghuo.bulk.schemas import (
    CompanyExportQuery,
    CompanyScopedExportQuery,
    ExportQuery,
    ImportRunOut,
    ImportRunPageOut,
    InvoiceExportQuery,
    OrderExportQuery,
    PriceExportQuery,
    ProductExportQuery,
    StockExportQuery,
    run_out,
    run_summary_out,
)
from dinghuo.core.errors import DomainError, FieldError, ValidationFailed

router = Router(tags=["bulk files"])

_BOTH = {
    files.CSV_TYPE.split(";")[0]: {"schema": {"type": "string", "format": "binary"}},
    files.XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}},
}
_FILE_ANSWER = {"responses": {200: {"description": "The file", "content": _BOTH}}}


def stream_export(
    kind: str, tenant: int, query: ExportQuery, **filters: Any
) -> StreamingHttpResponse:
    """The kind's rows as a file in pieces; headings in the query's language."""
    return exporting.download(kind, tenant, query.format, query.language, **filters)


@router.get(
    "/exports/products",
    summary="Export products and SKUs",
    openapi_extra=_FILE_ANSWER,
    auth=staff_may("data.export"),
)
def export_products(
    request: HttpRequest, query: Query[ProductExportQuery]
) -> StreamingHttpResponse:
    """One row per SKU with its product, names in English, Traditional and Simplified
    Chinese; filtered as `GET /products`."""
    filters = {"category_id": query.category_id, "is_active": query.is_active, "q": query.q}
    return stream_export("products", tenant_id(request), query, **filters)


@router.get(
    "/exports/prices",
    summary="Export price list prices and tiers",
    openapi_extra=_FILE_ANSWER,
    auth=staff_may("data.export"),
)
def export_prices(request: HttpRequest, query: Query[PriceExportQuery]) -> StreamingHttpResponse:
    """One row per price list, SKU and quantity tier; of one list with `price_list_id`."""
    return stream_export("prices", tenant_id(request), query, price_list_id=query.price_list_id)


@router.get(
    "/exports/contract-prices",
    summary="Export contract prices",
    openapi_extra=_FILE_ANSWER,
    auth=staff_may("data.export"),
)
def export_contract_prices(
    request: HttpRequest, query: Query[CompanyScopedExportQuery]
) -> StreamingHttpResponse:
    """One row per contract and tier: company, SKU, period, reference, quantity, price."""
    tenant = tenant_id(request)
    return stream_export("contract-prices", tenant, query, company_id=query.company_id)


@router.get(
    "/exports/stock",
    summary="Export stock levels",
    openapi_extra=_FILE_ANSWER,
    auth=staff_may("data.export"),
)
def export_stock(request: HttpRequest, query: Query[StockExportQuery]) -> StreamingHttpResponse:
    """One row per warehouse and SKU: on hand, reserved, available; filtered as `GET /stock`."""
    filters = {"sku_code": query.sku, "warehouse_code": query.warehouse}
    return stream_export("stock", tenant_id(request), query, **filters)


@router.get(
    "/exports/companies",
    summary="Export companies",
    openapi_extra=_FILE_ANSWER,
    auth=staff_may("data.export"),
)
def export_companies(
    request: HttpRequest, query: Query[CompanyExportQuery]
) -> StreamingHttpResponse:
    """One row per company: name, price list, parent, customer groups, active."""
    filters = {"is_active": query.is_active, "q": query.q}
    return stream_export("companies", tenant_id(request), query, **filters)


@router.get(
    "/exports/company-users",
    summary="Export company users",
    openapi_extra=_FILE_ANSWER,
    auth=staff_may("data.export"),
)
def export_company_users(
    request: HttpRequest, query: Query[CompanyScopedExportQuery]
) -> StreamingHttpResponse:
    """One row per company user: company, email, name, role, spending limit, may sign in."""
    tenant = tenant_id(request)
    return stream_export("company-users", tenant, query, company_id=query.company_id)


@router.get(
    "/exports/company-addresses",
    summary="Export company addresses",
    openapi_extra=_FILE_ANSWER,
    auth=staff_may("data.export"),
)
def export_company_addresses(
    request: HttpRequest, query: Query[CompanyScopedExportQuery]
) -> StreamingHttpResponse:
    """One row per ship-to or bill-to address of a company."""
    tenant = tenant_id(request)
    return stream_export("company-addresses", tenant, query, company_id=query.company_id)


@router.get(
    "/exports/orders",
    summary="Export orders with their lines",
    openapi_extra=_FILE_ANSWER,
    auth=staff_may("data.export"),
)
def export_orders(request: HttpRequest, query: Query[OrderExportQuery]) -> StreamingHttpResponse:
    """One row per order line, filtered as `GET /orders`; status in `language`."""
    return stream_export("orders", tenant_id(request), query, search=query.search())


@router.get(
    "/exports/invoices",
    summary="Export invoices",
    openapi_extra=_FILE_ANSWER,
    auth=staff_may("data.export"),
)
def export_invoices(
    request: HttpRequest, query: Query[InvoiceExportQuery]
) -> StreamingHttpResponse:
    """One row per invoice with its totals and what is open, filtered as `GET /invoices`."""
    filters = {"company_id": query.company_id, "state": query.state}
    return stream_export("invoices", tenant_id(request), query, **filters)


# --- imports --------------------------------------------------------------------------------

_IMPORT_OPENAPI = {
    "requestBody": {
        "required": True,
        "description": "The file (CSV in UTF-8 or UTF-16, or XLSX), what it holds, and the mode",
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "kind": {"type": "string", "enum": list(IMPORTABLE)},
                        "mode": {
                            "type": "string",
                            "enum": list(ImportRun.Mode.values),
                            "default": "dry_run",
                        },
                    },
                    "required": ["file", "kind"],
                }
            }
        },
    }
}


def _too_large() -> DomainError:
    limit = files.MAX_FILE_BYTES // (1024 * 1024)
    return DomainError(
        f"An import file is {limit} MB at most; import it in parts.",
        code="file_too_large",
        status=413,
        errors=[FieldError("file", "file_too_large", "The file is too large", {"max_mb": limit})],
    )


def _form(request: HttpRequest) -> tuple[bytes, str, str, str]:
    """The form's file, its name, kind and mode; 422 when the file is missing."""
    if request.content_type != "multipart/form-data":
        raise ValidationFailed(
            "Send a multipart form with the fields file, kind and mode.",
            errors=[FieldError("file", "required", "Send the file as the form field `file`")],
        )
    try:
        upload = request.FILES.get("file")
        kind, mode = request.POST.get("kind", ""), request.POST.get("mode") or "dry_run"
    except MultiPartParserError as error:  # no boundary, a damaged body
        raise HttpError(400, "The multipart form cannot be read.") from error
    if upload is None:
        raise ValidationFailed(
            "Send the file as the form field `file`.",
            errors=[FieldError("file", "required", "Send the file")],
        )
    if (upload.size or 0) > files.MAX_FILE_BYTES:
        raise _too_large()
    return upload.read(), upload.name or "", kind, mode


@router.post(
    "/imports",
    response={202: ImportRunOut},
    summary="Import a file (dry run, or apply)",
    openapi_extra=_IMPORT_OPENAPI,
    auth=staff_may("data.import"),
)
def start_import(
    request: HttpRequest, idempotency_key: RequiredIdempotencyKey = None
) -> HttpResponse:
    """The file is stored and checked by the worker: 202 with the run, whose `state` moves
    from `waiting` to `checked` (no problem: ready to apply), `refused` (its `problems`,
    each with row and column), or, with `mode=apply`, on to `applied` (all rows, in one
    transaction) when the check finds nothing. Natural keys (SKU code, company code…) make
    it an upsert: the same file again changes nothing."""
    require_key(idempotency_key, "a retried upload is not imported twice")
    content, name, kind, mode = _form(request)
    tenant = tenant_id(request)
    caller = f"API key {request.auth.key_prefix}"  # type: ignore[attr-defined]

    def create() -> tuple[int, Any]:
        run = services.start_import(
            tenant_id=tenant,
            kind=kind,
            mode=mode,
            file_name=name,
            content=content,
            started_by=caller,
        )
        return 202, run_out(queries.run_of(tenant, run.pk))

    body = {"sha256": files.fingerprint(content), "kind": kind, "mode": mode, "file": name}
    return run_create(request, idempotency_key, body, create)


@router.get(
    "/imports", response=ImportRunPageOut, summary="List import runs", auth=staff_may("data.import")
)
def list_imports(request: HttpRequest, filters: Query[PageFilters]) -> dict[str, Any]:
    """Import runs, oldest first, with their state and progress."""
    return paged(queries.runs(tenant_id(request)), filters, run_summary_out)


@router.get(
    "/imports/{run_id}",
    response=ImportRunOut,
    summary="Read an import run",
    auth=staff_may("data.import"),
)
def get_import(request: HttpRequest, run_id: ObjectId) -> HttpResponse:
    """The run's state, progress (`rows_done` of `rows_total`), problems and summary."""
    return json_response(200, run_out(queries.run_of(tenant_id(request), run_id)))


@router.post(
    "/imports/{run_id}/apply",
    response=ImportRunOut,
    summary="Apply a checked import",
    auth=staff_may("data.import"),
)
def apply_import(request: HttpRequest, run_id: ObjectId) -> HttpResponse:
    """Queue the apply of a run whose dry run found no problem (409 `import_not_checked`
    otherwise): the worker checks it again and writes every row, or none."""
    tenant = tenant_id(request)

    def change() -> dict[str, Any]:
        run = services.apply_import(tenant_id=tenant, run_id=run_id)
        return run_out(queries.run_of(tenant, run.pk))

    return run_change(change)


@router.get(
    "/imports/{run_id}/problems.csv",
    summary="An import run's problems as CSV",
    openapi_extra={
        "responses": {
            200: {
                "description": "Row, column and message of each problem",
                "content": {"text/csv": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
    auth=staff_may("data.import"),
)
def import_problems_csv(request: HttpRequest, run_id: ObjectId) -> StreamingHttpResponse:
    """Row, column and message of every problem, as CSV (UTF-8 with a byte-order mark)."""
    run = queries.run_of(tenant_id(request), run_id)
    headings = ["Row", "Column", "Problem"]
    response = StreamingHttpResponse(
        files.csv_stream(headings, queries.problem_rows(run)), content_type=files.CSV_TYPE
    )
    response["Content-Disposition"] = f'attachment; filename="import-{run.pk}-problems.csv"'
    return response
