"""The words the customer-intelligence pages and API put to the summaries' keys.

Looked up when shown, so each reader gets their own language (summaries are cached for everyone).
"""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from etalase.customers.enums import RfmSegment
from etalase.insights.enums import Quadrant

CHURN_BUCKET_LABELS: dict[int, Promise] = {
    0: _("Low (0–24)"),
    25: _("Rising (25–49)"),
    50: _("High (50–74)"),
    75: _("Very high (75–100)"),
}
"""Each churn-risk range (``scoring.CHURN_BUCKETS``) by its lowest risk."""

INFO_LABELS: dict[str, Promise] = {
    "name": _("name"),
    "phone": _("phone number"),
    "email": _("email"),
    "place": _("city or address"),
    "birthday": _("birthday"),
    "consent": _("consent to messages"),
}
"""Each piece of information the matrix counts (``scoring.INFO_WEIGHTS``), as in "has no {piece}"."""

QUADRANT_SUGGESTIONS: dict[str, Promise] = {
    Quadrant.LITTLE_ALIKE: _(
        "Ask for their phone number, city and birthday at the next order, and ask whether you may send "
        "them news. Then add a note about what they bought."
    ),
    Quadrant.MUCH_ALIKE: _(
        "You know these customers well but treat them like everyone else: send each a personal message "
        "or an offer on the products they favourite, and tag them by what they like."
    ),
    Quadrant.LITTLE_INDIVIDUAL: _(
        "You serve these customers personally but know little about them: while you talk to them, "
        "complete their phone number, city and birthday and ask for their consent."
    ),
    Quadrant.MUCH_INDIVIDUAL: _(
        "Your best-known customers: keep it up. Greet them on their birthday and show them new "
        "products they are likely to like before anyone else."
    ),
}


def segment_label(key: str) -> str:
    return str(RfmSegment(key).label)


def churn_bucket_label(low: int) -> str:
    return str(CHURN_BUCKET_LABELS[low])


def info_label(key: str) -> str:
    return str(INFO_LABELS[key])


def quadrant_label(key: str) -> str:
    return str(Quadrant(key).label)


def quadrant_suggestion(key: str) -> str:
    return str(QUADRANT_SUGGESTIONS[key])
