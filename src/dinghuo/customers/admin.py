"""Buyer companies, locations and company users in the Django admin.

The admin serves staff of every tenant, so forms refuse links across tenants and new rows
take their tenant from their company.
"""

from typing import Any

from django import forms
from django.contrib import admin
from django.forms import BaseInlineFormSet
from django.http import HttpRequest
from unfold.admin import ModelAdmin, TabularInline

from dinghuo.audit.admin import AuditedAdmin
from dinghuo.core import refusals
from dinghuo.core.admin import ReadOnlyAdmin
from dinghuo.customers import services
from dinghuo.customers.models import (
    Company,
    CompanyUser,
    CreditLine,
    CreditPolicy,
    CustomerGroup,
    Location,
)
from dinghuo.customers.services import COUNTRIES


# Django's forms are generic only in its stubs: subscripting one fails at run time.
class CompanyForm(forms.ModelForm):
    class Meta:
        model = Company
        fields = (
            "code",
            "name",
            "price_list",
            "tax_exemption_certificate",
            "tax_exemption_expires_on",
            "is_active",
        )

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        if cleaned.get("tax_exemption_expires_on") and not cleaned.get("tax_exemption_certificate"):
            self.add_error("tax_exemption_expires_on", "An expiry needs a certificate number.")
        return cleaned

    def clean_price_list(self) -> Any:
        price_list = self.cleaned_data["price_list"]
        if price_list is not None and price_list.tenant_id != self.instance.tenant_id:
            raise forms.ValidationError("Choose a price list of the company's own tenant.")
        return price_list


class LocationForm(forms.ModelForm):
    class Meta:
        model = Location
        fields = (
            "company",
            "kind",
            "name",
            "line1",
            "line2",
            "city",
            "postal_code",
            "country",
            "region",
            "is_active",
        )

    def clean_country(self) -> str:
        country = str(self.cleaned_data["country"])
        if country not in COUNTRIES:
            raise forms.ValidationError("An ISO 3166-1 alpha-2 code in capitals, e.g. HK.")
        return country


class LocationInline(TabularInline):
    model = Location
    form = LocationForm
    extra = 0
    fields = (
        "kind", "name", "line1", "line2", "city", "postal_code", "country", "region", "is_active",
    )  # fmt: skip


class CompanyUserInline(TabularInline):
    model = CompanyUser
    extra = 0
    fields = ("user", "role")
    raw_id_fields = ("user",)


@admin.register(Company)
class CompanyAdmin(AuditedAdmin, ModelAdmin):
    form = CompanyForm
    list_display = ("code", "name", "tenant", "price_list", "is_active", "created_at")
    list_filter = ("is_active", "tenant")
    search_fields = ("code", "name")
    list_select_related = ("tenant", "price_list")
    raw_id_fields = ("price_list",)
    readonly_fields = ("tenant", "created_at")
    inlines = (LocationInline, CompanyUserInline)

    def has_add_permission(self, request: HttpRequest) -> bool:
        # A company is created through the API, whose service checks the price list and
        # records `company.created`; here staff maintain existing ones.
        return False

    def save_formset(
        self,
        request: HttpRequest,
        form: Any,
        formset: "BaseInlineFormSet[Any, Company, Any]",
        change: bool,
    ) -> None:
        for row in formset.save(commit=False):
            row.tenant_id = form.instance.tenant_id
            row.save()
        for row in formset.deleted_objects:
            row.delete()
        formset.save_m2m()


