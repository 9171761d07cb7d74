"""A product's pictures in the back office: add one (a file chosen on the product's page),
remove one, make one the main picture. Thin pages over `catalog.services` (the API's routes
call the same), each answering with the product's page again and the service's refusal, if
any, in words (too large, not an image, a kind of image not taken)."""

from django.contrib import messages
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpResponseBase
from django.shortcuts import redirect
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from dinghuo.backoffice import changes
from dinghuo.backoffice.access import StaffRequest, staff_required
from dinghuo.backoffice.forms import error_messages
from dinghuo.catalog import pictures, services
from dinghuo.catalog import queries as catalog
from dinghuo.core.errors import DomainError, NotFound, ValidationFailed


def _refused(request: StaffRequest, error: DomainError) -> None:
    for sentence in error_messages(error):
        messages.error(request, sentence)


@require_POST
@staff_required(post="catalog.change")
def add_image(request: StaffRequest, product_id: int) -> HttpResponseBase:
    """Add the chosen file after the product's other pictures."""
    tenant_id = request.staff.tenant_id
    try:
        catalog.product_detail(tenant_id, product_id)  # another tenant's product: 404
    except NotFound as error:
        raise Http404 from error
    upload: UploadedFile | None = request.FILES.get("file")
    if upload is None:
        messages.error(request, gettext("Choose a picture to add."))
        return redirect("backoffice:product", product_id=product_id)
    try:
        if (upload.size or 0) > pictures.MAX_BYTES:  # refused before it is read
            raise ValidationFailed("The image cannot be added.", errors=[pictures.too_large()])
        content = upload.read()
        picture = services.images.checked(content)
        changes.run(
            lambda: services.add_product_image(
                tenant_id=tenant_id, product_id=product_id, content=content, picture=picture
            )
        )
    except DomainError as error:
        _refused(request, error)
    else:
        messages.success(request, gettext("The picture is added."))
    return redirect("backoffice:product", product_id=product_id)


@require_POST
@staff_required(post="catalog.change")
def change_image(request: StaffRequest, product_id: int, image_id: int) -> HttpResponseBase:
    """`action=main` makes the picture the first; `action=delete` removes it."""
    tenant_id = request.staff.tenant_id
    action = request.POST.get("action")
    try:
        if action == "delete":
            changes.run(
                lambda: services.delete_product_image(
                    tenant_id=tenant_id, product_id=product_id, image_id=image_id
                )
            )
            messages.success(request, gettext("The picture is removed."))
        else:
            ids = list(catalog.product_images(tenant_id, product_id).values_list("pk", flat=True))
            if image_id not in ids:
                raise Http404
            order = [image_id, *(i for i in ids if i != image_id)]
            changes.run(
                lambda: services.reorder_product_images(
                    tenant_id=tenant_id, product_id=product_id, image_ids=order
                )
            )
            messages.success(request, gettext("This is now the main picture."))
    except NotFound as error:
        raise Http404 from error
    except DomainError as error:
        _refused(request, error)
    return redirect("backoffice:product", product_id=product_id)
