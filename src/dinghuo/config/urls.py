from django.contrib import admin
from django.urls import include, path

from dinghuo.config.api import api
from dinghuo.core import views as core_views
from dinghuo.pages import media
from dinghuo.two_factor import admin_door

# Requests Django finds malformed get the same styled page as those the input guard refuses
# (core.input_guard.bad_request, through config/errors.py). A database that went away answers
# 503 with Retry-After, not 500 nor 400 (config/errors.py).
handler400 = "dinghuo.config.errors.bad_request"
handler403 = "dinghuo.config.errors.permission_denied"
handler404 = "dinghuo.config.errors.page_not_found"
handler500 = "dinghuo.config.errors.server_error"

urlpatterns = [
    # The admin signs in through the same two steps as the other doors (two_factor/admin_door.py).
    path("admin/login/", admin_door.sign_in, name="admin-sign-in"),
    path("admin/login/code/", admin_door.sign_in_code, name="admin-sign-in-code"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    # The layout's language switch (Django's set_language, the choice also kept on the
    # session); Django's own view stays at i18n/setlang/ for anything that expects it.
    path("i18n/language/", core_views.set_language, name="set-language"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("brand/<int:tenant_id>.css", core_views.brand_stylesheet, name="brand-stylesheet"),
    path("brand/<int:tenant_id>/logo", core_views.brand_logo, name="brand-logo"),
    path("media/products/<path:name>", media.product_picture, name="product-picture"),
    path("operator/", include("dinghuo.operators.urls")),
    path("account/", include("dinghuo.accounts.urls")),
    # Passkeys (two_factor/passkey_views.py): the script of the two-step and sign-in pages.
    path("two-step/", include("dinghuo.two_factor.urls")),
    path("staff/", include("dinghuo.backoffice.urls")),
    path("punchout/cxml/", include("dinghuo.punchout.urls")),
    path("mail/", include("dinghuo.notifications.urls")),
    path("", include("dinghuo.portal.urls")),
]
