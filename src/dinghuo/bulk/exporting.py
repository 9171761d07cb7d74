"""An export as a download: the kind's rows streamed as CSV or XLSX, headings and words in
the reader's language. The API and the back office both answer with it."""

from collections.abc import Iterator
from typing import Any

from django.http import StreamingHttpResponse
from django.utils import translation

from dinghuo.bulk import files
from dinghuo.bulk.formats import KINDS
from dinghuo.core import clock


def _in_language(rows: Iterator[list[Any]], language: str) -> Iterator[list[Any]]:
    """The rows, worked out in `language` (words for people: order states)."""
    with translation.override(language):
        yield from rows


def download(
    kind: str, tenant_id: int, file_format: str, language: str, **filters: Any
) -> StreamingHttpResponse:
    """The kind's rows (as `filters` narrow them) as a file in pieces, named after the kind
    and the day."""
    layout = KINDS[kind].layout
    with translation.override(language):
        headings = layout.headings()
    rows = _in_language(KINDS[kind].export_rows(tenant_id, **filters), language)
    if file_format == files.XLSX:
        stream, content_type = files.xlsx_stream(kind, headings, rows), files.XLSX_TYPE
    else:
        stream, content_type = files.csv_stream(headings, rows), files.CSV_TYPE
    response = StreamingHttpResponse(stream, content_type=content_type)
    day = clock.now().date().isoformat()
    response["Content-Disposition"] = f'attachment; filename="{kind}-{day}.{file_format}"'
    return response
