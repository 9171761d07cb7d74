"""Helpers for the back office's tests: a staff member, a signed-in staff client, an order."""

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.test import Client

from dinghuo.backoffice.models import StaffMember
from dinghuo.orders.models import Order
from tests.builders import World

PASSWORD = "correct horse battery staple"


@dataclass
class Staff:
    member: StaffMember
    client: Client


def make_staff(
    world: World, email: str = "sam@seller.test", *, first: str = "Sam", role: str = "owner"
) -> StaffMember:
    """A staff member of the world's tenant who can sign in with `PASSWORD`."""
    user = User.objects.create_user(
        username=email, email=email, password=PASSWORD, first_name=first, last_name="Staff"
    )
    return StaffMember.objects.create(tenant=world.tenant, user=user, role=role)


def staff_client(world: World, email: str = "sam@seller.test", *, role: str = "owner") -> Staff:
    """A staff member of the world's tenant, signed in with a CSRF-checking client."""
    member = make_staff(world, email, role=role)
    client = Client(enforce_csrf_checks=True)
    client.force_login(member.user)
    # The first page of a session notes it (the sessions list, the second-step check), once
    # a minute: done here, so that the tests counting a page's queries count the page's own.
    client.get("/staff/")
    return Staff(member, client)


def csrf_post(client: Client, path: str, data: Any = None, **kw: Any) -> Any:
    """POST as a browser does: first GET a page for the CSRF cookie, then send the token."""
    if "csrftoken" not in client.cookies:
        client.get("/staff/signin/")
    token = client.cookies["csrftoken"].value
    return client.post(path, data or {}, HTTP_X_CSRFTOKEN=token, **kw)


def place(world: World, *lines: tuple[str, int], key: str = "k1", **extra: Any) -> Order:
    """An order of the world's company placed through the API (the order service)."""
    response = world.client().place(world.order_body(*lines, **extra), key=key)
    assert response.status_code == 201, response.json()
    return Order.objects.get(pk=response.json()["id"])


def texts(response: Any) -> str:
    """The page's HTML as text (for `in` assertions)."""
    return response.content.decode()
