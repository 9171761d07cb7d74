"""Photos on a return request through the buyer API: JPEG, PNG and WebP images (checked by
their content, not their name) up to 5 MB each and five a return, while the return waits for
a decision; a thumbnail made once; refusals with stable codes that change nothing; another
company's buyer finds nothing."""

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from dinghuo.customers.models import Company
from dinghuo.integrations.models import Event
from dinghuo.returns import photos
from dinghuo.returns.models import ReturnPhoto
from tests.builders import ApiClient, World, add_buyer
from tests.returns.support import ask, delivered_order, set_policy


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    """Photos stored in a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def image(kind: str = "JPEG", size: tuple[int, int] = (1200, 800), mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, (200, 30, 30) if mode == "RGB" else (200, 30, 30, 128)).save(out, kind)
    return out.getvalue()


def upload(client: ApiClient, return_id: int, *files: tuple[str, bytes], key: str | None = None):
    """POST the files as the form's `file` fields (each file named as given)."""
    headers = dict(client.headers)
    if key:
        headers["Idempotency-Key"] = key
    sent = [SimpleUploadedFile(name, content) for name, content in files]
    return client.client.post(
        f"/api/v1/my/returns/{return_id}/photos", {"file": sent}, headers=headers
    )


def requested(world: World) -> tuple[int, ApiClient]:
    """A request waiting for a clerk, asked by a buyer (whose API client is returned)."""
    set_policy(world, auto_approve_limit=None)
    order_id = delivered_order(world, ("A-1", 5))
    _, buyer = add_buyer(world, "bea@buyer.example")
    r = ask(world, order_id, (1, 2, "damaged"), client=buyer, mine=True)
    assert r.status_code == 201, r.json()
    return r.json()["id"], buyer


def test_a_buyer_attaches_photos_of_each_kind_with_a_thumbnail(world: World, media: Path) -> None:
    return_id, buyer = requested(world)
    r = upload(
        buyer,
        return_id,
        ("dent.jpg", image("JPEG")),
        ("label.png", image("PNG", (400, 300), "RGBA")),
        ("box.webp", image("WEBP", (300, 500))),
        key="p1",
    )
    assert r.status_code == 201, r.json()
    shown = r.json()["photos"]
    assert [(p["number"], p["content_type"], p["width"], p["height"]) for p in shown] == [
        (1, "image/jpeg", 1200, 800),
        (2, "image/png", 400, 300),
        (3, "image/webp", 300, 500),
    ]
    first = ReturnPhoto.objects.get(number=1)
    assert first.image.name.startswith(f"returns/{world.tenant.pk}/{return_id}/")
    assert (media / first.image.name).read_bytes()[:3] == b"\xff\xd8\xff"
    with Image.open(media / first.thumbnail.name) as thumb:
        assert thumb.format == "JPEG" and thumb.size == (320, 213)
    assert Event.objects.filter(type="return.photos_added").count() == 1
    # The same key and files again: the same answer, no more photos.
    again = upload(
        buyer,
        return_id,
        ("dent.jpg", image("JPEG")),
        ("label.png", image("PNG", (400, 300), "RGBA")),
        ("box.webp", image("WEBP", (300, 500))),
        key="p1",
    )
    assert again.status_code == 201 and ReturnPhoto.objects.count() == 3
    assert buyer.get(f"/my/returns/{return_id}").json()["photos"] == shown


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("notes.jpg", b"this is text, not a photo", "photo_not_image"),
        ("anim.png", b"GIF89a" + b"\0" * 40, "photo_not_image"),
        ("cut.jpg", image("JPEG")[:400], "photo_not_image"),
        ("huge.jpg", image("JPEG") + b"\0" * photos.MAX_BYTES, "photo_too_large"),
    ],
)
def test_what_is_not_a_photo_we_take_is_refused_and_changes_nothing(
    world: World, media: Path, name: str, content: bytes, code: str
) -> None:
    return_id, buyer = requested(world)
    r = upload(buyer, return_id, ("fine.jpg", image("JPEG")), (name, content))
    assert r.status_code == 422, r.json()
    assert [(e["field"], e["code"]) for e in r.json()["errors"]] == [("file[1]", code)]
    assert not ReturnPhoto.objects.exists()
    assert not any(media.rglob("*.*"))


def test_a_gif_is_refused_even_when_named_jpg(world: World) -> None:
    out = io.BytesIO()
    Image.new("P", (20, 20)).save(out, "GIF")
    return_id, buyer = requested(world)
    r = upload(buyer, return_id, ("photo.jpg", out.getvalue()))
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "photo_not_image"


def test_a_small_file_claiming_huge_dimensions_is_too_large(world: World) -> None:
    out = io.BytesIO()
    Image.new("1", (8000, 6000)).save(out, "PNG")  # 48 megapixels in a few kB
    assert len(out.getvalue()) < 100_000
    return_id, buyer = requested(world)
    r = upload(buyer, return_id, ("plan.png", out.getvalue()))
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "photo_too_large"


def test_at_most_five_photos_a_return(world: World) -> None:
    return_id, buyer = requested(world)
    small = image("JPEG", (50, 50))
    assert upload(buyer, return_id, *[(f"{i}.jpg", small) for i in range(4)]).status_code == 201
    r = upload(buyer, return_id, ("5.jpg", small), ("6.jpg", small))
    assert r.status_code == 422
    assert r.json()["errors"] == [
        {
            "field": "photos",
            "code": "too_many_photos",
            "message": "At most 5 photos a return",
            "max": 5,
            "left": 1,
        }
    ]
    assert ReturnPhoto.objects.count() == 4
    assert upload(buyer, return_id, ("5.jpg", small)).status_code == 201
    r = upload(buyer, return_id, *[(f"{i}.jpg", small) for i in range(6)])
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "too_many_photos"
    assert upload(buyer, return_id).json()["code"] == "validation_failed"  # no file at all


def test_photos_only_while_the_return_waits_for_a_decision(world: World) -> None:
    return_id, buyer = requested(world)
    assert world.client().post(f"/returns/{return_id}/approve", {}).status_code == 200
    r = upload(buyer, return_id, ("late.jpg", image("JPEG", (50, 50))))
    assert r.status_code == 409 and r.json()["code"] == "invalid_return_status"
    assert not ReturnPhoto.objects.exists()


def test_another_companys_buyer_and_a_staff_key_attach_nothing(world: World) -> None:
    return_id, _ = requested(world)
    neighbour = Company.objects.create(
        tenant=world.tenant, code="C999", name="Neighbour", price_list=world.price_list
    )
    _, nina = add_buyer(world, "nina@neighbour.example", company=neighbour)
    r = upload(nina, return_id, ("mine.jpg", image("JPEG", (50, 50))))
    assert r.status_code == 404
    r = upload(world.client(), return_id, ("mine.jpg", image("JPEG", (50, 50))))
    assert r.status_code == 403 and r.json()["code"] == "buyer_key_required"
    assert not ReturnPhoto.objects.exists()


def test_a_photo_asked_under_another_or_an_impossible_return_is_not_found(world: World) -> None:
    from dinghuo.core.errors import NotFound
    from dinghuo.returns import queries

    return_id, buyer = requested(world)
    assert upload(buyer, return_id, ("dent.jpg", image()), key="p1").status_code == 201
    photo = ReturnPhoto.objects.get()
    tenant = world.tenant.pk
    assert queries.return_photo(tenant, return_id, photo.pk).pk == photo.pk
    for wrong in (return_id + 1, 10**30):  # another return; beyond any row id
        with pytest.raises(NotFound):
            queries.return_photo(tenant, wrong, photo.pk)
