"""Directory reacts to other apps' activities (registered in ``DirectoryConfig.ready``)."""

from etalase.accounts.enums import Verb as AccountVerb
from etalase.accounts.models import User
from etalase.activity.models import Activity
from etalase.activity.registry import handler_register
from etalase.directory.services import invitations_accept_on_verification


def join_invited_teams(activity: Activity) -> None:
    """Someone verified an invited phone number or email: they join those teams.

    Signing up alone joins nothing (anyone can type any number); an account created already verified
    (the demo's, an operator's) joins at sign-up. The invitations matched are those for the
    identifiers the account has verified, see ``invitation_list_for_user``.
    """
    if activity.actor_id is None:
        return
    user = User.objects.filter(pk=activity.actor_id).first()
    if user is not None and user.is_verified:
        invitations_accept_on_verification(user=user)


def register() -> None:
    handler_register(
        join_invited_teams,
        verbs=[AccountVerb.SIGNED_UP, AccountVerb.PHONE_VERIFIED, AccountVerb.EMAIL_VERIFIED],
    )
