"""Everything a customer request could change, to prove that a refused one changed nothing."""

from typing import Any

from django.contrib.auth import get_user_model

from dinghuo.core.models import ApiKey, IdempotencyRecord
from dinghuo.customers.models import Company, CompanyUser, CreditLine, CustomerGroup, Location
from dinghuo.integrations.models import Event


def customer_state() -> dict[str, Any]:
    return {
        "companies": list(Company.objects.order_by("id").values()),
        "company_groups": list(
            Company.groups.through.objects.order_by("id").values("company_id", "customergroup_id")
        ),
        "customer_groups": list(CustomerGroup.objects.order_by("id").values()),
        "credit_lines": list(CreditLine.objects.order_by("id").values()),
        "api_keys": list(ApiKey.objects.order_by("id").values()),
        "locations": list(Location.objects.order_by("id").values()),
        "company_users": list(CompanyUser.objects.order_by("id").values()),
        "users": list(get_user_model().objects.order_by("id").values()),
        "events": list(Event.objects.order_by("id").values_list("id", flat=True)),
        "idempotency": IdempotencyRecord.objects.count(),
    }


def events_since(last_id: int) -> list[Event]:
    return list(Event.objects.filter(id__gt=last_id).order_by("id"))


def last_event_id() -> int:
    last = Event.objects.order_by("-id").first()
    return last.pk if last else 0
