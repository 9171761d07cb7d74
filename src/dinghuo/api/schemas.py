"""Base classes and types for request bodies and parameters, shared by every router."""

import re
from datetime import date, datetime
from typing import Annotated, Any, ClassVar

from ninja import Header, Path, Schema
from pydantic import (
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from dinghuo.core.writes import UNSET

MAX_ID = 2**62
MAX_LIMIT = 500


class InSchema(Schema):
    """A request body: unknown fields are refused, strings are bounded, types are strict."""

    model_config = ConfigDict(extra="forbid", str_max_length=10_000, strict=True)


# Text that stays after `strip_whitespace` (Unicode White_Space, what pydantic-core strips):
# stated on every stripped string with a minimum length, so a generated "\v" is not "valid".
_WHITESPACE = "\\t-\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000"
NOT_BLANK = Field(json_schema_extra={"pattern": f"[^{_WHITESPACE}]"})
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_ISO_INSTANT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ].+")


def iso_day(value: object) -> object:
    """Only ISO 8601 text is a day: lax parsing would read `0` or `1.5` as a timestamp."""
    if isinstance(value, date) or (isinstance(value, str) and _ISO_DAY.fullmatch(value)):
        return value
    raise ValueError("Give a date as YYYY-MM-DD")


def iso_instant(value: object) -> object:
    """Only ISO 8601 text is a moment: lax parsing would read `0.5` as a timestamp."""
    if isinstance(value, datetime) or (isinstance(value, str) and _ISO_INSTANT.fullmatch(value)):
        return value
    raise ValueError("Give a moment as ISO 8601 (YYYY-MM-DDTHH:MM:SS+HH:MM)")


# A unit price in an answer: the currency's minor units, with more decimals (up to the 4 that
# prices are kept in) only where the price needs them: "10.00" USD, "0.3333" USD, "1200" JPY.
UnitPriceText = Annotated[
    str,
    Field(
        pattern=r"^-?[0-9]+(\.[0-9]{1,4})?$",
        description="Decimal string: the currency's minor units, more decimals (at most 4) "
        "only where the price needs them",
    ),
]
# The years a report or an export may name (its day arithmetic stays in the calendar).
YEARS_1900_TO_2999: dict[str, Any] = {"pattern": "^(19|2[0-9])[0-9]{2}-"}
# A moment in ISO 8601 ("2026-12-31T09:30:00+08:00"), as text like a day.
Instant = Annotated[
    datetime, BeforeValidator(iso_instant), Field(strict=False, description="ISO 8601")
]
# A day in ISO 8601 ("2026-12-31"): JSON has no date type, so strings are parsed.
Day = Annotated[date, BeforeValidator(iso_day), Field(strict=False, description="ISO 8601 date")]
# Days reports and exports accept: wide enough for any business date, narrow enough that date
# arithmetic (90 days before) never leaves the calendar.
ReportDay = Annotated[
    date,
    BeforeValidator(iso_day),
    Field(
        strict=False,
        ge=date(1900, 1, 1),
        le=date(2999, 12, 31),
        description="ISO 8601",
        json_schema_extra=YEARS_1900_TO_2999,
    ),
]
Code = Annotated[
    str, StringConstraints(min_length=1, max_length=64, strip_whitespace=True), NOT_BLANK
]
Slug = Annotated[
    str,
    StringConstraints(
        min_length=1, max_length=64, strip_whitespace=True, pattern=r"^[-a-zA-Z0-9_]+$"
    ),
]
Name = Annotated[
    str, StringConstraints(min_length=1, max_length=300, strip_whitespace=True), NOT_BLANK
]
ShortText = Annotated[str, StringConstraints(max_length=200)]
LongText = Annotated[str, StringConstraints(max_length=5_000)]
Quantity = Annotated[int, Field(ge=-1_000_000_000, le=1_000_000_000)]
# Units where the rule is "at least one": the document states it (minimum 1); the schema takes
# more, so that the service refuses 0 or less with its own code (422 `quantity_not_positive`,
# `must_be_positive`, ...) rather than the schema's `invalid_request`.
Units = Annotated[int, Field(ge=-1_000_000_000, le=1_000_000_000, json_schema_extra={"minimum": 1})]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
# What `pagination.parse_cursor` takes: digits (a `next_cursor`), or nothing (the first page).
CURSOR_PATTERN = r"^[0-9]{0,18}$"
# (The pattern is stated, not checked by pydantic: parse_cursor refuses with `invalid_cursor`.)
Cursor = Annotated[
    str, StringConstraints(max_length=20), Field(json_schema_extra={"pattern": CURSOR_PATTERN})
]

# Beyond MAX_ID an id cannot be a row of ours; refusing it keeps it away from the database.
ObjectId = Annotated[int, Path(ge=1, le=MAX_ID)]
# The header of a create: optional (a retried create without one may run twice), or, for
# money and orders, required (`RequiredIdempotencyKey`: 422 `idempotency_key_required`
# without it). The OpenAPI document states its limits (`api.openapi`).
OPTIONAL_KEY = "Makes a retried create safe: it then runs once"
REQUIRED_KEY = "Required: a retried request must not run twice"
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", description=OPTIONAL_KEY)]
RequiredIdempotencyKey = Annotated[
    str | None, Header(alias="Idempotency-Key", description=REQUIRED_KEY)
]


def _null_where_taken(schema: dict[str, Any], model: type) -> None:
    """Document a PATCH body as `PatchIn` validates it: null only in the `nullable` fields,
    no default (a field left out stays as it is)."""
    nullable: frozenset[str] = getattr(model, "nullable", frozenset())
    for name, field in schema.get("properties", {}).items():
        if name in nullable:
            continue
        field.pop("default", None)
        kinds = [kind for kind in field.pop("anyOf", []) if kind.get("type") != "null"]
        if len(kinds) == 1:
            field.update(kinds[0])
        elif kinds:
            field["anyOf"] = kinds


class PatchIn(InSchema):
    """A partial update: a field left out stays as it is.

    Null is refused rather than read as "leave it" or "clear it", except in the fields a
    subclass lists in `nullable`, where it means something (e.g. "no category").
    """

    model_config = ConfigDict(json_schema_extra=_null_where_taken)
    nullable: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="before")
    @classmethod
    def _null_only_where_meaningful(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name not in cls.nullable:
            raise ValueError("null is not allowed; leave the field out to keep its value")
        return value


def given(payload: Schema, field: str, convert: Any = None) -> Any:
    """The value of a PATCH field if the request sent it, else UNSET (leave it as it is)."""
    if field not in payload.model_fields_set:
        return UNSET
    value = getattr(payload, field)
    return convert(value) if convert is not None else value


# The query parameters of one page of a list; a list's own filters subclass it. (A comment,
# not a docstring: a docstring would become the schema's description in the OpenAPI document.)
class PageFilters(Schema):
    after: Cursor | None = Field(None, description="`next_cursor` of the previous page")
    limit: int = Field(50, ge=1, le=MAX_LIMIT)


# The query of a route about one seller's settings (policies, currencies): one schema for all,
# since the OpenAPI document holds one schema per name.
class SellerFilter(Schema):
    seller: Code | None = Field(None, description="Seller slug; the tenant's own store if omitted")
