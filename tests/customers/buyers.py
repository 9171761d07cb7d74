"""Company users with their own API keys, for the buyer routes (/my/…)."""

from decimal import Decimal

from dinghuo.core.services import create_api_key
from dinghuo.customers.models import Company, CompanyUser
from dinghuo.customers.services import create_company_user
from tests.builders import ApiClient


def buyer_client(
    company: Company,
    email: str,
    role: str = "buyer",
    *,
    scopes: frozenset[str] = frozenset({"read", "write"}),
    spending_limit: Decimal | None = None,
) -> tuple[CompanyUser, ApiClient]:
    """A new user of `company` with `role`, and a client speaking with their own key."""
    member = create_company_user(
        tenant_id=company.tenant_id,
        company_id=company.pk,
        email=email,
        name=email.split("@")[0].title(),
        role=role,
        spending_limit=spending_limit,
    )
    key = create_api_key(
        tenant=company.tenant, name=email, scopes=set(scopes), company_user_id=member.pk
    )
    return member, ApiClient(key.secret)
