"""Request and response bodies of companies, their locations and their users."""

from datetime import datetime
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import Field, StringConstraints

from dinghuo.api.schemas import Code, Id, InSchema, Name, PatchIn
from dinghuo.customers.models import Company, CompanyUser, Location

LocationKind = Literal["ship_to", "bill_to"]
Role = Literal["buyer", "approver", "admin"]
Country = Annotated[
    str, StringConstraints(min_length=2, max_length=2), Field(description="ISO 3166-1 alpha-2")
]
# Bounds of the model's columns, so that nothing valid here fails in the database.
LocationName = Annotated[
    str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)
]
AddressLine = Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]
OptionalLine = Annotated[str, StringConstraints(max_length=200, strip_whitespace=True)]
City = Annotated[str, StringConstraints(min_length=1, max_length=100, strip_whitespace=True)]
PostalCode = Annotated[str, StringConstraints(max_length=20, strip_whitespace=True)]
# Django's username and first_name hold 150 characters.
Email = Annotated[str, StringConstraints(min_length=3, max_length=150, strip_whitespace=True)]
PersonName = Annotated[str, StringConstraints(min_length=1, max_length=150, strip_whitespace=True)]


class CompanyIn(InSchema):
    code: Code
    name: Name
    price_list_id: Id


class CompanyPatch(PatchIn):
    code: Code | None = None
    name: Name | None = None
    price_list_id: Id | None = None


class LocationIn(InSchema):
    kind: LocationKind
    name: LocationName
    line1: AddressLine
    line2: OptionalLine = ""
    city: City
    postal_code: PostalCode = ""
    country: Country


class LocationPatch(PatchIn):
    kind: LocationKind | None = None
    name: LocationName | None = None
    line1: AddressLine | None = None
    line2: OptionalLine | None = None
    city: City | None = None
    postal_code: PostalCode | None = None
    country: Country | None = None
    is_active: bool | None = None


class CompanyUserIn(InSchema):
    email: Email
    name: PersonName
    role: Role = "buyer"


class CompanyUserPatch(PatchIn):
    name: PersonName | None = None
    role: Role | None = None
    is_active: bool | None = None


class LocationOut(Schema):
    id: int
    company_id: int
    kind: str
    name: str
    line1: str
    line2: str
    city: str
    postal_code: str
    country: str
    is_active: bool


class CompanyUserOut(Schema):
    id: int
    company_id: int
    email: str
    name: str
    role: str
    is_active: bool
    has_password: bool = Field(description="False until the user has set a password")


class CompanySummaryOut(Schema):
    id: int
    code: str
    name: str
    price_list_id: int
    price_list: str
    currency: str
    is_active: bool
    created_at: datetime


class CompanyOut(CompanySummaryOut):
    locations: list[LocationOut]
    users: list[CompanyUserOut]


class CompanyPageOut(Schema):
    items: list[CompanySummaryOut]
    next_cursor: str | None


class LocationPageOut(Schema):
    items: list[LocationOut]
    next_cursor: str | None


class CompanyUserPageOut(Schema):
    items: list[CompanyUserOut]
    next_cursor: str | None


def location_out(location: Location) -> dict[str, Any]:
    return {
        "id": location.pk,
        "company_id": location.company_id,
        "kind": location.kind,
        "name": location.name,
        "line1": location.line1,
        "line2": location.line2,
        "city": location.city,
        "postal_code": location.postal_code,
        "country": location.country,
        "is_active": location.is_active,
    }


def company_user_out(member: CompanyUser) -> dict[str, Any]:
    """The JSON body of one company user (the sign-in must be loaded)."""
    return {
        "id": member.pk,
        "company_id": member.company_id,
        "email": member.user.email,
        "name": member.user.first_name,
        "role": member.role,
        "is_active": member.user.is_active,
        "has_password": member.user.has_usable_password(),
    }


def company_summary_out(company: Company) -> dict[str, Any]:
    """The JSON body of a company in a list (the price list must be loaded)."""
    return {
        "id": company.pk,
        "code": company.code,
        "name": company.name,
        "price_list_id": company.price_list_id,
        "price_list": company.price_list.code,
        "currency": company.price_list.currency,
        "is_active": company.is_active,
        "created_at": company.created_at.isoformat(),
    }


def company_out(company: Company) -> dict[str, Any]:
    """The JSON body of one company with its locations and users (all loaded)."""
    return {
        **company_summary_out(company),
        "locations": [location_out(loc) for loc in company.locations.all()],
        "users": [company_user_out(member) for member in company.users.all()],
    }
