"""Helpers for the mail tests: a buyer who orders, staff, and a worker round."""

from django.contrib.auth.models import User

from dinghuo.backoffice.models import StaffMember
from dinghuo.notifications import jobs

PORTAL = "https://shop.acme.test"


def work() -> int:
    """One worker round of the mail jobs: events become mails, due mails are sent."""
    made = jobs.make_mails()
    sent = 0
    while batch := jobs.send_due_mails():
        sent += batch
    return made + sent


def add_staff(world, email: str) -> User:
    user = User.objects.create_user(username=email, email=email, first_name=email.split("@")[0])
    StaffMember.objects.create(tenant=world.tenant, user=user)
    return user


def buyer_order(client, world, *lines, key="k1"):
    body = {"ship_to_id": world.ship_to.pk, "lines": [{"sku": s, "quantity": q} for s, q in lines]}
    r = client.post("/my/orders", body, key=key)
    assert r.status_code == 201, r.json()
    return r.json()
