"""The Django admin wears a modern theme (django-unfold): its pages render for a superuser with
the theme's stylesheet, and that stylesheet is there to be served."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.contrib.staticfiles import finders
from django.test import Client

THEME_CSS = "unfold/css/styles.css"


@pytest.fixture
def superuser(db: None) -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("admin", "admin@example.com", "pw-123456"))
    return client


def test_the_admin_site_is_the_themed_one() -> None:
    from unfold.sites import UnfoldAdminSite

    assert isinstance(admin.site, UnfoldAdminSite)


def test_the_admin_index_and_a_changelist_render_with_the_theme(world, superuser) -> None:
    index = superuser.get("/admin/")
    changelist = superuser.get("/admin/pricing/pricelist/")
    assert (index.status_code, changelist.status_code) == (200, 200)
    for page in (index, changelist):
        assert f"/static/{THEME_CSS}" in page.content.decode()
    assert "std" in changelist.content.decode()
    assert "Dinghuo" in index.content.decode()


def test_the_themes_static_files_are_found() -> None:
    assert finders.find(THEME_CSS)
    assert finders.find("unfold/js/app.js")


def test_the_themed_sign_in_page_still_guards_the_admin(db: None) -> None:
    response = Client().get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    assert Client().get("/admin/login/").status_code == 200
