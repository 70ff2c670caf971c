"""Contact import and export live in ``imports``, ``importer``, ``exports`` and ``purge``; the names
below are kept here for the callers that still import them from this module."""

from etalase.customers.io.importer import import_run
from etalase.customers.io.imports import import_start, import_upload
from etalase.customers.io.purge import SOURCE_KEPT_FOR, UNSTARTED_KEPT_FOR, imports_purge

__all__ = ["SOURCE_KEPT_FOR", "UNSTARTED_KEPT_FOR", "import_run", "import_start", "import_upload", "imports_purge"]
