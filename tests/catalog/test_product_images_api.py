"""Product pictures through the API: a multipart upload answered with the picture's
addresses, bad files refused as problems (and nothing changed), list, reorder, remove."""

import io
import json
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from dinghuo.catalog.models import ProductImage
from tests.builders import World


def _png(color: str = "teal") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), color).save(out, "PNG")
    return out.getvalue()


def _upload(world: World, content: bytes, key: str | None = None, name: str = "a.png") -> Any:
    api = world.client()
    headers = dict(api.headers)
    if key:
        headers["Idempotency-Key"] = key
    path = f"/api/v1/products/{world.skus['A-1'].product_id}/images"
    return api.client.post(path, {"file": SimpleUploadedFile(name, content)}, headers=headers)


def test_an_upload_answers_with_the_pictures_addresses(world: World) -> None:
    answer = _upload(world, _png(), key="pic-1")
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["position"] == 1 and body["content_type"] == "image/png"
    assert (body["width"], body["height"]) == (640, 480)
    small = world.client().client.get(body["small_url"])
    assert small.status_code == 200 and "immutable" in small["Cache-Control"]
    again = _upload(world, _png(), key="pic-1")
    assert again.status_code == 201 and again.json()["id"] == body["id"]  # replayed
    assert ProductImage.objects.count() == 1


def test_bad_files_are_refused_as_problems(world: World) -> None:
    for content, code in [
        (b"just text, named .png", "not_an_image"),
        (_gif(), "image_format_unsupported"),
    ]:
        answer = _upload(world, content)
        assert answer.status_code == 422
        assert answer["Content-Type"] == "application/problem+json"
        assert answer.json()["errors"][0]["code"] == code
    api = world.client()
    missing = api.post(f"/products/{world.skus['A-1'].product_id}/images", {})
    assert missing.status_code == 422 and missing.json()["errors"][0]["code"] == "image_required"
    assert not ProductImage.objects.exists()


def _gif() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, "GIF")
    return out.getvalue()


def test_list_reorder_and_remove(world: World) -> None:
    first, second = (_upload(world, _png(c)).json()["id"] for c in ("teal", "orange"))
    api = world.client()
    path = f"/products/{world.skus['A-1'].product_id}/images"
    listed = api.get(path).json()["items"]
    assert [i["id"] for i in listed] == [first, second]
    order = api.send("PUT", f"{path}/order", json.dumps({"image_ids": [second, first]}))
    assert order.status_code == 200
    assert [i["id"] for i in order.json()["items"]] == [second, first]
    wrong = api.send("PUT", f"{path}/order", json.dumps({"image_ids": [second]}))
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["code"] == "image_order_mismatch"
    assert api.send("DELETE", f"{path}/{second}").status_code == 204
    assert [i["id"] for i in api.get(path).json()["items"]] == [first]
    assert api.send("DELETE", f"{path}/{second}").status_code == 404
