"""Customer writes: customer groups, buyer companies, their locations and users, buyer API
keys, credit lines and payment terms, and the seller's credit policy.

Each service is one transaction and records its events on the company (aggregate "company"),
so one company's history reads from the event feed in order; a customer group's events are
on the group (aggregate "customer_group"). One module per aggregate; callers import them from
here (`from dinghuo.customers import services`).
"""

from dinghuo.customers.services.companies import (
    activate_company,
    create_company,
    deactivate_company,
    set_tax_exemption,
    update_company,
)
from dinghuo.customers.services.credit_lines import (
    MAX_TERMS_DAYS,
    LockedCredit,
    change_invoice_exposure,
    change_order_exposure,
    credit_terms_errors,
    lock_credit_line,
    reset_invoice_exposure,
    sync_receivables,
    take_credit,
    update_credit_line,
)
from dinghuo.customers.services.credit_policy import (
    receivables_source,
    set_overdue_grace_days,
    set_receivables_source,
)
from dinghuo.customers.services.groups import create_customer_group, update_customer_group
from dinghuo.customers.services.keys import (
    issue_buyer_api_key,
    issue_staff_api_key,
    revoke_any_api_key,
    revoke_buyer_api_key,
)
from dinghuo.customers.services.locations import COUNTRIES, create_location, update_location
from dinghuo.customers.services.users import (
    create_company_user,
    resend_company_user_invitation,
    revoke_company_user_invitation,
    update_company_user,
)

__all__ = [
    "COUNTRIES",
    "MAX_TERMS_DAYS",
    "LockedCredit",
    "activate_company",
    "change_invoice_exposure",
    "change_order_exposure",
    "create_company",
    "create_company_user",
    "create_customer_group",
    "create_location",
    "credit_terms_errors",
    "deactivate_company",
    "issue_buyer_api_key",
    "issue_staff_api_key",
    "lock_credit_line",
    "receivables_source",
    "resend_company_user_invitation",
    "reset_invoice_exposure",
    "revoke_any_api_key",
    "revoke_buyer_api_key",
    "revoke_company_user_invitation",
    "set_overdue_grace_days",
    "set_receivables_source",
    "set_tax_exemption",
    "sync_receivables",
    "take_credit",
    "update_company",
    "update_company_user",
    "update_credit_line",
    "update_customer_group",
    "update_location",
]
