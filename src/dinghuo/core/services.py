"""Write use cases of the core: tenants, sellers and API keys."""

import hashlib
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from zoneinfo import available_timezones

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connections, router, transaction
from django.db.models import F
from django.utils import timezone

from dinghuo.core import branding
from dinghuo.core.audit_trail import recorder as audit
from dinghuo.core.errors import (
    Conflict,
    FieldError,
    NotFound,
    TenantSuspended,
    ValidationFailed,
)
from dinghuo.core.models import ApiKey, IdempotencyRecord, Seller, Tenant, TenantApiLimits
from dinghuo.core.money import is_currency
from dinghuo.core.permissions import ROLES, Role

API_KEY_SCOPES = frozenset({"read", "write"})
_KEY_PREFIX = "dh_"
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{1,49}")


@dataclass(frozen=True)
class IssuedApiKey:
    key: ApiKey
    secret: str  # the full token; shown once, never stored


def hash_secret(token: str) -> str:
    """SHA-256 of the token. Keys are 256-bit random, so a slow password hash adds nothing."""
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def create_tenant(
    *,
    slug: str,
    name: str,
    seller_name: str | None = None,
    base_currency: str = "USD",
    languages: Sequence[str] = ("en", "zh-hant", "zh-hans"),
    time_zone: str = "UTC",
) -> Tenant:
    """Create a tenant with its own primary store (seller), keeping its books in
    `base_currency`, offering its pages in `languages` (the first is its default) and
    counting its days in `time_zone`. A taken slug is refused (409 `slug_taken`)."""
    refuse(tenant_input_errors(slug, name, base_currency, languages, time_zone))
    if Tenant.objects.filter(slug=slug).exists():
        raise Conflict("This short name is taken.", code="slug_taken")
    tenant = Tenant.objects.create(
        slug=slug, name=name, languages=",".join(languages), time_zone=time_zone
    )
    seller = Seller.objects.create(
        tenant=tenant,
        slug=slug,
        name=seller_name or name,
        is_primary=True,
        base_currency=base_currency,
    )
    audit().created(tenant, tenant_id=tenant.pk)
    audit().created(seller)
    return tenant


def tenant_input_errors(
    slug: str, name: str, base_currency: str, languages: Sequence[str], time_zone: str
) -> list[FieldError]:
    """Why a new tenant's fields cannot be used (empty when they can)."""
    errors = []
    if not _SLUG.fullmatch(slug):
        errors.append(FieldError("slug", "invalid_slug", "2 to 50 lower-case letters, digits, -"))
    if not name.strip():
        errors.append(FieldError("name", "required", "Give the tenant's name."))
    if not is_currency(base_currency):
        errors.append(
            FieldError("base_currency", "invalid_currency", "An ISO 4217 code: HKD, USD…")
        )
    offered = {code for code, _name in settings.LANGUAGES}
    if not languages or any(code not in offered for code in languages):
        errors.append(
            FieldError("languages", "invalid_languages", f"Some of: {', '.join(sorted(offered))}")
        )
    if time_zone not in available_timezones():
        errors.append(FieldError("time_zone", "invalid_time_zone", "An IANA name: Asia/Hong_Kong"))
    return errors


def refuse(errors: list[FieldError]) -> None:
    if errors:
        raise ValidationFailed("The tenant's details are not valid; see errors.", errors=errors)


@transaction.atomic
def set_tenant_status(*, tenant_id: int, status: str) -> Tenant:
    """Suspend a tenant (its pages, sign-ins and API keys are refused with
    `tenant_suspended`; nothing of it is changed or removed) or make it active again, which
    restores everything as it was. Setting the status it has changes nothing."""
    if status not in Tenant.Status.values:
        raise ValidationFailed(
            "Unknown status.", errors=[FieldError("status", "invalid_choice", "active, suspended")]
        )
    tenant = Tenant.objects.select_for_update().filter(pk=tenant_id).first()
    if tenant is None:
        raise NotFound(f"No tenant {tenant_id}.")
    if tenant.status != status:
        before = audit().snapshot(tenant)
        tenant.status = status
        tenant.save(update_fields=["status"])
        audit().changed(tenant, before, tenant_id=tenant.pk)
    return tenant


