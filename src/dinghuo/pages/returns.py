"""How a return is shown on the buyer's and the staff's pages: its status, reasons and fates
in the reader's language, and its lines with the item's name."""

from typing import Any

from dinghuo.pages.skus import sku_names
from dinghuo.returns.models import Fate, ReturnReason, ReturnRequest, ReturnStatus

STATUS_LABELS: dict[str, Any] = dict(ReturnStatus.choices)
REASON_LABELS: dict[str, Any] = dict(ReturnReason.choices)
FATE_LABELS: dict[str, Any] = dict(Fate.choices)


def return_lines(found: ReturnRequest) -> list[dict[str, Any]]:
    """A return's lines in line order (prefetched by `returns.queries`): the line, the
    item's name, the reason and the fate in words."""
    lines = sorted(found.lines.all(), key=lambda line: line.line_number)
    names = sku_names(found.tenant_id, [line.order_line.sku_id for line in lines])
    return [
        {
            "line": line,
            "name": names.get(line.order_line.sku_id, line.order_line.description),
            "reason": REASON_LABELS.get(line.reason, line.reason),
            "fate": FATE_LABELS.get(line.fate, line.fate),
        }
        for line in lines
    ]
