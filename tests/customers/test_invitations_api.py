"""Invitations over the API: staff and a company's admin send a user's invitation again or
withdraw it; the user's answer says whether one waits, and until when its link works."""

from django.core.management import call_command

from dinghuo.accounts.models import Invitation
from dinghuo.customers.models import CompanyUser
from tests.builders import add_buyer
from tests.customers.state import customer_state


def _invite(world, email="mei@buyer.test"):
    r = world.client().post(f"/companies/{world.company.pk}/users", {"email": email, "name": "Mei"})
    assert r.status_code == 201, r.json()
    return r.json()["id"]


def _worker():
    call_command("worker", "--once", stdout=open("/dev/null", "w"))  # noqa: SIM115


def _path(world, user_id):
    return f"/companies/{world.company.pk}/users/{user_id}/invitation"


def test_the_user_says_an_invitation_waits_and_until_when(world):
    user_id = _invite(world)
    assert world.client().get(f"/companies/{world.company.pk}/users/{user_id}").json()[
        "invitation"
    ] == {"sent_at": None, "expires_at": None}  # its mail is still queued

    _worker()

    invitation = Invitation.objects.get()
    answer = world.client().get(f"/companies/{world.company.pk}/users/{user_id}").json()
    assert answer["invitation"] == {
        "sent_at": invitation.sent_at.isoformat(),
        "expires_at": invitation.expires_at.isoformat(),
    }
    assert answer["has_password"] is False


def test_staff_send_an_invitation_again_with_a_new_link(world, inbox):
    user_id = _invite(world)
    _worker()
    first = Invitation.objects.get().token_hash

    r = world.client().post(_path(world, user_id))

    assert r.status_code == 200, r.json()
    assert r.json()["id"] == user_id and r.json()["invitation"] is not None
    _worker()
    assert len(inbox.to("mei@buyer.test")) == 2
    again = Invitation.objects.get()
    assert again.token_hash not in ("", first)  # the old link no longer works


def test_staff_withdraw_an_invitation_and_then_none_is_found(world):
    user_id = _invite(world)

    r = world.client().send("DELETE", _path(world, user_id))

    assert r.status_code == 200, r.json()
    assert r.json()["invitation"] is None and r.json()["has_password"] is False
    assert Invitation.objects.get().revoked_at is not None
    before = customer_state()
    again = world.client().send("DELETE", _path(world, user_id))
    assert again.status_code == 404 and again.json()["code"] == "invitation_not_found"
    assert customer_state() == before
    # Sent again after withdrawing: a new invitation waits.
    assert world.client().post(_path(world, user_id)).json()["invitation"] is not None
    assert Invitation.objects.filter(revoked_at__isnull=True).count() == 1


def test_a_user_who_joined_is_not_invited_again(world):
    member, _ = add_buyer(world, "ann@buyer.test")
    member.user.set_password("a-Long-and-Rare-passphrase-42")
    member.user.save()

    r = world.client().post(_path(world, member.pk))

    assert r.status_code == 409 and r.json()["code"] == "already_joined"
    assert not Invitation.objects.exists()


def test_a_user_switched_off_is_not_invited_again(world):
    user_id = _invite(world)
    CompanyUser.objects.filter(pk=user_id).update(is_active=False)
    _worker()
    sent = Invitation.objects.get().sent_at

    r = world.client().post(_path(world, user_id))

    assert r.status_code == 409 and r.json()["code"] == "company_user_inactive"
    _worker()
    assert Invitation.objects.get().sent_at == sent


def test_a_company_admin_sends_again_and_withdraws_naming_themself(world, inbox):
    _, admin_api = add_buyer(world, "ada@buyer.test", role="admin")
    user_id = _invite(world)
    _worker()

    r = admin_api.post(f"/my/users/{user_id}/invitation")

    assert r.status_code == 200, r.json()
    _worker()
    latest = inbox.to("mei@buyer.test")[-1]
    assert (
        "ada invites you to order from Acme Wholesale." in latest.get_body(("plain",)).get_content()
    )
    r = admin_api.send("DELETE", f"/my/users/{user_id}/invitation")
    assert r.status_code == 200 and r.json()["invitation"] is None


def test_a_buyer_who_is_not_an_admin_may_not(world):
    _, buyer_api = add_buyer(world, "ann@buyer.test")
    user_id = _invite(world)

    r = buyer_api.post(f"/my/users/{user_id}/invitation")
    gone = buyer_api.send("DELETE", f"/my/users/{user_id}/invitation")

    assert (r.status_code, r.json()["code"]) == (403, "company_admin_required")
    assert (gone.status_code, gone.json()["code"]) == (403, "company_admin_required")
    assert Invitation.objects.get().revoked_at is None


def test_another_companys_user_is_not_found(world):
    from tests.portal.ordering import second_company

    other = second_company(world)
    stranger, _ = add_buyer(world, "sam@buyer.test", company=other)
    _, admin_api = add_buyer(world, "ada@buyer.test", role="admin")

    assert admin_api.post(f"/my/users/{stranger.pk}/invitation").status_code == 404
    assert admin_api.send("DELETE", f"/my/users/{stranger.pk}/invitation").status_code == 404
    assert world.client().post(_path(world, stranger.pk)).status_code == 404