@transaction.atomic
def set_branding(
    *,
    tenant_id: int,
    display_name: str,
    primary_colour: str,
    accent_colour: str,
    logo: bytes | None = None,
    remove_logo: bool = False,
) -> Tenant:
    """Set how the tenant shows itself on pages, documents and mails (`core.branding`):
    a display name ("" = its name), two `#rrggbb` colours white text is readable on ("" =
    the defaults), and a new PNG or JPEG logo of at most 512 KB (or none, `remove_logo`).
    Anything invalid is refused with field errors and nothing changes; the replaced logo
    file is removed once the change is committed."""
    primary_colour, accent_colour = primary_colour.lower(), accent_colour.lower()
    errors = [
        *branding.colour_errors("primary_colour", primary_colour),
        *branding.colour_errors("accent_colour", accent_colour),
    ]
    logo_format = branding.logo_format(logo) if logo is not None else None
    if logo is not None and logo_format is None:
        errors.append(FieldError("logo", "invalid_logo", "A PNG or JPEG image of at most 512 KB."))
    if errors:
        raise ValidationFailed("The branding is not valid; see errors.", errors=errors)
    tenant = Tenant.objects.select_for_update().filter(pk=tenant_id).first()
    if tenant is None:
        raise NotFound(f"No tenant {tenant_id}.")
    old_logo, before = tenant.logo, audit().snapshot(tenant)
    if logo is not None and logo_format is not None:
        name = f"brand/{tenant.pk}-{secrets.token_hex(8)}.{logo_format}"
        tenant.logo = default_storage.save(name, ContentFile(logo))
    elif remove_logo:
        tenant.logo = ""
    tenant.display_name = display_name.strip()
    tenant.primary_colour, tenant.accent_colour = primary_colour, accent_colour
    tenant.brand_version += 1
    tenant.save()
    audit().changed(tenant, before, tenant_id=tenant.pk)
    if old_logo and old_logo != tenant.logo:
        transaction.on_commit(lambda: default_storage.delete(old_logo))
    # Now (this transaction's own pages) and once it is committed (another request may have
    # cached the old brand meanwhile).
    branding.forget_page_brand(tenant_id)
    transaction.on_commit(lambda: branding.forget_page_brand(tenant_id))
    return tenant


@transaction.atomic
def create_api_key(
    *,
    tenant: Tenant,
    name: str,
    scopes: set[str],
    company_user_id: int | None = None,
    role: str = Role.OWNER.value,
) -> IssuedApiKey:
    """Issue a key for `tenant` with the given scopes; the token is returned once.

    A seller's key acts with the staff `role` (owner, as every key could do everything
    before roles existed); with `company_user_id` the key is that buyer's instead: it acts as
    them on the buyer routes only, and its role is not used."""
    unknown = set(scopes) - API_KEY_SCOPES
    if not scopes or unknown:
        raise ValidationFailed(
            "Scopes must be a non-empty subset of read, write.",
            errors=[FieldError("scopes", "invalid_scope", f"Unknown scopes: {sorted(unknown)}")],
        )
    if role not in ROLES:
        raise ValidationFailed(
            "Not a staff role.",
            errors=[FieldError("role", "invalid_role", f"One of {', '.join(ROLES)}.")],
        )
    prefix = secrets.token_hex(6)
    token = f"{_KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey.objects.create(
        tenant=tenant,
        name=name,
        prefix=prefix,
        secret_hash=hash_secret(token),
        scopes=",".join(sorted(scopes)),
        company_user_id=company_user_id,
        role=role,
    )
    return IssuedApiKey(key=key, secret=token)


@transaction.atomic
def revoke_api_key(*, prefix: str) -> ApiKey:
    """Revoke a key at once; requests with it answer 401 from now on."""
    key = ApiKey.objects.select_for_update().filter(prefix=prefix).first()
    if key is None:
        raise NotFound(f"No API key with prefix {prefix}.")
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
    return key


@dataclass(frozen=True)
class Caller:
    """Who an API request comes from: a live key of one tenant, with its scopes; for a
    buyer's key also the company user it acts as, their company and role."""

    key_prefix: str
    tenant_id: int
    scopes: frozenset[str]
    company_user_id: int | None = None
    company_id: int | None = None
    role: str | None = None
    # The tenant's own API rate limits per minute (None: the deployment's default).
    reads_per_minute: int | None = None
    writes_per_minute: int | None = None
    staff_role: str | None = None  # a seller's key: what it may do (`core.permissions`)
    # The tenant's limit on all its keys' requests from one address (None: no such limit).
    per_address_per_minute: int | None = None

    @property
    def is_buyer(self) -> bool:
        return self.company_user_id is not None


# What a key's request needs, in one indexed query: its company user, the tenant's status
# and (joined here so that the rate limits cost no query of their own) the tenant's limits.
_KEY_FIELDS = ("tenant_id", "secret_hash", "scopes", "company_user_id", "role")
_KEY_COLUMNS = {
    "company_id": F("company_user__company_id"),
    "buyer_role": F("company_user__role"),
    "sign_in_active": F("company_user__user__is_active"),
    "membership_active": F("company_user__is_active"),
    "tenant_status": F("tenant__status"),
    "reads": F("tenant__api_limits__reads_per_minute"),
    "writes": F("tenant__api_limits__writes_per_minute"),
    "per_address": F("tenant__api_limits__per_address_per_minute"),
}
# Every API request reads its key, and building and compiling that queryset each time cost
# about a third of a millisecond of CPU (a few per cent of an order's). So it is compiled once
# per database, with a stand-in for the prefix, its only parameter.
_key_sql: dict[str, str] = {}
_STAND_IN = "prefix-stand-in"


