"""Product pictures as files: public (a shop shows its goods), named by their content's hash
(`catalog.services.images`), so each answer may be cached for a year and never revalidated.

Only names under `products/` are served, and only as a plain path (no `..`): the other files
in the storage (returns' photos, logos) have their own views that check who asks. In
production a web server should serve `MEDIA_ROOT/products/` itself with the same headers
(docs/catalogue.md); this view is what a plain `dinghuo run` uses.
"""

from pathlib import PurePosixPath

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponseBase
from django.views.decorators.http import require_safe

YEAR = 365 * 24 * 3600
TYPES = {".webp": "image/webp", ".jpg": "image/jpeg", ".png": "image/png"}


@require_safe
def product_picture(request: HttpRequest, name: str) -> HttpResponseBase:
    path = PurePosixPath("products", name)
    if ".." in path.parts or path.suffix not in TYPES or not default_storage.exists(str(path)):
        raise Http404
    answer = FileResponse(default_storage.open(str(path)), content_type=TYPES[path.suffix])
    answer["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    answer["X-Content-Type-Options"] = "nosniff"
    return answer
