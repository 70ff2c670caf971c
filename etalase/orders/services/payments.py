"""Payments with their trail: what a customer submits, what a member records, confirming and rejecting.

Every payment names who recorded it, who received the money, who confirmed it and when;
``Order.paid_minor`` is always the sum of the confirmed payments, recomputed under the order's row
lock. Payments waiting for confirmation count as paid when refusing to take more than is due.
"""

import datetime as dt
import io
import secrets
import warnings
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from PIL import Image

from etalase.accounts.models import User
from etalase.activity.enums import Channel
from etalase.activity.services import activity_record
from etalase.core.errors import NotFound, ValidationError
from etalase.core.numbers import is_whole_number
from etalase.directory.models import Business, Membership
from etalase.orders.enums import OrderStatus, PaymentMethod, PaymentStatus, Verb
from etalase.orders.models import Order, Payment
from etalase.orders.selectors import payment_methods_for
from etalase.orders.services.common import (
    REASON_MAX_LENGTH,
    REFERENCE_MAX_LENGTH,
    idempotency_key_scoped,
    invalid,
    money,
    order_locked,
    paid_recompute,
    payable_check,
    payment_data,
    payment_save,
    retry_when_locked,
    text_clean,
)

PROOF_MAX_BYTES = 5 * 1024 * 1024
PROOF_MAX_PIXELS = 60_000_000
PROOF_IMAGE_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
MAX_AMOUNT_MINOR = 10**13


def _is_member(business: Business, user: User | None) -> bool:
    if user is None or not getattr(user, "pk", None):
        return False
    return Membership.objects.filter(business=business, user_id=user.pk).exists()


def _amount_check(amount_minor: object) -> int:
    if not is_whole_number(amount_minor):
        raise invalid(_("Enter the amount as a whole number, for example 50000."), field="amount_minor")
    if amount_minor <= 0:
        raise invalid(_("The amount must be more than zero."), field="amount_minor")
    if amount_minor > MAX_AMOUNT_MINOR:
        raise invalid(_("The amount is too high."), field="amount_minor")
    return amount_minor


