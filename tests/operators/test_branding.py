"""A tenant's branding: colours checked for white text, shown through a cached stylesheet;
a logo must be a real PNG or JPEG; both reach the pages and the PDF documents."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from dinghuo.core import branding
from dinghuo.core.models import Tenant
from dinghuo.core.pdf import Document
from tests.backoffice.staffing import csrf_post, staff_client
from tests.builders import World

pytestmark = pytest.mark.django_db


def png(size: tuple[int, int] = (40, 20)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (31, 78, 121)).save(out, format="PNG")
    return out.getvalue()


def test_the_contrast_rule_is_wcag_aa_for_white_text() -> None:
    assert round(branding.contrast_with_white("#000000"), 2) == 21.0
    assert (
        round(branding.contrast_with_white("#767676"), 2) == 4.54
    )  # the lightest grey that passes
    assert branding.colour_errors("c", "#767676") == []
    assert [e.code for e in branding.colour_errors("c", "#777777")] == ["colour_unreadable"]
    assert [e.code for e in branding.colour_errors("c", "#12345")] == ["invalid_colour"]
    assert [e.code for e in branding.colour_errors("c", "1f4e79")] == ["invalid_colour"]
    assert branding.colour_errors("c", "") == []


def test_an_unreadable_colour_is_refused_on_the_form_and_nothing_changes(world: World) -> None:
    staff = staff_client(world)

    answer = csrf_post(
        staff.client,
        "/staff/branding/",
        {"display_name": "Acme", "primary_colour": "#ffff00", "accent_colour": "#8a4b08"},
    )

    assert answer.status_code == 422
    assert b"White text on this colour is hard to read" in answer.content
    tenant = Tenant.objects.get(pk=world.tenant.pk)
    assert (tenant.display_name, tenant.primary_colour, tenant.brand_version) == ("", "", 1)


def test_saved_colours_are_in_the_stylesheet_the_pages_link(world: World) -> None:
    staff = staff_client(world)
    saved = csrf_post(
        staff.client,
        "/staff/branding/",
        {"display_name": "Acme Tools 工具", "primary_colour": "#1A5E20", "accent_colour": ""},
    )
    assert saved.status_code == 302

    page = staff.client.get("/staff/").content.decode()
    tenant_id = world.tenant.pk
    assert f'href="/brand/{tenant_id}.css?v=2"' in page
    assert "Acme Tools 工具" in page
    css = staff.client.get(f"/brand/{tenant_id}.css")
    assert css["Content-Type"] == "text/css; charset=utf-8"
    assert "--brand-primary: #1a5e20;" in css.content.decode()
    assert f"--brand-accent: {branding.DEFAULT_ACCENT};" in css.content.decode()
    assert css["ETag"] == f'"brand-{tenant_id}-2"'
    cached = staff.client.get(f"/brand/{tenant_id}.css", HTTP_IF_NONE_MATCH=css["ETag"])
    assert cached.status_code == 304


def test_a_logo_that_is_not_an_image_is_refused(world: World) -> None:
    staff = staff_client(world)
    fake = SimpleUploadedFile("logo.png", b"<svg onload='alert(1)'/>", content_type="image/png")

    answer = csrf_post(
        staff.client,
        "/staff/branding/",
        {"display_name": "", "primary_colour": "", "accent_colour": "", "logo": fake},
    )

    assert answer.status_code == 422
    assert b"The logo must be a PNG or JPEG image of at most 512 KB." in answer.content
    assert Tenant.objects.get(pk=world.tenant.pk).logo == ""


def test_a_logo_is_stored_under_a_safe_name_served_and_printed(world: World) -> None:
    staff = staff_client(world)
    upload = SimpleUploadedFile("../../evil name.png", png(), content_type="image/png")
    saved = csrf_post(
        staff.client,
        "/staff/branding/",
        {"display_name": "", "primary_colour": "#1f4e79", "accent_colour": "", "logo": upload},
    )
    assert saved.status_code == 302

    logo = Tenant.objects.get(pk=world.tenant.pk).logo
    assert logo.startswith(f"brand/{world.tenant.pk}-") and logo.endswith(".png")
    served = staff.client.get(f"/brand/{world.tenant.pk}/logo")
    assert served["Content-Type"] == "image/png"
    assert b"".join(served.streaming_content) == png()

    branded = Document(None, footer_text="INV-1", brand=branding.brand_for(world.tenant.pk))
    branded.set_compression(False)
    branded.add_page()
    printed = bytes(branded.output())
    assert b"/Subtype /Image" in printed
    assert b"0.1216 0.3059 0.4745 rg" in printed  # the band in #1f4e79
    plain = Document(None, footer_text="INV-1")
    plain.set_compression(False)
    plain.add_page()
    assert b"/Subtype /Image" not in bytes(plain.output())


def test_brand_for_names_the_tenant_and_falls_back_to_defaults(world: World) -> None:
    brand = branding.brand_for(world.tenant.pk)

    assert brand is not None
    assert (brand.name, brand.primary, brand.accent, brand.logo) == (
        "Acme Wholesale",
        branding.DEFAULT_PRIMARY,
        branding.DEFAULT_ACCENT,
        "",
    )
    assert branding.brand_for(world.tenant.pk + 1000) is None
