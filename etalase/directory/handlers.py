"""Directory reacts to other apps' activities (registered in ``DirectoryConfig.ready``)."""

from etalase.accounts.enums import Verb as AccountVerb
from etalase.accounts.models import User
from etalase.activity.models import Activity
from etalase.activity.registry import handler_register
from etalase.directory.services import invitations_accept_for_new_user


def join_invited_teams(activity: Activity) -> None:
    """Someone signed up with an invited phone number or email: they join those teams."""
    if activity.actor_id is None:
        return
    user = User.objects.filter(pk=activity.actor_id).first()
    if user is not None:
        invitations_accept_for_new_user(user=user)


def register() -> None:
    handler_register(join_invited_teams, verbs=[AccountVerb.SIGNED_UP])
