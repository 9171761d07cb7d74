"""Base classes for request and response bodies."""

from typing import Annotated

from ninja import Schema
from pydantic import ConfigDict, Field, StringConstraints


class InSchema(Schema):
    """A request body: unknown fields are refused, strings are bounded, types are strict."""

    model_config = ConfigDict(extra="forbid", str_max_length=10_000, strict=True)


Code = Annotated[str, StringConstraints(min_length=1, max_length=64, strip_whitespace=True)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=300, strip_whitespace=True)]
ShortText = Annotated[str, StringConstraints(max_length=200)]
LongText = Annotated[str, StringConstraints(max_length=5_000)]
Quantity = Annotated[int, Field(ge=-1_000_000_000, le=1_000_000_000)]
Id = Annotated[int, Field(ge=1, le=2**62)]
