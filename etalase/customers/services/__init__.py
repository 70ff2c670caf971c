"""Writes to the customers app's tables, one module per part: ``contacts``, ``merge``, ``aggregates``
(numbers, stage, scores), ``tags``, ``notes``, ``consent``, ``segments``, ``audit``.

Import a service from the module that owns it. The names below are re-exported only for callers
outside the customers app's own pages, API and handlers that still import them from here.
"""

from etalase.customers.services.aggregates import (
    contact_aggregates_recompute,
    contact_scores_set,
    contacts_aggregates_rebuild,
)
from etalase.customers.services.audit import audit_record
from etalase.customers.services.consent import consent_set
from etalase.customers.services.contacts import (
    contact_create,
    contact_for_user,
    contact_search_text,
    contact_touch,
    contact_update,
)
from etalase.customers.services.merge import contact_merge
from etalase.customers.services.notes import note_add
from etalase.customers.services.segments import segment_save
from etalase.customers.services.tags import contact_tag_add, contact_tags_set

__all__ = [
    "audit_record",
    "consent_set",
    "contact_aggregates_recompute",
    "contact_create",
    "contact_for_user",
    "contact_merge",
    "contact_scores_set",
    "contact_search_text",
    "contact_tag_add",
    "contact_tags_set",
    "contact_touch",
    "contact_update",
    "contacts_aggregates_rebuild",
    "note_add",
    "segment_save",
]
