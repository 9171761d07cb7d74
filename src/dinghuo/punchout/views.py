"""The cXML endpoints a procurement system posts to: `POST /punchout/cxml/setup` (a
PunchOutSetupRequest) and `POST /punchout/cxml/order` (an OrderRequest).

Every answer is a cXML document (text/xml; charset=UTF-8) with HTTP 200 when it could be
written: as cXML intends, the transport succeeded and the document's Status says how the
request went (200, or 400 malformed, 401 credentials, 403 switched off, 406 not acceptable,
409 conflict, 560 busy, 500 our failure), with a sentence for a person, never a stack trace
or a page. A method other than POST is 405 with a cXML Status too. No session, no CSRF: the
caller is a server that proves itself with the shared secret.
"""

import logging
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from dinghuo.core import clock
from dinghuo.core.errors import Busy
from dinghuo.punchout import cxml, documents, queries, services

log = logging.getLogger(__name__)
CONTENT_TYPE = "text/xml; charset=UTF-8"


def _answer(document: bytes, status: int = 200) -> HttpResponse:
    response = HttpResponse(document, status=status, content_type=CONTENT_TYPE)
    response["Cache-Control"] = "no-store"
    return response


def _status(code: int, text: str) -> HttpResponse:
    return _answer(documents.status_response(code, text, clock.now()))


def _body(request: HttpRequest) -> bytes:
    """The document: the raw body, or the `cXML-urlencoded` form field some systems post."""
    try:
        body = request.body
    except RequestDataTooBig:
        raise cxml.malformed("The document is larger than 1 MB.") from None
    if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        for name in ("cXML-urlencoded", "cxml-urlencoded"):
            if name in request.POST:
                return request.POST[name].encode()
    return body


def _endpoint(
    handle: Callable[[HttpRequest, bytes], bytes],
) -> Callable[[HttpRequest], HttpResponse]:
    @csrf_exempt
    def view(request: HttpRequest) -> HttpResponse:
        if request.method != "POST":
            response = _status(405, "Post a cXML document to this address.")
            response.status_code = 405
            response["Allow"] = "POST"
            return response
        try:
            return _answer(handle(request, _body(request)))
        except cxml.CxmlRefusal as refusal:
            # For whoever sets up a buyer's connection: why its documents are refused.
            log.info("cXML %s refused: %s %s", request.path, refusal.code, refusal.text)
            return _status(refusal.code, refusal.text)
        except Busy:
            return _status(560, "The supplier is busy; send the request again shortly.")
        except Exception:
            log.exception("cXML request failed")
            if settings.DEBUG_PROPAGATE_EXCEPTIONS:
                raise
            return _status(500, "The supplier could not handle the request; nothing was changed.")

    view.__doc__ = handle.__doc__
    return view


def _setup(http: HttpRequest, body: bytes) -> bytes:
    """A PunchOutSetupRequest → a PunchOutSetupResponse with the one-time start page."""
    request = cxml.read_setup_request(body)
    connection = queries.authenticated(request.header)
    started = services.start_session(connection=connection, request=request)
    path = reverse("portal:punchout-start", args=[started.token])
    # The address the procurement system reached us at is the one its buyer's browser can.
    return documents.setup_response(http.build_absolute_uri(path), clock.now())


def _order(http: HttpRequest, body: bytes) -> bytes:
    """An OrderRequest → a Response 200 naming the order it became."""
    document = cxml.read_order_request(body)
    connection = queries.authenticated(document.header)
    placed = services.place_purchase_order(connection=connection, document=document)
    return documents.order_response(placed.text, clock.now())


setup = _endpoint(_setup)
order = _endpoint(_order)
