"""Tax rate and tax policy request and response bodies (the price lists' are `schemas`)."""

from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import ConfigDict, Field, StringConstraints

from dinghuo.api.schemas import Code, Day, Id, InSchema, PageFilters, PatchIn
from dinghuo.catalog.schemas import TranslationsOut
from dinghuo.catalog.texts import Texts
from dinghuo.pricing.models import TaxRate
from dinghuo.pricing.services import tax_rate_payload

TaxName = Annotated[str, StringConstraints(max_length=100, strip_whitespace=True)]
Country = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
Region = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{0,3}$")]
# A decimal string of at most 4 places; above 100 passes so the service says
# `percent_out_of_range`.
Percent = Annotated[str, StringConstraints(pattern=r"^\d{1,3}(\.\d{1,4})?$", max_length=8)]
Rounding = Literal["line", "document"]


class TaxNameIn(InSchema):
    # Only the hyphenated language codes are accepted, never the Python names.
    model_config = ConfigDict(populate_by_name=False)

    en: TaxName | None = None
    zh_hant: TaxName | None = Field(None, alias="zh-hant")
    zh_hans: TaxName | None = Field(None, alias="zh-hans")


class TaxRateIn(InSchema):
    seller: Code | None = Field(None, description="Seller slug; the tenant's own store if omitted")
    category_id: Id | None = Field(
        None, description="Tax category; null: every product whose category has no rate here"
    )
    country: Country = Field(description="ISO 3166-1 alpha-2 of the destination")
    region: Region = Field("", description="ISO 3166-2 subdivision (e.g. GD); empty: all")
    name: TaxNameIn = Field(description="What the tax is called (GST, VAT); `en` is required")
    percent: Percent = Field(description="From 0 to 100, at most 4 decimals")
    valid_from: Day
    valid_until: Day | None = Field(None, description="Last day (inclusive); null: open-ended")


class TaxRatePatch(PatchIn):
    nullable = frozenset({"valid_until"})

    name: TaxNameIn | None = Field(None, description="Only the languages given change")
    percent: Percent | None = None
    valid_from: Day | None = None
    valid_until: Day | None = Field(None, description="null: open-ended")


class TaxRateOut(Schema):
    id: int
    seller: str
    category_id: int | None
    country: str
    region: str
    name: TranslationsOut
    percent: str
    valid_from: str
    valid_until: str | None


class TaxRatePageOut(Schema):
    items: list[TaxRateOut]
    next_cursor: str | None


class TaxRateFilters(PageFilters):
    country: Country | None = None
    category_id: Id | None = None


class TaxPolicyIn(InSchema):
    seller: Code | None = Field(None, description="Seller slug; the tenant's own store if omitted")
    rounding: Rounding = Field(
        description="Round tax per line, or per document (per rate, shared among its lines)"
    )


class TaxPolicyOut(Schema):
    seller: str
    rounding: Rounding


def names(value: TaxNameIn) -> Texts:
    """The languages the request named, by language code (`zh-hant`), with their text."""
    named: Texts = value.model_dump(exclude_unset=True, by_alias=True)
    return named


def tax_rate_out(rate: TaxRate) -> dict[str, Any]:
    """One tax rate (its seller loaded)."""
    return {"id": rate.pk, **tax_rate_payload(rate, rate.seller.slug)}
