"""Tenants, sellers, API keys and idempotency records: what every other app stands on."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from dinghuo.core.permissions import ROLE_NAMES, Role


class Tenant(models.Model):
    """One platform operator; every business row belongs to exactly one."""

    class Status(models.TextChoices):
        ACTIVE = "active", "active"
        # Its pages, sign-ins and API keys are refused; nothing of it is changed or removed.
        SUSPENDED = "suspended", "suspended"

    slug = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.ACTIVE, db_default=Status.ACTIVE
    )
    # The languages its pages and documents are offered in (codes of settings.LANGUAGES,
    # comma separated, the first is the default) and the time zone its days are counted in.
    languages = models.CharField(
        max_length=100, default="en,zh-hant,zh-hans", db_default="en,zh-hant,zh-hans"
    )
    time_zone = models.CharField(max_length=64, default="UTC", db_default="UTC")
    # Branding (core.branding): the name people see, a logo under MEDIA_ROOT/brand/, and two
    # colours white text stays readable on. `brand_version` changes with each of them, so the
    # stylesheet and logo can be cached by ETag.
    display_name = models.CharField(max_length=200, blank=True, default="", db_default="")
    logo = models.CharField(max_length=200, blank=True, default="", db_default="")
    primary_colour = models.CharField(max_length=7, blank=True, default="", db_default="")
    accent_colour = models.CharField(max_length=7, blank=True, default="", db_default="")
    brand_version = models.PositiveIntegerField(default=1, db_default=1)

    def __str__(self) -> str:
        return self.slug

    @property
    def is_suspended(self) -> bool:
        return self.status == self.Status.SUSPENDED

    @property
    def language_list(self) -> list[str]:
        return [code for code in self.languages.split(",") if code]


class TenantScoped(models.Model):
    """Base of every business table: the row belongs to one tenant and is invisible to others."""

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+")

    class Meta:
        abstract = True


class Seller(TenantScoped):
    """A store inside a tenant: the operator's own, or (later) a vendor in a mall."""

    slug = models.SlugField(max_length=50)
    name = models.CharField(max_length=200)
    is_primary = models.BooleanField(
        default=False, help_text="The tenant's own store; orders go to it unless told otherwise."
    )
    # The currency its books are kept in: reports, the accounting export and every amount
    # threshold are compared in it, at the exchange rates the seller keeps (`pricing`).
    base_currency = models.CharField(max_length=3, default="USD", db_default="USD")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "slug"], name="seller_slug_unique"),
            models.UniqueConstraint(
                fields=["tenant"],
                condition=models.Q(is_primary=True),
                name="one_primary_seller_per_tenant",
            ),
        ]

    def __str__(self) -> str:
        return self.slug


class ApiKey(TenantScoped):
    """A machine credential: shown once, stored as a SHA-256 hash, scoped, revocable."""

    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64)
    scopes = models.CharField(max_length=100, help_text="Comma separated: read, write")
    # A buyer's key acts as that company user on the buyer routes (/my/…) and nowhere else;
    # a key without one is the seller's (staff) key.
    company_user = models.ForeignKey(
        "customers.CompanyUser",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="api_keys",
    )
    # A seller's key acts with this staff role (`core.permissions`); a buyer's key ignores
    # it. Keys issued before roles existed could do everything, so they became owners.
    role = models.CharField(
        max_length=20,
        choices=[(r.value, name) for r, name in ROLE_NAMES.items()],
        default=Role.OWNER.value,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.prefix} ({self.name})"

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(s.strip() for s in self.scopes.split(",") if s.strip())


class IdempotencyRecord(TenantScoped):
    """The stored answer to a create request, so that a retried request gets the same answer."""

    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField(null=True)
    response_body = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "key"], name="idempotency_key_unique"),
        ]
        indexes = [models.Index(fields=["created_at"], name="idempotency_age_idx")]

    def __str__(self) -> str:
        return self.key


class SignInFailures(models.Model):
    """Failed sign-ins counted under one key (a hashed email or client address) for one
    window; shared by every server worker and kept across restarts (`core.signin`)."""

    key = models.CharField(max_length=80, primary_key=True)
    failures = models.PositiveIntegerField()
    # Unix seconds, so that one SQL comparison works alike on SQLite and PostgreSQL.
    window_ends = models.BigIntegerField(db_index=True)

    def __str__(self) -> str:
        return f"{self.key}: {self.failures}"


class TenantApiLimits(models.Model):
    """A tenant's own API rate limits, per API key and minute; an empty limit (or no row)
    is the deployment's default (settings `DINGHUO_API_READS_PER_MINUTE`, `…_WRITES_…`).
    `per_address_per_minute` counts every request made with any of the tenant's keys from
    one client address together; empty, there is no such limit (each key's own apply)."""

    tenant = models.OneToOneField(
        Tenant, on_delete=models.CASCADE, primary_key=True, related_name="api_limits"
    )
    reads_per_minute = models.PositiveIntegerField(_("reads per minute"), null=True, blank=True)
    writes_per_minute = models.PositiveIntegerField(_("writes per minute"), null=True, blank=True)
    per_address_per_minute = models.PositiveIntegerField(
        _("requests per minute per address"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("API rate limits")
        verbose_name_plural = _("API rate limits")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(reads_per_minute__gte=1) | models.Q(reads_per_minute=None),
                name="api_reads_per_minute_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(writes_per_minute__gte=1) | models.Q(writes_per_minute=None),
                name="api_writes_per_minute_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(per_address_per_minute__gte=1)
                | models.Q(per_address_per_minute=None),
                name="api_per_address_per_minute_positive",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.tenant_id}: {self.reads_per_minute}/{self.writes_per_minute}"
            f"/{self.per_address_per_minute}"
        )
