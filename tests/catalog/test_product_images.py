"""Product pictures: checked by their content, cleaned of metadata, copies made once, kept in
order (the first is the main one), every write audited and recorded; a refused upload
changes nothing."""

import io

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from dinghuo.audit.models import AuditEntry
from dinghuo.catalog import pictures
from dinghuo.catalog import services as catalog
from dinghuo.catalog.models import ProductImage
from dinghuo.core.errors import NotFound, ValidationFailed
from dinghuo.integrations.models import Event
from tests.builders import World


def picture(kind: str = "JPEG", size: tuple[int, int] = (1200, 800), exif: bool = False) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", size, (200, 40, 40))
    if exif:
        tags = Image.Exif()
        tags[0x8825] = {1: "N", 2: (22.0, 17.0, 0.0)}  # GPS
        tags[0x010F] = "Camera maker"
        image.save(out, kind, exif=tags)
    else:
        image.save(out, kind)
    return out.getvalue()


def _add(world: World, content: bytes, sku: str = "A-1") -> ProductImage:
    return catalog.add_product_image(
        tenant_id=world.tenant.pk, product_id=world.skus[sku].product_id, content=content
    )


def _refusal(world: World, content: bytes) -> str:
    with pytest.raises(ValidationFailed) as refused:
        _add(world, content)
    return refused.value.errors[0].code


def test_a_picture_is_kept_clean_with_its_two_copies(world: World) -> None:
    image = _add(world, picture(exif=True))
    assert image.position == 1 and image.content_type == "image/jpeg"
    with default_storage.open(image.original) as kept, Image.open(kept) as opened:
        assert opened.size == (1200, 800)
        assert not opened.getexif()  # no GPS, no camera
    for name, side in [(image.small, 160), (image.large, 480)]:
        with default_storage.open(name) as copy, Image.open(copy) as opened:
            assert opened.format == "WEBP" and max(opened.size) == side
    assert image.small.startswith(f"products/{world.tenant.pk}/{image.product_id}/")


def test_bad_uploads_are_refused_and_change_nothing(world: World) -> None:
    events = Event.objects.count()
    assert _refusal(world, b"%PDF-1.4 not a picture") == "not_an_image"
    assert _refusal(world, picture("GIF")) == "image_format_unsupported"
    assert _refusal(world, picture("PNG")[:200]) == "not_an_image"  # cut short
    assert _refusal(world, b"x" * (pictures.MAX_BYTES + 1)) == "image_too_large"
    assert _refusal(world, picture("PNG", (8000, 6000))) == "image_too_large"  # 48 MP
    assert ProductImage.objects.count() == 0 and Event.objects.count() == events


def test_a_picture_named_like_an_image_is_still_read_by_its_content(world: World) -> None:
    assert pictures.check(b"GIF89a but really text") != pictures.check(picture())
    assert isinstance(pictures.check(picture("PNG")), pictures.Picture)
    assert isinstance(pictures.check(picture("WEBP")), pictures.Picture)


def test_order_and_the_main_picture(world: World) -> None:
    first, second, third = (_add(world, picture(size=(300 + i, 300))) for i in range(3))
    product_id = world.skus["A-1"].product_id
    catalog.reorder_product_images(
        tenant_id=world.tenant.pk, product_id=product_id, image_ids=[third.pk, first.pk, second.pk]
    )
    order = list(ProductImage.objects.filter(product_id=product_id).values_list("pk", flat=True))
    assert order == [third.pk, first.pk, second.pk]
    catalog.delete_product_image(
        tenant_id=world.tenant.pk, product_id=product_id, image_id=third.pk
    )
    positions = list(
        ProductImage.objects.filter(product_id=product_id).values_list("pk", "position")
    )
    assert positions == [(first.pk, 1), (second.pk, 2)]
    with pytest.raises(ValidationFailed) as refused:
        catalog.reorder_product_images(
            tenant_id=world.tenant.pk, product_id=product_id, image_ids=[first.pk]
        )
    assert refused.value.errors[0].code == "image_order_mismatch"


def test_writes_are_audited_and_recorded(world: World) -> None:
    image = _add(world, picture())
    assert AuditEntry.objects.filter(object_type__endswith="productimage").count() == 1
    event = Event.objects.filter(type="product.images_changed").last()
    assert event is not None and event.payload["images"][0]["small"] == image.small


def test_another_tenants_product_is_not_found(world: World, other_world: World) -> None:
    with pytest.raises(NotFound):
        catalog.add_product_image(
            tenant_id=other_world.tenant.pk,
            product_id=world.skus["A-1"].product_id,
            content=picture(),
        )
    image = _add(world, picture())
    with pytest.raises(NotFound):
        catalog.delete_product_image(
            tenant_id=world.tenant.pk, product_id=world.skus["B-2"].product_id, image_id=image.pk
        )
