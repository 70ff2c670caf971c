"""Serving a proof of payment: personal data, so never public media, never cached by the way."""

from django.http import FileResponse, Http404

from etalase.orders.models import Payment


def proof_response(payment: Payment) -> FileResponse:
    """The stored proof as a private response; 404 when there is none (or its file is gone)."""
    if not payment.proof:
        raise Http404
    try:
        handle = payment.proof.open("rb")
    except OSError as error:
        raise Http404 from error
    response = FileResponse(handle, as_attachment=False, filename=(payment.proof.name or "proof").rsplit("/", 1)[-1])
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
