"""What the reconciliation page and the API say about the day's payments, in the request's language.

``selectors.reconciliation_for`` returns the numbers and the payments to act on; the sentences a
cashier reads are made here, once, for both.
"""

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from etalase.core.formats import money_format
from etalase.orders.enums import PaymentMethod, PaymentStatus
from etalase.orders.selectors import Reconciliation, ReconRow


def recon_row_flag(row: ReconRow) -> str | None:
    """What does not add up on a row ("not confirmed yet, rejected payments"), or None."""
    parts = []
    if row.pending_minor:
        parts.append(_("not confirmed yet"))
    if row.rejected_minor:
        parts.append(_("rejected payments"))
    return ", ".join(parts) or None


def recon_row_shown(row: ReconRow, currency: str) -> dict[str, Any]:
    """A row as the page's table and the API show it: amounts in minor units and formatted, its flag."""
    amounts = {"recorded": row.recorded_minor, "confirmed": row.confirmed_minor}
    amounts |= {"pending": row.pending_minor, "rejected": row.rejected_minor}
    return {
        "key": row.key,
        "label": str(row.label),
        "count": row.count,
        "flag": recon_row_flag(row),
        **{f"{name}_minor": amount for name, amount in amounts.items()},
        **{f"{name}_formatted": money_format(amount, currency) for name, amount in amounts.items()},
    }


def recon_problems(report: Reconciliation) -> list[str]:
    """Every sentence a cashier should act on, in the order of the day."""

    def money(amount: int) -> str:
        return money_format(amount, report.currency)

    problems: list[str] = []
    for payment in report.payments_to_check:
        person = payment.received_by or payment.recorded_by
        values = {
            "method": payment.get_method_display(),
            "amount": money(payment.amount_minor),
            "who": person.display_name if person is not None else _("the customer"),
            "number": payment.order.number,
        }
        if payment.status == PaymentStatus.PENDING and payment.method == PaymentMethod.CASH:
            problems.append(
                _("%(method)s %(amount)s recorded by %(who)s for order #%(number)s is not confirmed.") % values
            )
        elif payment.status == PaymentStatus.PENDING:
            problems.append(
                _("%(method)s %(amount)s from %(who)s for order #%(number)s is waiting for confirmation.") % values
            )
        else:
            values["reason"] = payment.rejected_reason or "-"
            problems.append(_("%(method)s %(amount)s for order #%(number)s was rejected: %(reason)s") % values)
    if report.pending_earlier:
        count = len(report.pending_earlier)
        problems.append(
            ngettext(
                "%(count)d payment from an earlier day (%(amount)s) is still waiting for confirmation.",
                "%(count)d payments from earlier days (%(amount)s) are still waiting for confirmation.",
                count,
            )
            % {"count": count, "amount": money(sum(payment.amount_minor for payment in report.pending_earlier))}
        )
    for order in report.completed_unpaid:
        problems.append(
            _("Order #%(number)s was completed but %(amount)s is still due.")
            % {"number": order.number, "amount": money(order.due_minor)}
        )
    return problems
