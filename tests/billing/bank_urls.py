"""The URLs of the bank reconciliation tests: the project's, with the bank routes of the API
(`billing.api.bank.router`, on an API object of its own) and the bank pages of the back office
added, as the lead wires them in `billing/api/__init__.py` and `backoffice/urls.py`."""

from django.urls import URLResolver, include, path

from dinghuo.api import problems
from dinghuo.api.auth import ApiKeyAuth
from dinghuo.api.root import DinghuoAPI, OrjsonParser, OrjsonRenderer
from dinghuo.backoffice import urls as backoffice_urls
from dinghuo.backoffice import views_bank
from dinghuo.billing.api import bank
from dinghuo.config import urls as project_urls

# The lines for backoffice/urls.py.
BANK_PAGES = [
    path("bank/", views_bank.statements, name="bank-statements"),
    path("bank/import/", views_bank.import_statement, name="bank-import"),
    path("bank/statements/<int:statement_id>/", views_bank.statement, name="bank-statement"),
    path("bank/queue/", views_bank.queue, name="bank-queue"),
    path("bank/lines/<int:line_id>/", views_bank.line, name="bank-line"),
    path("bank/lines/<int:line_id>/match/", views_bank.match, name="bank-match"),
    path("bank/lines/<int:line_id>/ignore/", views_bank.ignore, name="bank-ignore"),
]

bank_api = DinghuoAPI(
    title="Bank reconciliation (tests)",
    version="test",
    auth=ApiKeyAuth(),
    parser=OrjsonParser(),
    renderer=OrjsonRenderer(),
    urls_namespace="bank-test",
    docs_url=None,
    openapi_url=None,
)
problems.install(bank_api)
bank_api.add_router("/", bank.router)


def _not_staff(pattern: object) -> bool:
    return not (isinstance(pattern, URLResolver) and pattern.namespace == "backoffice")


urlpatterns = [
    path("staff/", include((backoffice_urls.urlpatterns + BANK_PAGES, "backoffice"))),
    *[p for p in project_urls.urlpatterns if _not_staff(p)],
    path("api/v1/", bank_api.urls),
]

handler400 = project_urls.handler400
handler403 = project_urls.handler403
handler404 = project_urls.handler404
handler500 = project_urls.handler500
