"""Buyer API keys: keys that act as one company user on the buyer routes (/api/v1/my/…)."""

from typing import Any

from django.db import transaction

from dinghuo.audit import services as audit
from dinghuo.core.errors import Conflict, NotFound
from dinghuo.core.models import ApiKey, Tenant
from dinghuo.core.queries import tenant_row
from dinghuo.core.services import IssuedApiKey, create_api_key, revoke_api_key
from dinghuo.core.writes import locked_tenant_row
from dinghuo.customers.models import Company, CompanyUser
from dinghuo.customers.services.common import company_event
from dinghuo.integrations import events


def _company_user(company: Company, company_user_id: int) -> CompanyUser:
    return tenant_row(
        CompanyUser.objects.select_related("user").filter(company=company),
        company.tenant_id,
        company_user_id,
        f"No user {company_user_id} at company {company.pk}.",
    )


def _key_payload(key: ApiKey, member: CompanyUser, company: Company) -> dict[str, Any]:
    return {
        "company": company.code,
        "company_user_id": member.pk,
        "prefix": key.prefix,
        "name": key.name,
        "scopes": sorted(key.scope_set),
    }


@transaction.atomic
def issue_buyer_api_key(
    *, tenant_id: int, company_id: int, company_user_id: int, name: str, scopes: set[str]
) -> IssuedApiKey:
    """A key that acts as this company user on the buyer routes (/api/v1/my/…) only.

    The secret is in the answer once and stored only hashed. A user who may not sign in gets
    no key (409 `company_user_inactive`): their keys would not work."""
    company = locked_tenant_row(
        Company.objects.select_related("tenant"), tenant_id, company_id, f"No company {company_id}."
    )
    member = _company_user(company, company_user_id)
    if not member.may_sign_in:
        raise Conflict(
            "The user is switched off; activate them before issuing a key.",
            code="company_user_inactive",
        )
    issued = create_api_key(
        tenant=company.tenant, name=name, scopes=scopes, company_user_id=member.pk
    )
    audit.created(issued.key)
    payload = _key_payload(issued.key, member, company)
    events.record(company_event(company, "company_user.api_key_issued", payload))
    return issued


@transaction.atomic
def revoke_buyer_api_key(
    *, tenant_id: int, company_id: int, company_user_id: int, prefix: str
) -> ApiKey:
    """Revoke one of the user's keys at once. A key of anyone else is not found; revoking a
    revoked key changes nothing and records nothing."""
    company = locked_tenant_row(
        Company.objects.all(), tenant_id, company_id, f"No company {company_id}."
    )
    member = _company_user(company, company_user_id)
    key = ApiKey.objects.filter(tenant_id=tenant_id, company_user=member, prefix=prefix).first()
    if key is None:
        raise NotFound(f"No API key {prefix} of user {company_user_id}.")
    if key.revoked_at is not None:
        return key
    before = audit.snapshot(key)
    key = revoke_api_key(prefix=prefix)
    audit.changed(key, before)
    payload = _key_payload(key, member, company)
    events.record(company_event(company, "company_user.api_key_revoked", payload))
    return key


@transaction.atomic
def issue_staff_api_key(
    *, tenant: Tenant, name: str, scopes: set[str], role: str = "owner"
) -> IssuedApiKey:
    """A seller's (staff) key acting with `role`, recorded in the audit log; the secret is
    shown once."""
    issued = create_api_key(tenant=tenant, name=name, scopes=scopes, role=role)
    audit.created(issued.key)
    return issued


@transaction.atomic
def revoke_any_api_key(*, prefix: str) -> ApiKey:
    """Revoke a key of any kind at once (the operator's command), recorded in the audit log."""
    found = ApiKey.objects.filter(prefix=prefix).first()
    before = audit.snapshot(found) if found is not None else {}
    key = revoke_api_key(prefix=prefix)
    audit.changed(key, before)
    return key