@admin.register(Location)
class LocationAdmin(AuditedAdmin, ModelAdmin):
    form = LocationForm
    list_display = ("name", "kind", "company", "city", "country", "is_active")
    list_filter = ("kind", "is_active", "country")
    search_fields = ("name", "company__code", "city", "postal_code")
    list_select_related = ("company",)
    raw_id_fields = ("company",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        # Orders point at their ship-to; it must stay with its company (and its tenant).
        return ("company",) if obj is not None else ()

    def save_model(self, request: HttpRequest, obj: Location, form: Any, change: bool) -> None:
        obj.tenant_id = obj.company.tenant_id
        super().save_model(request, obj, form, change)


@admin.register(CompanyUser)
class CompanyUserAdmin(AuditedAdmin, ModelAdmin):
    list_display = ("user", "company", "role")
    list_filter = ("role",)
    search_fields = ("user__username", "user__email", "company__code")
    list_select_related = ("user", "company")
    raw_id_fields = ("user", "company")
    exclude = ("tenant",)

    def save_model(self, request: HttpRequest, obj: CompanyUser, form: Any, change: bool) -> None:
        obj.tenant_id = obj.company.tenant_id
        super().save_model(request, obj, form, change)


class CustomerGroupForm(forms.ModelForm):
    class Meta:
        model = CustomerGroup
        fields = ("tenant", "code", "name")

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        tenant = cleaned.get("tenant") or getattr(self.instance, "tenant", None)
        code = cleaned.get("code")
        if tenant is not None and code:
            taken = CustomerGroup.objects.filter(tenant=tenant, code=code)
            if taken.exclude(pk=self.instance.pk).exists():
                self.add_error("code", "Another customer group of this tenant has this code.")
        return cleaned


@admin.register(CustomerGroup)
class CustomerGroupAdmin(ModelAdmin):
    form = CustomerGroupForm
    list_display = ("code", "name", "tenant")
    list_filter = ("tenant",)
    search_fields = ("code", "name")
    list_select_related = ("tenant",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        # Companies and prices of one tenant point at the group: it stays in its tenant.
        return ("tenant",) if obj is not None else ()

    def save_model(self, request: HttpRequest, obj: CustomerGroup, form: Any, change: bool) -> None:
        # Through the services, so that the event feed knows of the change.
        if change:
            services.update_customer_group(
                tenant_id=obj.tenant_id, group_id=obj.pk, code=obj.code, name=obj.name
            )
        else:
            group = services.create_customer_group(
                tenant_id=obj.tenant_id, code=obj.code, name=obj.name
            )
            obj.pk = group.pk


class CreditLineForm(forms.ModelForm):
    class Meta:
        model = CreditLine
        fields = ("credit_limit", "terms", "terms_days", "deposit_percent")

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        if {"terms", "terms_days"} <= cleaned.keys():
            errors = services.credit_terms_errors(
                terms=cleaned["terms"],
                terms_days=cleaned["terms_days"],
                credit_limit=cleaned.get("credit_limit"),
                currency=self.instance.company.price_list.currency,
                deposit_percent=cleaned.get("deposit_percent") or 0,
            )
            for error in errors:
                self.add_error(error.field, refusals.message(error))
        return cleaned


@admin.register(CreditLine)
class CreditLineAdmin(ModelAdmin):
    form = CreditLineForm
    list_display = (
        "company",
        "credit_limit",
        "terms",
        "terms_days",
        "deposit_percent",
        "order_exposure",
        "invoice_exposure",
        "oldest_unpaid_due_on",
    )
    list_filter = ("terms",)
    search_fields = ("company__code", "company__name")
    list_select_related = ("company",)
    # Exposure is kept by order placement and the receivables sync, never typed in.
    readonly_fields = (
        "company",
        "order_exposure",
        "invoice_exposure",
        "oldest_unpaid_due_on",
        "updated_at",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Each company gets its line when it is created (or with its first order).
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Deleting would forget the exposure of open orders.
        return False

    def save_model(self, request: HttpRequest, obj: CreditLine, form: Any, change: bool) -> None:
        # Through the service: it locks the line against orders being judged on it.
        services.update_credit_line(
            tenant_id=obj.tenant_id,
            company_id=obj.company_id,
            credit_limit=obj.credit_limit,
            terms=obj.terms,
            terms_days=obj.terms_days,
            deposit_percent=obj.deposit_percent,
        )


@admin.register(CreditPolicy)
class CreditPolicyAdmin(ReadOnlyAdmin):
    """Read-only: the grace days are set with the seller's ordering policy (API)."""

    list_display = ("seller", "overdue_grace_days", "tenant")
    list_select_related = ("seller", "tenant")