def proof_clean(upload: Any) -> ContentFile[bytes]:
    """The transfer proof as stored: a real picture (JPEG, PNG, WebP, GIF) or a PDF, at most 5 MB,
    judged by its content, not its name. Raises ValidationError for anything else."""
    too_large = _("The proof is too large: at most %(megabytes)d MB.") % {"megabytes": PROOF_MAX_BYTES // 1024 // 1024}
    not_allowed = _("Upload the transfer proof as a picture (JPEG, PNG, WebP) or a PDF.")
    size = getattr(upload, "size", None)
    if size is not None and size > PROOF_MAX_BYTES:
        raise invalid(too_large, field="proof", code="proof_too_large")
    if hasattr(upload, "seek"):
        upload.seek(0)
    raw = upload.read(PROOF_MAX_BYTES + 1)
    if len(raw) > PROOF_MAX_BYTES:
        raise invalid(too_large, field="proof", code="proof_too_large")
    if not raw:
        raise invalid(not_allowed, field="proof", code="proof_invalid")
    if raw.startswith(b"%PDF-"):
        extension = "pdf"
    else:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                with Image.open(io.BytesIO(raw)) as probe:
                    image_format = probe.format or ""
                    if image_format not in PROOF_IMAGE_FORMATS or probe.width * probe.height > PROOF_MAX_PIXELS:
                        raise invalid(not_allowed, field="proof", code="proof_invalid")
                    probe.verify()
        except ValidationError:
            raise
        except Exception as exc:  # Pillow raises many kinds of errors for a file that is not a picture
            raise invalid(not_allowed, field="proof", code="proof_invalid") from exc
        extension = PROOF_IMAGE_FORMATS[image_format]
    return ContentFile(raw, name=f"proof-{secrets.token_urlsafe(12)}.{extension}")


def _payment_by_key(business: Business, key: str) -> Payment | None:
    if not key:
        return None
    return Payment.objects.filter(business=business, idempotency_key=key).first()


def _payment_save_once(payment: Payment, proof: ContentFile[bytes] | None) -> Payment | None:
    """Save ``payment``; None, or the payment of the same idempotency key another attempt saved first."""
    try:
        payment_save(payment, proof)
    except IntegrityError:
        existing = _payment_by_key(payment.business, payment.idempotency_key)
        if existing is not None:
            return existing
        raise
    return None


@retry_when_locked
@transaction.atomic
def payment_submit(
    *,
    order: Order,
    user: User,
    method: str,
    amount_minor: int,
    reference: str = "",
    proof: Any = None,
    idempotency_key: str = "",
    channel: str = Channel.WEB,
) -> Payment:
    """The customer tells the shop they paid (a transfer with its proof, or a QRIS/e-wallet
    reference). It waits for the cashier's confirmation; until then it counts against what is due."""
    if user is None or order.customer_id != user.pk:
        raise NotFound(_("Order not found."))
    key = idempotency_key_scoped(f"u{user.pk}", idempotency_key)
    existing = _payment_by_key(order.business, key)
    if existing is not None:
        return existing
    if method == PaymentMethod.CASH:
        raise invalid(_("Cash is paid to the shop at pickup or delivery."), field="method")
    if method == PaymentMethod.GATEWAY:
        raise invalid(_("Pay online through the payment page."), field="method")
    if method not in payment_methods_for(business=order.business):
        raise invalid(_("This shop does not take this payment method."), field="method")
    amount_minor = _amount_check(amount_minor)
    reference = text_clean(reference, limit=REFERENCE_MAX_LENGTH, field="reference", label=_("The reference"))
    order = order_locked(order)
    existing = _payment_by_key(order.business, key)  # a retry that waited for the first attempt's lock
    if existing is not None:
        return existing
    payable_check(order, amount_minor)
    stored_proof = None
    if method == PaymentMethod.TRANSFER:
        if proof is None:
            raise invalid(_("Upload the transfer proof."), field="proof", code="proof_required")
        stored_proof = proof_clean(proof)
    elif proof is not None:
        stored_proof = proof_clean(proof)
    if method == PaymentMethod.QRIS and not reference:
        raise invalid(_("Enter the payment reference shown in your app."), field="reference")
    payment = Payment(
        business=order.business,
        order=order,
        amount_minor=amount_minor,
        method=method,
        status=PaymentStatus.PENDING,
        reference=reference,
        paid_at=timezone.now(),
        recorded_by=user,
        idempotency_key=key,
    )
    first = _payment_save_once(payment, stored_proof)
    if first is not None:
        return first  # a retry with the same key saved it first
    activity_record(
        verb=Verb.PAID,
        business=order.business,
        actor=user,
        target=order,
        channel=channel,
        data={**payment_data(payment, order), "confirmed": False},
    )
    return payment


@retry_when_locked
@transaction.atomic
def payment_record(
    *,
    order: Order,
    actor: User,
    method: str,
    amount_minor: int,
    reference: str = "",
    proof: Any = None,
    received_by: User | None = None,
    confirm: bool,
    idempotency_key: str = "",
    paid_at: dt.datetime | None = None,
    channel: str = Channel.WEB,
) -> Payment:
    """A member records money received for the order: by whom (``received_by``, the actor unless
    said otherwise), when, how. With ``confirm`` (the caller holds ``payments.confirm``) it is
    confirmed at once by the actor; otherwise it waits for the cashier."""
    key = idempotency_key_scoped(f"m{actor.pk}", idempotency_key)
    existing = _payment_by_key(order.business, key)
    if existing is not None:
        return existing
    if method not in (PaymentMethod.CASH, PaymentMethod.TRANSFER, PaymentMethod.QRIS):
        raise invalid(_("Choose cash, bank transfer or QRIS / e-wallet."), field="method")
    amount_minor = _amount_check(amount_minor)
    reference = text_clean(reference, limit=REFERENCE_MAX_LENGTH, field="reference", label=_("The reference"))
    now = timezone.now()
    if paid_at is None:
        paid_at = now
    elif timezone.is_naive(paid_at) or paid_at > now + dt.timedelta(minutes=5):
        raise invalid(_("The time of payment cannot be in the future."), field="paid_at")
    receiver = received_by if received_by is not None else actor
    if not _is_member(order.business, receiver):
        raise invalid(_("Choose a member of the team who received the money."), field="received_by")
    stored_proof = proof_clean(proof) if proof is not None else None
    order = order_locked(order)
    existing = _payment_by_key(order.business, key)
    if existing is not None:
        return existing
    payable_check(order, amount_minor)
    payment = Payment(
        business=order.business,
        order=order,
        amount_minor=amount_minor,
        method=method,
        status=PaymentStatus.CONFIRMED if confirm else PaymentStatus.PENDING,
        reference=reference,
        paid_at=paid_at,
        recorded_by=actor,
        received_by=receiver,
        confirmed_by=actor if confirm else None,
        confirmed_at=now if confirm else None,
        idempotency_key=key,
    )
    first = _payment_save_once(payment, stored_proof)
    if first is not None:
        return first  # a retry with the same key saved it first
    if confirm:
        paid_recompute(order)
    activity_record(
        verb=Verb.PAID,
        business=order.business,
        actor=actor,
        target=order,
        channel=channel,
        data={
            **payment_data(payment, order),
            "confirmed": bool(confirm),
            "order_paid": order.is_paid,
            "received_by_id": receiver.pk,
        },
    )
    return payment


def _payment_locked(payment: Payment) -> tuple[Payment, Order]:
    order = order_locked(payment.order)  # the order first, like every payment service
    locked = Payment.objects.select_for_update().get(pk=payment.pk)
    return locked, order


@transaction.atomic
def payment_confirm(*, payment: Payment, actor: User | None, channel: str = Channel.WEB) -> Payment:
    """The cashier has checked the money arrived: the payment counts as paid."""
    payment, order = _payment_locked(payment)
    if payment.status == PaymentStatus.CONFIRMED:
        return payment  # confirmed already: a repeated tap changes nothing
    if payment.status == PaymentStatus.REJECTED:
        raise ValidationError(_("This payment was rejected and cannot be confirmed."), code="payment_rejected")
    if order.status == OrderStatus.CANCELLED:
        raise ValidationError(_("This order was cancelled and cannot be paid."), code="order_cancelled")
    if order.paid_minor + payment.amount_minor > order.total_minor:
        raise ValidationError(
            _("Confirming this payment would take more than is due (%(amount)s). Reject it instead.")
            % {"amount": money(order.due_minor, order.currency)},
            code="overpayment",
        )
    payment.status = PaymentStatus.CONFIRMED
    payment.confirmed_by = actor
    payment.confirmed_at = timezone.now()
    payment.save(update_fields=["status", "confirmed_by", "confirmed_at", "updated_at"])
    paid_recompute(order)
    activity_record(
        verb=Verb.PAYMENT_CONFIRMED,
        business=order.business,
        actor=actor,
        target=order,
        channel=channel,
        data={**payment_data(payment, order), "order_paid": order.is_paid},
    )
    return payment


@transaction.atomic
def payment_reject(*, payment: Payment, actor: User | None, reason: str, channel: str = Channel.WEB) -> Payment:
    """The money did not arrive (or the proof is wrong): the payment no longer counts."""
    reason = text_clean(reason, limit=REASON_MAX_LENGTH, field="reason", label=_("The reason"))
    if not reason:
        raise invalid(_("Give the reason for rejecting the payment."), field="reason")
    payment, order = _payment_locked(payment)
    if payment.status == PaymentStatus.REJECTED:
        return payment
    if payment.status == PaymentStatus.CONFIRMED:
        raise ValidationError(_("This payment is already confirmed and cannot be rejected."), code="payment_confirmed")
    payment.status = PaymentStatus.REJECTED
    payment.rejected_reason = reason
    payment.confirmed_by = actor  # who decided, with ``confirmed_at`` as when: the trail of the decision
    payment.confirmed_at = timezone.now()
    payment.save(update_fields=["status", "rejected_reason", "confirmed_by", "confirmed_at", "updated_at"])
    activity_record(
        verb=Verb.PAYMENT_REJECTED,
        business=order.business,
        actor=actor,
        target=order,
        channel=channel,
        data={**payment_data(payment, order), "order_paid": order.is_paid, "reason": reason},
    )
    return payment
