"""The buyer's side of a PunchOut: the start page a procurement system opens (signs the
buyer in, in a punchout session) and sending the cart back to the procurement system.

While the Django session holds `punchout` (the session's id), the cart offers "Transfer cart
to your purchasing system" instead of checkout, and checkout sends the buyer back to the cart.
The transfer answers a page whose form posts the PunchOutOrderMessage (field
`cxml-urlencoded`) to the procurement system's BrowserFormPost URL: a small script of ours
submits it at once, and without JavaScript the buyer presses its button. That page's
Content-Security-Policy allows the form to post to that one origin and nowhere else.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from dinghuo.core import refusals
from dinghuo.core.errors import DomainError, TenantSuspended
from dinghuo.core.views import SESSION_LANGUAGE_KEY
from dinghuo.pages.skus import sku_names
from dinghuo.portal.access import BuyerRequest, buyer_required
from dinghuo.portal.views_cart import SESSION_KEY_PUNCHOUT as SESSION_KEY
from dinghuo.punchout import queries as punchout_queries
from dinghuo.punchout import services as punchout
from dinghuo.two_factor import signin as two_factor_signin

XML_LANGUAGES = {"en": "en", "zh-hant": "zh-Hant", "zh-hans": "zh-Hans"}


def in_punchout(request: HttpRequest) -> bool:
    """Whether this visit is a punchout session (its cart goes back, it is not checked out)."""
    return SESSION_KEY in request.session


def page_language(xml_lang: str) -> str:
    """The pages' language for a cXML xml:lang: Traditional Chinese for zh-Hant, zh-TW,
    zh-HK and zh-MO, Simplified for other Chinese, else English."""
    tag = xml_lang.lower().replace("_", "-")
    if not tag.startswith("zh"):
        return "en"
    return "zh-hant" if any(p in tag for p in ("hant", "-tw", "-hk", "-mo")) else "zh-hans"


@require_GET
@never_cache
def start(request: HttpRequest, token: str) -> HttpResponseBase:
    """The start page of a PunchOutSetupResponse: once, soon after the setup, it signs the
    buyer in for the session and opens the catalogue (create) or the cart it loaded (edit,
    inspect). A link used, expired or unknown answers 410 with a page saying so."""
    try:
        entered = punchout.enter_session(token=token[:100])
    except TenantSuspended:
        raise  # the page saying the seller is suspended (core.suspension), not "link used"
    except DomainError as error:
        context = {
            "title": gettext_lazy("This link cannot be used"),
            "explanation": " ".join(refusals.messages(error, audience=refusals.BUYER)),
            "hint": gettext_lazy("Start again from your purchasing system."),
            "testid": "punchout-link-refused",
        }
        return render(request, "layout/error.html", context, status=410)
    session = entered.session
    login(request, session.company_user.user, backend=settings.AUTHENTICATION_BACKENDS[0])
    # The procurement system signed the buyer in and vouches for them (two_factor.signin).
    two_factor_signin.vouch(request)
    language = page_language(session.language)
    request.session[SESSION_KEY] = session.pk
    request.session[SESSION_LANGUAGE_KEY] = language
    if entered.not_loaded:
        with translation.override(language):
            messages.warning(
                request,
                gettext("These items could not be put in the cart: %(skus)s")
                % {"skus": ", ".join(entered.not_loaded)},
            )
    target = "portal:catalogue" if session.operation == "create" else "portal:cart"
    response = redirect(target)
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, samesite="Lax")
    return response


@require_POST
@buyer_required
def transfer(request: BuyerRequest) -> HttpResponseBase:
    """Send the cart back: end the punchout session, sign the buyer out, and answer the page
    that posts the PunchOutOrderMessage to the procurement system."""
    buyer = request.buyer
    session = punchout_queries.open_session(request.session.get(SESSION_KEY), buyer.company_user_id)
    if session is None:
        request.session.pop(SESSION_KEY, None)
        messages.error(request, gettext("This PunchOut session has ended."))
        return redirect("portal:cart")
    language = translation.get_language() or "en"
    try:
        sent = punchout.transfer_cart(
            tenant_id=buyer.tenant_id,
            session_id=session.pk,
            company_user_id=buyer.company_user_id,
            language=XML_LANGUAGES.get(language, "en"),
            names=lambda ids: sku_names(buyer.tenant_id, ids),
        )
    except DomainError as error:
        messages.error(request, " ".join(refusals.messages(error, audience=refusals.BUYER)))
        return redirect("portal:cart")
    logout(request)
    del request.buyer  # signed out: the page's header names nobody
    return _posting_page(request, sent)


def _posting_page(request: HttpRequest, sent: punchout.Transfer) -> HttpResponse:
    response = render(
        request,
        "portal/punchout_transfer.html",
        {"url": sent.url, "document": sent.document.decode()},
    )
    target = urlsplit(sent.url)
    # django-csp adds this to the page's form-action for this answer only.
    response._csp_update = {"form-action": [f"{target.scheme}://{target.netloc}"]}  # type: ignore[attr-defined]
    return response
