"""People: staff invite staff by e-mail; the invited person chooses a password and works in
the back office; staff are switched off, never themselves; an address is never said to
have an account elsewhere."""

from django.contrib.auth.models import User
from django.test import Client

from dinghuo.accounts.models import Invitation
from dinghuo.backoffice.models import StaffMember
from tests.accounts.support import PASSWORD, link_in, only_mail_to, run_worker, text_of
from tests.backoffice.staffing import csrf_post, make_staff, staff_client


def invite(client, capture, email="lin@seller.test", name="Lin"):
    with capture(execute=True):
        return csrf_post(client, "/staff/people/invite/", {"email": email, "name": name})


def test_staff_invite_a_person_who_joins_the_back_office(
    world, inbox, django_capture_on_commit_callbacks
):
    sam = staff_client(world)

    r = invite(sam.client, django_capture_on_commit_callbacks)

    assert r.status_code == 302 and r["Location"] == "/staff/people/"
    html = sam.client.get("/staff/people/").content.decode()
    assert 'data-testid="staff-lin@seller.test"' in html and 'data-testid="invited"' in html
    run_worker()
    mail = only_mail_to(inbox, "lin@seller.test")
    assert mail["Subject"] == "You are invited to the back office of Acme Wholesale"
    assert "Sam Staff invites you to work in the back office of Acme Wholesale." in text_of(mail)
    client = Client(enforce_csrf_checks=True)
    link = link_in(mail)
    r = csrf_post(client, link, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert r.status_code == 302 and r["Location"] == "/staff/"
    assert client.get("/staff/").status_code == 200


def test_an_address_with_an_account_elsewhere_is_invited_as_any_other(
    world, other_world, inbox, django_capture_on_commit_callbacks
):
    make_staff(other_world, "lin@seller.test")
    sam = staff_client(world)

    r = invite(sam.client, django_capture_on_commit_callbacks)

    assert r.status_code == 302
    assert StaffMember.objects.filter(user__email="lin@seller.test").count() == 2
    run_worker()
    assert "sign in with the password you already use" in text_of(
        only_mail_to(inbox, "lin@seller.test")
    )


def test_inviting_active_staff_again_is_refused_and_changes_nothing(
    world, inbox, django_capture_on_commit_callbacks
):
    sam = staff_client(world)
    make_staff(world, "lin@seller.test")
    before = (StaffMember.objects.count(), Invitation.objects.count(), User.objects.count())

    r = invite(sam.client, django_capture_on_commit_callbacks, email="LIN@seller.test")

    assert r.status_code == 200
    assert "This person is already staff here." in r.content.decode()
    assert (StaffMember.objects.count(), Invitation.objects.count(), User.objects.count()) == before


def test_a_staff_member_is_switched_off_but_not_oneself(world):
    sam = staff_client(world)
    lin = make_staff(world, "lin@seller.test")
    lin_client = Client()
    lin_client.force_login(lin.user)
    assert lin_client.get("/staff/").status_code == 200

    r = csrf_post(sam.client, f"/staff/people/{sam.member.pk}/deactivate/")
    assert r.status_code == 302
    assert StaffMember.objects.get(pk=sam.member.pk).is_active
    assert "You cannot switch yourself off." in sam.client.get("/staff/people/").content.decode()

    r = csrf_post(sam.client, f"/staff/people/{lin.pk}/deactivate/")

    assert r.status_code == 302
    assert not StaffMember.objects.get(pk=lin.pk).is_active
    assert lin_client.get("/staff/").status_code == 403


def test_another_tenants_staff_is_not_found(world, other_world):
    sam = staff_client(world)
    stranger = make_staff(other_world, "x@globex.test")

    r = csrf_post(sam.client, f"/staff/people/{stranger.pk}/deactivate/")

    assert r.status_code == 404
    assert StaffMember.objects.get(pk=stranger.pk).is_active
