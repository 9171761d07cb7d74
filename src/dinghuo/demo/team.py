"""The demo wholesaler's office besides its owner: one person per other staff role, so that
the back office can be tried as each role sees it (`docs/roles.md`)."""

from django.contrib.auth import get_user_model

from dinghuo.backoffice.services import add_staff_member
from dinghuo.core.permissions import Role

# (email, first name, last name, role): Harbour Trading's office in Kwai Chung.
TEAM: tuple[tuple[str, str, str, Role], ...] = (
    ("wing.chan@harbour-trading.example", "Wing", "Chan", Role.MANAGER),
    ("meiling.wong@harbour-trading.example", "Mei-ling", "Wong", Role.SALES),
    ("kaho.lee@harbour-trading.example", "Ka-ho", "Lee", Role.WAREHOUSE),
    ("siufong.ng@harbour-trading.example", "Siu-fong", "Ng", Role.FINANCE),
    ("grace.lam@harbour-trading.example", "Grace", "Lam", Role.READ_ONLY),
)


def hire(tenant_id: int, password: str) -> tuple[tuple[str, Role], ...]:
    """Make the team staff of the demo tenant, each signing in with `password`; their
    emails and roles."""
    users = get_user_model().objects
    for email, first, last, role in TEAM:
        user = users.create_user(
            username=email, email=email, password=password, first_name=first, last_name=last
        )
        add_staff_member(tenant_id=tenant_id, user_id=user.pk, role=role)
    return tuple((email, role) for email, _, _, role in TEAM)
