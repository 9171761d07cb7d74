"""Product pictures on the back office's product page: added, made the main one, removed;
a file that is not a picture we take is refused in words and changes nothing."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from dinghuo.catalog.models import ProductImage
from tests.backoffice.staffing import csrf_post, staff_client
from tests.builders import World


def _file(kind: str = "PNG", name: str = "pack.png", color: str = "teal") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (500, 300), color).save(out, kind)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def test_staff_add_pictures_and_choose_the_main_one(world: World) -> None:
    staff = staff_client(world)
    product_id = world.skus["A-1"].product_id
    path = f"/staff/products/{product_id}/images/"
    for color in ("teal", "orange"):
        answer = csrf_post(staff.client, path, {"file": _file(color=color)}, follow=True)
        assert "The picture is added." in answer.content.decode()
    first, second = ProductImage.objects.filter(product_id=product_id)
    html = staff.client.get(f"/staff/products/{product_id}/").content.decode()
    assert f'src="/media/{first.small}"' in html and "Main picture" in html
    csrf_post(staff.client, f"{path}{second.pk}/", {"action": "main"})
    assert list(ProductImage.objects.filter(product_id=product_id)) == [second, first]
    csrf_post(staff.client, f"{path}{second.pk}/", {"action": "delete"})
    assert list(ProductImage.objects.filter(product_id=product_id)) == [first]


def test_a_file_that_is_not_a_picture_is_refused_in_words(world: World) -> None:
    staff = staff_client(world)
    path = f"/staff/products/{world.skus['A-1'].product_id}/images/"
    fake = SimpleUploadedFile("pack.png", b"not a picture at all", content_type="image/png")
    html = csrf_post(staff.client, path, {"file": fake}, follow=True).content.decode()
    assert "This file is not an image: send a JPEG, PNG or WebP picture." in html
    gif = _file("GIF", "pack.gif")
    html = csrf_post(staff.client, path, {"file": gif}, follow=True).content.decode()
    assert "This kind of image is not taken" in html
    assert not ProductImage.objects.exists()


def test_a_clerk_who_may_not_change_the_catalogue_cannot_add(world: World) -> None:
    staff = staff_client(world, role="warehouse")
    path = f"/staff/products/{world.skus['A-1'].product_id}/images/"
    assert csrf_post(staff.client, path, {"file": _file()}).status_code == 403
    assert not ProductImage.objects.exists()
