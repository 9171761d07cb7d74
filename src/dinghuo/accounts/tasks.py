"""Mails about sign-ins, sent by the worker (`dinghuo worker` runs tasks queued on the
database), never in the request that asked for them."""

from django_tasks import task

from dinghuo.accounts import mails


@task()
def send_invitation(invitation_id: int) -> None:
    """Mint a new link for the invitation and mail it (nothing if it is no longer open)."""
    from dinghuo.accounts.services import mint_link  # services queue this task

    minted = mint_link(invitation_id)
    if minted is not None:
        mails.send_invitation(*minted)


@task()
def send_password_reset(email: str, door: str, language: str) -> None:
    """Mail a reset link to the active account with this address, if there is one."""
    mails.send_password_reset(email, door, language)
