"""Which permission opens the customer-data audit log.

The log is for owners. ``directory.permissions`` has no audit permission yet, so the owner-only
``owners.manage`` stands in; when the lead adds ``Permission.AUDIT_VIEW`` (owners only), this is the
one line to change.
"""

from etalase.directory.permissions import Permission

AUDIT_VIEW = Permission.OWNERS_MANAGE
