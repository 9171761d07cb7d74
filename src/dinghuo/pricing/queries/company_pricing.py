"""What a company pays, whatever the SKUs: its base list, the lists offered to it, and which
kinds of source it has at all. One hand-written statement, two when lists are assigned to it
(why they are written out: `queries/sql.py`)."""

from dataclasses import dataclass
from datetime import date, datetime

from django.db import connection

from dinghuo.core import clock
from dinghuo.core.errors import FieldError, NotFound
from dinghuo.core.phrases import phrase
from dinghuo.pricing.queries.sql import rows
from dinghuo.pricing.resolution import list_refusal
from dinghuo.pricing.values import Buyer, OfferedList


@dataclass(frozen=True)
class CompanyPricing:
    """A company as pricing sees it, whatever the SKUs: its base list, the lists offered to
    it, and which kinds of source it has at all (so that queries for none are skipped)."""

    tenant_id: int
    company_id: int
    at: datetime
    day: date
    buyer: Buyer
    base: OfferedList
    offers: tuple[OfferedList, ...]  # every list offered, the base list last
    has_terms: bool
    has_promotions: bool
    has_assortment: bool

    @property
    def currency(self) -> str:
        """The company's currency (its base list's)."""
        return self.buyer.currency

    @property
    def counted_list_ids(self) -> list[int]:
        """The lists that may price a SKU: active, in the company's currency and seller."""
        return [o.id for o in self.offers if list_refusal(o, self.buyer) is None]


_COMPANY_SQL = """
SELECT c.price_list_id, pl.code, pl.currency, pl.seller_id, pl.is_active,
  EXISTS (SELECT 1 FROM {assignment} a WHERE a.tenant_id = c.tenant_id
    AND (a.company_id = c.id OR a.customer_group_id IN (
      SELECT g.customergroup_id FROM {company_groups} g WHERE g.company_id = c.id))),
  EXISTS (SELECT 1 FROM {terms} t WHERE t.company_id = c.id),
  EXISTS (SELECT 1 FROM {assortment_companies} ac WHERE ac.company_id = c.id)
    OR EXISTS (SELECT 1 FROM {assortment_groups} ag WHERE ag.customergroup_id IN (
      SELECT g.customergroup_id FROM {company_groups} g WHERE g.company_id = c.id)),
  EXISTS (SELECT 1 FROM {promotion} p WHERE p.tenant_id = c.tenant_id
    AND p.seller_id = pl.seller_id AND p.is_active AND p.starts_at <= %s AND p.ends_at > %s
    AND (NOT EXISTS (SELECT 1 FROM {promotion_groups} pg WHERE pg.promotion_id = p.id)
      OR EXISTS (SELECT 1 FROM {promotion_groups} pg WHERE pg.promotion_id = p.id
        AND pg.customergroup_id IN (
          SELECT g.customergroup_id FROM {company_groups} g WHERE g.company_id = c.id)))),
  cg.customergroup_id
FROM {company} c
JOIN {price_list} pl ON pl.id = c.price_list_id
LEFT JOIN {company_groups} cg ON cg.company_id = c.id
WHERE c.tenant_id = %s AND c.id = %s AND c.is_active
"""

_ASSIGNMENTS_SQL = """
SELECT pl.id, pl.code, pl.currency, pl.seller_id, pl.is_active, a.priority, a.company_id,
  grp.code
FROM {assignment} a
JOIN {price_list} pl ON pl.id = a.price_list_id
LEFT JOIN {group} grp ON grp.id = a.customer_group_id
WHERE a.tenant_id = %s AND (a.company_id = %s OR a.customer_group_id IN (
  SELECT g.customergroup_id FROM {company_groups} g WHERE g.company_id = %s))
"""


def _unknown_company(company_id: int) -> NotFound:
    return NotFound(
        f"No company {company_id}.",
        errors=[FieldError("company_id", "unknown_company", "No active company with this id")],
    )


def _assigned_lists(tenant_id: int, company_id: int) -> list[OfferedList]:
    """The lists assigned to the company or to one of its groups, with how (one query)."""
    offers: list[OfferedList] = []
    for row in rows(_ASSIGNMENTS_SQL, [tenant_id, company_id, company_id]):
        pl_id, pl_code, pl_currency, pl_seller, pl_active, priority, to_company, group = row
        via = (
            phrase("assigned to the company")
            if to_company
            else phrase("assigned to group {group}", group=group)
        )
        offers.append(
            OfferedList(
                pl_id,
                pl_code,
                pl_currency,
                pl_seller,
                bool(pl_active),
                priority,
                to_company is not None,
                via,
            )
        )
    return offers


def company_pricing(tenant_id: int, company_id: int, at: datetime | None = None) -> CompanyPricing:
    """The company's pricing context at `at` (now by default): one query, and one more when
    lists are assigned to it or to its groups. An unknown, inactive or other tenant's company
    is NotFound (`unknown_company` on `company_id`)."""
    at = at or clock.now()
    moment = connection.ops.adapt_datetimefield_value(at)
    found = rows(_COMPANY_SQL, [moment, moment, tenant_id, company_id])
    if not found:
        raise _unknown_company(company_id)
    list_id, code, currency, seller_id, active, has_assignments, *flags, _ = found[0]
    base = OfferedList(list_id, code, currency, seller_id, bool(active))
    buyer = Buyer(currency, seller_id, frozenset(r[-1] for r in found if r[-1] is not None))
    offers = _assigned_lists(tenant_id, company_id) if has_assignments else []
    return CompanyPricing(
        tenant_id=tenant_id,
        company_id=company_id,
        at=at,
        day=at.date(),
        buyer=buyer,
        base=base,
        offers=(*offers, base),
        has_terms=bool(flags[0]),
        has_assortment=bool(flags[1]),
        has_promotions=bool(flags[2]),
    )
