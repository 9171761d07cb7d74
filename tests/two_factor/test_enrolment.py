"""Setting up two-step sign-in on one's own page: the QR code and the secret, a code from the
app (computed here by RFC 6238), ten recovery codes shown once, new codes, turning it off."""

from django.test import Client
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from dinghuo.two_factor import queries
from tests.backoffice.staffing import csrf_post, staff_client
from tests.portal.ordering import sign_in as buyer_signs_in
from tests.two_factor.support import enrol, recovery_codes_on, secret_on, totp

PAGE = "/staff/account/two-step/"


def test_staff_set_up_two_step_sign_in_with_a_code_from_their_app(world):
    staff = staff_client(world)
    off = staff.client.get(PAGE)
    assert off.status_code == 200
    assert 'data-testid="two-step-off"' in off.content.decode()

    assert csrf_post(staff.client, PAGE, {"action": "begin"})["Location"] == PAGE
    setting_up = staff.client.get(PAGE)
    html = setting_up.content.decode()
    secret = secret_on(setting_up)
    # 160 random bits: 32 base32 letters, shown in eight groups of four.
    assert len(secret) == 32 + 7 and all(len(g) == 4 for g in secret.split(" "))
    assert '<div class="qr-code" data-testid="qr-code"><svg' in html
    assert "<script" not in html.split('data-testid="qr-code"')[1].split("</div>")[0]
    assert not queries.is_enrolled(staff.member.user.pk)

    done = csrf_post(staff.client, PAGE, {"action": "confirm", "code": totp(secret)})
    assert done.status_code == 302
    assert queries.is_enrolled(staff.member.user.pk)
    page = staff.client.get(PAGE)
    codes = recovery_codes_on(page)
    assert len(codes) == len(set(codes)) == 10
    assert all(len(c) == 9 and c[4] == "-" for c in codes)
    # The session that set it up counts as having passed the second step: pages stay open.
    assert staff.client.get("/staff/").status_code == 200


def test_a_wrong_first_code_turns_nothing_on(world):
    staff = staff_client(world)
    csrf_post(staff.client, PAGE, {"action": "begin"})
    secret = secret_on(staff.client.get(PAGE))
    right = totp(secret)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    for code in (wrong, "12345", "abcdefgh", ""):
        answer = csrf_post(staff.client, PAGE, {"action": "confirm", "code": code})
        assert answer.status_code == 422
    assert not queries.is_enrolled(staff.member.user.pk)
    assert StaticToken.objects.count() == 0
    # The same secret is still being set up: the app need not be scanned again.
    assert secret_on(staff.client.get(PAGE)) == secret


def test_recovery_codes_are_shown_until_kept_and_download_as_text(world):
    staff = staff_client(world)
    _, codes = enrol(staff.client, PAGE)
    download = staff.client.get(PAGE + "recovery-codes.txt")
    assert download.status_code == 200
    assert download["Content-Type"] == "text/plain; charset=utf-8"
    assert download["Content-Disposition"] == 'attachment; filename="recovery-codes.txt"'
    assert [c for c in codes if c in download.content.decode()] == codes

    assert csrf_post(staff.client, PAGE, {"action": "kept"}).status_code == 302
    page = staff.client.get(PAGE).content.decode()
    assert recovery_codes_on(staff.client.get(PAGE)) == []
    assert 'data-testid="codes-left">10<' in page
    assert staff.client.get(PAGE + "recovery-codes.txt").status_code == 404


def test_new_recovery_codes_need_a_code_and_replace_the_old_ones(world):
    staff = staff_client(world)
    secret, old = enrol(staff.client, PAGE)
    csrf_post(staff.client, PAGE, {"action": "kept"})

    refused = csrf_post(staff.client, PAGE, {"action": "renew", "code": "000000"})
    assert refused.status_code == 422
    assert sorted(StaticToken.objects.values_list("token", flat=True)) == sorted(
        c.replace("-", "") for c in old
    )

    renewed = csrf_post(
        staff.client, PAGE, {"action": "renew", "code": totp(secret, steps_ahead=1)}
    )
    assert renewed.status_code == 302
    new = recovery_codes_on(staff.client.get(PAGE))
    assert len(new) == 10 and not set(new) & set(old)
    assert StaticToken.objects.count() == 10


def test_turning_two_step_sign_in_off_asks_for_a_code(world):
    staff = staff_client(world)
    _, codes = enrol(staff.client, PAGE)
    refused = csrf_post(staff.client, PAGE, {"action": "off", "code": "000000"})
    assert refused.status_code == 422
    assert queries.is_enrolled(staff.member.user.pk)

    # A recovery code proves it too (the phone may be lost).
    assert csrf_post(staff.client, PAGE, {"action": "off", "code": codes[0]}).status_code == 302
    assert not queries.is_enrolled(staff.member.user.pk)
    assert TOTPDevice.objects.count() == StaticToken.objects.count() == 0
    assert staff.client.get("/staff/").status_code == 200


def test_buyers_have_the_same_page_in_the_portal(world):
    buyer = buyer_signs_in(world)
    catalogue = buyer.client.get("/catalogue/").content.decode()
    assert 'href="/account/two-step/" data-testid="two-step-link"' in catalogue
    enrol(buyer.client, "/account/two-step/")
    assert queries.is_enrolled(buyer.member.user.pk)
    assert buyer.client.get("/catalogue/").status_code == 200


def test_the_back_office_header_links_to_the_page(world):
    staff = staff_client(world)
    assert 'href="/staff/account/two-step/" data-testid="two-step-link"' in (
        staff.client.get("/staff/").content.decode()
    )
    # The page belongs to each door: a buyer does not reach the staff one.
    buyer = buyer_signs_in(world)
    assert buyer.client.get(PAGE).status_code == 403
    assert Client().get(PAGE)["Location"] == "/staff/signin/?next=/staff/account/two-step/"
