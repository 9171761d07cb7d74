"""A file sent to the API: as a multipart form's `file` field, or as the request body itself.
Imports (bank statements, exchange rates) take both, so a client can use `curl -F` or send
the file as it is; this is the one reader of such uploads and of their OpenAPI description."""

from collections.abc import Callable, Iterable
from typing import Any

from django.http import HttpRequest
from django.http.multipartparser import MultiPartParserError
from ninja.errors import HttpError


def upload_body(description: str, raw_types: Iterable[str]) -> dict[str, Any]:
    """The `openapi_extra` of an upload route: the form with its `file`, or the raw file."""
    binary = {"type": "string", "format": "binary"}
    return {
        "requestBody": {
            "required": True,
            "description": description,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {"file": binary},
                        "required": ["file"],
                    }
                },
                **{kind: {"schema": binary} for kind in raw_types},
            },
        }
    }


def uploaded(
    request: HttpRequest, max_bytes: int, too_large: Callable[[], Exception]
) -> tuple[bytes, str]:
    """The file's bytes (empty when none came) and the name the form gave it (else "").
    `too_large()` is raised beyond `max_bytes`, before a form's file is read."""
    if request.content_type != "multipart/form-data":
        content, name = request.body, ""
    else:
        try:
            upload = request.FILES.get("file")
        except MultiPartParserError as error:  # no boundary, a damaged body
            raise HttpError(400, "The multipart form cannot be read.") from error
        if upload is None:
            return b"", ""
        if (upload.size or 0) > max_bytes:
            raise too_large()
        content, name = upload.read(), upload.name or ""
    if len(content) > max_bytes:
        raise too_large()
    return content, name
