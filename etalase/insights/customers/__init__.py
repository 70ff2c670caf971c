"""Customer intelligence: RFM scores and segments, loyalty and churn risk, the customer-information
matrix, cohort retention, and each contact's inferred preferences.

- :mod:`.scoring`: the rules, as pure functions (how a number becomes a score);
- :mod:`.facts`: what the scores are computed from, read from the database (and the cached bounds);
- :mod:`.services`: recomputing one contact's scores or every contact's (the nightly pass);
- :mod:`.handlers`: the activity handler that rescores the contact an activity is about;
- :mod:`.selectors`: the summaries behind the pages and the API;
- :mod:`.labels`: the words the pages and the API put to the summaries' keys.

Import from the module that owns a name; this package re-exports nothing.
"""
