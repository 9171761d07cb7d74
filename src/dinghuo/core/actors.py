"""Who is acting right now: the person, API key, import or worker behind the writes.

Set once where work enters the system (the request middleware `audit.middleware`, the API
key check in `api.auth`, `dinghuo worker`, the `dinghuo` command, an import run) and read by
the audit log when a write is recorded, so no service has to pass it along. A request's
person is resolved only when a write asks (`current()`), so a read-only request costs nothing.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import Literal

Kind = Literal["user", "api_key", "import", "worker", "command", "system"]
Via = Literal["", "page", "api", "admin", "worker", "command"]


@dataclass(frozen=True)
class Actor:
    """One acting party: a person (`user_id`), an API key (`key`), an import run or a process
    (`label`: the file or command name), with the door it came through and its address."""

    kind: Kind
    user_id: int | None = None
    key: str = ""
    label: str = ""
    via: Via = ""
    address: str = ""


SYSTEM = Actor("system")


@dataclass(frozen=True)
class RequestActor:
    """A request's actor before anyone asked: its door and address are known, its person is
    found by `person()` (the session's user, or None) only when a write is recorded."""

    via: Via
    address: str
    person: Callable[[], int | None]

    def resolve(self) -> Actor:
        user_id = self.person()
        kind: Kind = "user" if user_id is not None else "system"
        return Actor(kind, user_id=user_id, via=self.via, address=self.address)


_current: ContextVar[Actor | RequestActor] = ContextVar("dinghuo_actor", default=SYSTEM)


def current() -> Actor:
    """The acting party of this request, job or command; "system" when nothing set one."""
    found = _current.get()
    if isinstance(found, RequestActor):
        found = found.resolve()
        _current.set(found)
    return found


@contextmanager
def acting_as(actor: Actor | RequestActor) -> Iterator[None]:
    """Run the block as `actor`."""
    token = _current.set(actor)
    try:
        yield
    finally:
        _current.reset(token)


def identify_key(prefix: str) -> None:
    """The request came with API key `prefix`: the key is the actor now, from the request's
    address (an API request has no session person)."""
    found = _current.get()
    _current.set(Actor("api_key", key=prefix, via="api", address=found.address))


def as_import(actor: Actor, label: str) -> Actor:
    """`actor` running an import of `label` (a file name)."""
    return replace(actor, kind="import", label=label)