def _live_key_row(prefix: str) -> dict[str, Any] | None:
    """The unrevoked key with `prefix` as a row of named values, or None."""
    alias = router.db_for_read(ApiKey) or "default"
    sql = _key_sql.get(alias)
    if sql is None:
        query = ApiKey.objects.filter(prefix=_STAND_IN, revoked_at__isnull=True)
        query = query.values(*_KEY_FIELDS, **_KEY_COLUMNS)[:1]
        sql, params = query.query.get_compiler(alias).as_sql()
        if list(params) != [_STAND_IN]:  # a Django that compiles it otherwise: say so loudly
            raise RuntimeError(f"The API key query has other parameters: {params!r}")
        _key_sql[alias] = sql
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, [prefix])
        row = cursor.fetchone()
        names = [column[0] for column in cursor.description or ()]
    return None if row is None else dict(zip(names, row, strict=True))


def authenticate_api_key(token: str) -> Caller | None:
    """The caller holding `token` if it is a live key, else None (one indexed read per call,
    so a revoked key stops working at once). A suspended tenant's key raises
    `TenantSuspended` (403)."""
    if not token.startswith(_KEY_PREFIX):
        return None
    prefix, _, _rest = token[len(_KEY_PREFIX) :].partition("_")
    if not prefix or not _rest:
        return None
    found = _live_key_row(prefix)
    if found is None or not secrets.compare_digest(found["secret_hash"], hash_secret(token)):
        return None
    if found["tenant_status"] == Tenant.Status.SUSPENDED:
        raise TenantSuspended()
    buyer = found["company_user_id"]
    if buyer is not None and not (found["sign_in_active"] and found["membership_active"]):
        return None  # a buyer switched off (here, or their sign-in) loses their keys too
    return Caller(
        key_prefix=prefix,
        tenant_id=found["tenant_id"],
        scopes=frozenset(s.strip() for s in found["scopes"].split(",") if s.strip()),
        company_user_id=buyer,
        company_id=found["company_id"],
        role=found["buyer_role"],
        reads_per_minute=found["reads"],
        writes_per_minute=found["writes"],
        staff_role=found["role"] if buyer is None else None,
        per_address_per_minute=found["per_address"],
    )


# The most a tenant's own limit may allow a minute: beyond it a limit protects nothing.
MAX_REQUESTS_PER_MINUTE = 100_000


@transaction.atomic
def set_api_limits(
    *,
    tenant_id: int,
    reads_per_minute: int | None,
    writes_per_minute: int | None,
    per_address_per_minute: int | None = None,
) -> TenantApiLimits:
    """Give a tenant its own API rate limits a minute: reads and writes per API key, and
    every request with any of its keys from one client address together; None gives back
    the default (the deployment's for reads and writes, no limit per address). Each is
    1 to `MAX_REQUESTS_PER_MINUTE` (422 `limit_not_positive`, `limit_too_high`, nothing
    changed). Applies from each key's next request."""
    limits = {
        "reads_per_minute": reads_per_minute,
        "writes_per_minute": writes_per_minute,
        "per_address_per_minute": per_address_per_minute,
    }
    errors = [
        FieldError(name, "limit_not_positive", "At least 1 request per minute, or none")
        if value < 1
        else FieldError(name, "limit_too_high", f"At most {MAX_REQUESTS_PER_MINUTE} a minute")
        for name, value in limits.items()
        if value is not None and not 1 <= value <= MAX_REQUESTS_PER_MINUTE
    ]
    if errors:
        raise ValidationFailed("A rate limit is out of bounds; see errors.", errors=errors)
    if not Tenant.objects.filter(pk=tenant_id).exists():
        raise NotFound("No such tenant.")
    row = TenantApiLimits.objects.select_for_update().filter(tenant_id=tenant_id).first()
    if row is None:
        row = TenantApiLimits.objects.create(tenant_id=tenant_id, **limits)
        audit().created(row)
        return row
    before = audit().snapshot(row)
    for name, value in limits.items():
        setattr(row, name, value)
    row.save(update_fields=list(limits))
    audit().changed(row, before)
    return row


IDEMPOTENCY_RETENTION = timedelta(hours=48)


def purge_idempotency_records(*, older_than: timedelta = IDEMPOTENCY_RETENTION) -> int:
    """Forget stored answers to create requests older than `older_than`; return how many.

    A retry with such a key is then treated as a new request, so keep the window longer than
    any client's retry horizon (48 hours by default). Deletes in batches, each its own short
    transaction, so a large backlog never holds locks for long.
    """
    cutoff = timezone.now() - older_than
    purged = 0
    while True:
        batch = list(
            IdempotencyRecord.objects.filter(created_at__lt=cutoff).values_list("id", flat=True)[
                :5000
            ]
        )
        if not batch:
            return purged
        with transaction.atomic():
            purged += IdempotencyRecord.objects.filter(id__in=batch).delete()[0]
