"""Customer intelligence: RFM scores and segments, loyalty and churn risk, the customer-information
matrix, cohort retention, and each contact's inferred preferences.

- :mod:`.scoring`: the rules, as pure functions (how a number becomes a score);
- :mod:`.facts`: what the scores are computed from, read from the database (and the cached bounds);
- :mod:`.services`: recomputing one contact's scores or every contact's (the nightly pass);
- :mod:`.handlers`: the activity handler that rescores the contact an activity is about;
- :mod:`.selectors`: the summaries behind the pages and the API;
- :mod:`.labels`: the words the pages and the API put to the summaries' keys.

Import from the module that owns a name. The names below are kept for callers outside the insights
app that import them from here (the demo data set and the CRM bench).
"""

from etalase.insights.customers.scoring import (
    DEFAULT_GAP_DAYS,
    churn_risk,
    info_known,
    info_score,
    rfm_bounds,
    rfm_scores,
    rfm_segment,
    usual_gap_days,
)
from etalase.insights.customers.services import customer_scores_recompute

__all__ = [
    "DEFAULT_GAP_DAYS",
    "churn_risk",
    "customer_scores_recompute",
    "info_known",
    "info_score",
    "rfm_bounds",
    "rfm_scores",
    "rfm_segment",
    "usual_gap_days",
]
