"""Your sessions: where one is signed in (device, address, when), this one marked, and
signing out everywhere else."""

from django.test import Client

from dinghuo.accounts.models import SignedInSession
from tests.accounts.support import post
from tests.builders import add_buyer

PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) AppleWebKit/605.1.15 Version/17.0 Safari/604.1"
DESKTOP = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36"


def test_the_sessions_are_listed_and_the_others_signed_out(world):
    member, _ = add_buyer(world, "mei@buyer.test")
    phone = Client(HTTP_USER_AGENT=PHONE, REMOTE_ADDR="203.0.113.7")
    phone.force_login(member.user)
    phone.get("/catalogue/")
    desk = Client(enforce_csrf_checks=True, HTTP_USER_AGENT=DESKTOP, REMOTE_ADDR="198.51.100.2")
    desk.force_login(member.user)
    desk.get("/catalogue/")

    html = desk.get("/account/sessions/").content.decode()

    assert html.count('data-testid="session"') == 2
    assert "Safari · iPhone" in html and "203.0.113.7" in html
    assert "Chrome · Windows" in html and "198.51.100.2" in html
    assert html.count('data-testid="this-session"') == 1
    assert html.index("this-session") > html.index("Chrome · Windows")

    r = post(desk, "/account/sessions/")

    assert r.status_code == 302
    assert phone.get("/catalogue/").status_code == 302
    assert desk.get("/catalogue/").status_code == 200
    html = desk.get("/account/sessions/").content.decode()
    assert html.count('data-testid="session"') == 1 and "203.0.113.7" not in html
    assert SignedInSession.objects.filter(user=member.user).count() == 1


def test_the_page_needs_a_signed_in_person(world):
    r = Client().get("/account/sessions/")
    assert r.status_code == 302 and r["Location"].startswith("/signin/")
