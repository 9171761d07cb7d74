"""Personal data on request, for a seller's systems: `GET /people/{person_id}/export` (a ZIP
of what this seller holds about the person) and `POST /people/{person_id}/erase`.

A person is named by the id of their sign-in (`person_id`: the `actor.user_id` of
`GET /audit`), not by a company user's id; only people who buy from or work for this seller
are found."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema

from dinghuo.api.auth import staff_may, tenant_id
from dinghuo.api.idempotent import require_key, run_create
from dinghuo.api.schemas import ObjectId, RequiredIdempotencyKey
from dinghuo.privacy import exporting, services

router = Router(tags=["people"])

ZIP_TYPE = "application/zip"
_ZIP_ANSWER = {
    "responses": {
        200: {
            "description": "A ZIP of JSON files: profile, memberships, orders, audit, events",
            "content": {ZIP_TYPE: {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}
ERASED_ONCE = "a retried erasure is answered, not run again"


class ErasureOut(Schema):
    person_id: int
    fields_rewritten: int = Field(description="How many stored values were anonymised")


@router.get(
    "/people/{person_id}/export",
    summary="Download a person's data",
    openapi_extra=_ZIP_ANSWER,
    auth=staff_may("people.erase"),
)
def export_person(request: HttpRequest, person_id: ObjectId) -> HttpResponse:
    """What this seller holds about one of its buyers or staff: their profile, their
    memberships here, the orders they placed or entered, audit entries by or about them and
    events that mention them (nothing another seller holds). 404 for anyone who does not
    belong to this seller."""
    content = exporting.export_person(user_id=person_id, tenant_id=tenant_id(request))
    response = HttpResponse(content, content_type=ZIP_TYPE)
    response["Content-Disposition"] = f'attachment; filename="person-{person_id}.zip"'
    return response


@router.post(
    "/people/{person_id}/erase",
    response={200: ErasureOut},
    summary="Erase a person on their request",
    auth=staff_may("people.erase"),
)
def erase_person(
    request: HttpRequest, person_id: ObjectId, idempotency_key: RequiredIdempotencyKey = None
) -> HttpResponse:
    """Anonymise one of this seller's buyers or staff everywhere (name and e-mail replaced,
    sign-in, sessions and keys ended); orders, invoices and the stock ledger keep their
    amounts. Cannot be undone; requires an `Idempotency-Key`. Refused: a person who also
    belongs to another seller (409 `person_of_other_sellers`: the platform's operator erases
    them), the seller's last owner (409 `last_owner`), a person erased already (409
    `already_erased`); anyone not of this seller is 404."""
    require_key(idempotency_key, ERASED_ONCE)
    tenant = tenant_id(request)

    def erase() -> tuple[int, Any]:
        done = services.erase_for_seller(tenant_id=tenant, user_id=person_id)
        return 200, {"person_id": done.user_id, "fields_rewritten": done.fields_rewritten}

    return run_create(request, idempotency_key, {"person_id": person_id}, erase)
