"""Why a quantity of a SKU costs what it costs for a company."""

from dataclasses import dataclass
from datetime import datetime

from dinghuo.catalog.models import Sku
from dinghuo.core.errors import FieldError, NotFound
from dinghuo.pricing.queries.company_pricing import company_pricing
from dinghuo.pricing.queries.price_book import book_for
from dinghuo.pricing.values import Verdict


@dataclass(frozen=True)
class Explanation:
    """The price of a quantity of one SKU for a company, its terms and visibility, and why."""

    sku_id: int
    sku: str
    quantity: int
    currency: str
    verdict: Verdict
    min_order_quantity: int
    pack_size: int
    visible: bool
    orderable: bool  # the SKU and its product are active

    @property
    def problems(self) -> list[str]:
        """Why the company cannot order this quantity (codes, in a fixed order); empty: it
        can."""
        problems = []
        if not self.visible:
            problems.append("not_in_assortment")
        if not self.orderable:
            problems.append("inactive_sku")
        if self.verdict.resolution is None:
            problems.append("no_price")
        if self.quantity < self.min_order_quantity:
            problems.append("below_minimum")
        if self.quantity % self.pack_size:
            problems.append("not_pack_multiple")
        return problems


def explain(
    tenant_id: int, company_id: int, sku_code: str, quantity: int, *, at: datetime | None = None
) -> Explanation:
    """Why `quantity` units of the SKU cost what they cost for the company: the pricing
    context, the SKU, then the price book (at most 9 queries). An unknown SKU (of the
    company's seller) is NotFound (`unknown_sku` on `sku`)."""
    pricing = company_pricing(tenant_id, company_id, at)
    row = (
        Sku.objects.filter(tenant_id=tenant_id, seller_id=pricing.buyer.seller_id, code=sku_code)
        .values_list("id", "min_order_quantity", "pack_size", "is_active", "product__is_active")
        .first()
    )
    if row is None:
        raise NotFound(
            f"No SKU {sku_code}.",
            errors=[FieldError("sku", "unknown_sku", f"No SKU {sku_code}")],
        )
    sku_id, moq, pack, active, product_active = row
    book = book_for(pricing, [sku_id])
    moq, pack = book.ordering_terms(sku_id, moq, pack)
    return Explanation(
        sku_id=sku_id,
        sku=sku_code,
        quantity=quantity,
        currency=book.currency,
        verdict=book.verdict(sku_id, quantity),
        min_order_quantity=moq,
        pack_size=pack,
        visible=book.is_visible(sku_id),
        orderable=bool(active and product_active),
    )
