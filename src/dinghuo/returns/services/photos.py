"""Photos on a return request: the buyer attaches up to five (JPEG, PNG or WebP, at most
5 MB each, `returns.photos`) when asking or later, while the return waits for a decision.

The files go to Django's storage (MEDIA_ROOT), under the tenant's and the return's ids with
a random name, each with its thumbnail; the rows point at them. Files are checked before
the return is locked (decoding an image is the slow part) and written last, after every
check: a refused upload writes nothing, and files written before a failure of the same
step are removed. (A transaction that fails after this step leaves files no row points at:
Django has no hook on rollback; they are never served, and take the space of a photo.)
"""

from collections.abc import Sequence
from typing import Any
from uuid import uuid4

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from dinghuo.core import clock
from dinghuo.core.errors import FieldError, ValidationFailed
from dinghuo.integrations import events
from dinghuo.orders.models import Order
from dinghuo.returns import photos
from dinghuo.returns.models import ReturnPhoto, ReturnRequest, ReturnStatus
from dinghuo.returns.services.shared import locked_return, require_status, return_event


def checked_photos(sent: Sequence[photos.Photo], *, field: str = "photos") -> list[photos.Checked]:
    """Every photo checked (`returns.photos.check`); 422 with every problem at once
    (`photos[i]`: `photo_not_image`, `photo_too_large`; `too_many_photos` for more than
    five). Nothing is locked or written."""
    checked, errors = photo_problems(sent, field=field)
    if errors:
        raise ValidationFailed("The photos cannot be attached; see errors.", errors=errors)
    return checked


def photo_problems(
    sent: Sequence[photos.Photo], *, field: str = "photos"
) -> tuple[list[photos.Checked], list[FieldError]]:
    """The photos that pass (`returns.photos.check`) and every problem of the others, and
    `too_many_photos` for more than five."""
    errors: list[FieldError] = []
    problem = photos.count_problem(0, len(sent))
    if problem is not None:
        errors.append(problem)
    checked: list[photos.Checked] = []
    for i, photo in enumerate(sent):
        result = photos.check(photo, f"{field}[{i}]")
        if isinstance(result, FieldError):
            errors.append(result)
        else:
            checked.append(result)
    return checked, errors


def store_photos(
    request: ReturnRequest, checked: list[photos.Checked], uploaded_by_id: int | None
) -> list[ReturnPhoto]:
    """Write the checked photos and their thumbnails of a locked request (caller's
    transaction) after the ones it has; 422 `too_many_photos` beyond five."""
    already = request.photos.count()
    problem = photos.count_problem(already, len(checked))
    if problem is not None:
        raise ValidationFailed("The photos cannot be attached; see errors.", errors=[problem])
    folder = f"returns/{request.tenant_id}/{request.pk}"
    written: list[str] = []
    made = []
    now = clock.now()
    try:
        for number, photo in enumerate(checked, already + 1):
            name = uuid4().hex
            image = default_storage.save(
                f"{folder}/{name}.{photo.extension}", ContentFile(photo.content)
            )
            written.append(image)
            thumbnail = default_storage.save(
                f"{folder}/{name}-thumbnail.jpg", ContentFile(photo.thumbnail)
            )
            written.append(thumbnail)
            made.append(
                ReturnPhoto(
                    tenant_id=request.tenant_id,
                    request=request,
                    number=number,
                    image=image,
                    thumbnail=thumbnail,
                    content_type=photo.content_type,
                    size=len(photo.content),
                    width=photo.width,
                    height=photo.height,
                    uploaded_by_id=uploaded_by_id,
                    uploaded_at=now,
                )
            )
        return ReturnPhoto.objects.bulk_create(made)
    except BaseException:
        for name in written:
            default_storage.delete(name)
        raise


@transaction.atomic
def attach_photos(
    *,
    tenant_id: int,
    return_id: int,
    sent: Sequence[photos.Photo],
    company_id: int | None = None,
    uploaded_by_id: int | None = None,
) -> list[ReturnPhoto]:
    """Attach photos to a requested return (with `company_id`: that company's, else 404);
    at most five a return in all. 409 `invalid_return_status` once decided; 422 for the
    photos (`photo_required`, `photo_not_image`, `photo_too_large`, `too_many_photos`).
    Records `return.photos_added`."""
    checked = checked_photos(sent, field="file")  # before the lock: decoding takes time
    order, request = locked_return(tenant_id, return_id, company_id)
    require_status(request, ReturnStatus.REQUESTED)
    if not checked:  # said once the return is known to be the caller's (else 404)
        raise ValidationFailed(
            "Attach at least one photo.",
            errors=[FieldError("file", "photo_required", "Attach at least one photo")],
        )
    made = store_photos(request, checked, uploaded_by_id)
    events.record(photos_event(request, order, made))
    return made


def photos_event(request: ReturnRequest, order: Order, made: list[ReturnPhoto]) -> Any:
    """The unsaved `return.photos_added` of these photos."""
    return return_event(
        request,
        order,
        "return.photos_added",
        photos=[{"number": p.number, "content_type": p.content_type, "size": p.size} for p in made],
    )
