"""Guards in front of the API that no endpoint should have to repeat."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from dinghuo.api.problems import HTTP_ERROR_CODES, problem


class ApiProblemMiddleware:
    """Keep every API error a problem+json answer, even those made outside the API's views.

    Django answers unknown routes and methods with HTML, and `core.input_guard` refuses
    unreadable input (NUL characters) with an HTML page; those are rewritten here.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        response = self.get_response(request)
        if response.status_code >= 400 and not response.get("Content-Type", "").startswith(
            ("application/problem+json", "application/json")
        ):
            status = response.status_code
            code = HTTP_ERROR_CODES.get(status, "internal_error" if status >= 500 else "http_error")
            rewritten = problem(status, code, code.replace("_", " ").capitalize(), "See code.")
            if response.has_header("Allow"):
                rewritten["Allow"] = response["Allow"]
            return rewritten
        return response
