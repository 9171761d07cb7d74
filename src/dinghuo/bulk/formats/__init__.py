"""The kinds of file, each with one column layout shared by its export and its import.

A kind's module gives `LAYOUT`, `export_rows(tenant_id, **filters)` (rows in layout order,
streamed from the database) and, when it can be imported, `import_rows(work)` (writes through
the owning app's services, its problems placed at rows and columns).
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from dinghuo.bulk.formats import companies, contracts, documents, prices, products, stock
from dinghuo.bulk.formats.common import Importing
from dinghuo.bulk.layout import Layout


@dataclass(frozen=True)
class Kind:
    """One kind of file: its layout, its export and (if any) its import."""

    layout: Layout
    export_rows: Callable[..., Iterator[list[Any]]]
    import_rows: Callable[[Importing], None] | None = None

    @property
    def name(self) -> str:
        """The kind as routes and runs name it (`contract-prices`)."""
        return self.layout.kind


KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind(products.LAYOUT, products.export_rows, products.import_rows),
        Kind(prices.LAYOUT, prices.export_rows, prices.import_rows),
        Kind(contracts.LAYOUT, contracts.export_rows, contracts.import_rows),
        Kind(stock.LAYOUT, stock.export_rows, stock.import_rows),
        Kind(companies.COMPANIES, companies.export_companies, companies.import_companies),
        Kind(companies.USERS, companies.export_users, companies.import_users),
        Kind(companies.ADDRESSES, companies.export_addresses, companies.import_addresses),
        Kind(documents.ORDERS, documents.export_orders),
        Kind(documents.INVOICES, documents.export_invoices),
    )
}
IMPORTABLE = tuple(name for name, kind in KINDS.items() if kind.import_rows is not None)
