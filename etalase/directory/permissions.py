"""Roles map to permissions here and only here. Code checks a permission, never a role."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from etalase.directory.enums import Role


class Permission(models.TextChoices):
    BUSINESS_VIEW = "business.view", _("See the business side")
    BUSINESS_EDIT = "business.edit", _("Edit the business profile")
    MEMBERS_VIEW = "members.view", _("See the team")
    MEMBERS_MANAGE = "members.manage", _("Invite and manage staff")
    OWNERS_MANAGE = "owners.manage", _("Appoint and remove owners")
    DASHBOARD_VIEW = "dashboard.view", _("See the dashboard and analytics")
    ACTIVITY_VIEW = "activity.view", _("See the activity timeline")
    CATALOG_MANAGE = "catalog.manage", _("Manage products and posts")
    ORDERS_VIEW = "orders.view", _("See orders")
    ORDERS_MANAGE = "orders.manage", _("Take and update orders")
    PAYMENTS_RECORD = "payments.record", _("Record payments received")
    PAYMENTS_CONFIRM = "payments.confirm", _("Confirm payments and reconcile")
    CUSTOMERS_VIEW = "customers.view", _("See customers")
    CUSTOMERS_MANAGE = "customers.manage", _("Edit, import and export customers")
    INBOX_VIEW = "inbox.view", _("Read and answer messages")
    TICKETS_MANAGE = "tickets.manage", _("Handle helpdesk tickets")
    SALES_MANAGE = "sales.manage", _("Handle leads, deals and visits")
    MARKETING_MANAGE = "marketing.manage", _("Run campaigns and automations")


P = Permission
_EVERY_MEMBER = {P.BUSINESS_VIEW, P.MEMBERS_VIEW}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.OWNER: frozenset(Permission.values),
    Role.MANAGER: frozenset(set(Permission.values) - {P.OWNERS_MANAGE}),
    Role.SALES: frozenset(
        _EVERY_MEMBER
        | {P.DASHBOARD_VIEW, P.ACTIVITY_VIEW, P.ORDERS_VIEW, P.ORDERS_MANAGE, P.PAYMENTS_RECORD}
        | {P.CUSTOMERS_VIEW, P.INBOX_VIEW, P.SALES_MANAGE}
    ),
    Role.SUPPORT: frozenset(
        _EVERY_MEMBER | {P.ACTIVITY_VIEW, P.ORDERS_VIEW, P.CUSTOMERS_VIEW, P.INBOX_VIEW, P.TICKETS_MANAGE}
    ),
    Role.TECHNICIAN: frozenset(_EVERY_MEMBER | {P.ORDERS_VIEW, P.TICKETS_MANAGE, P.INBOX_VIEW}),
    Role.CASHIER: frozenset(
        _EVERY_MEMBER | {P.ORDERS_VIEW, P.ORDERS_MANAGE, P.PAYMENTS_RECORD, P.PAYMENTS_CONFIRM, P.CUSTOMERS_VIEW}
    ),
}


def permissions_for_role(role: str) -> frozenset[str]:
    return ROLE_PERMISSIONS.get(role, frozenset())
