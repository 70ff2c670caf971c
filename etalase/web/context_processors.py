"""What every page's shell needs: which side of the app it is on and the current business."""

from typing import Any

from django.http import HttpRequest


def shell(request: HttpRequest) -> dict[str, Any]:
    context = getattr(request, "business_context", None)
    return {
        "shell_side": "business" if context is not None else "customer",
        "business_context": context,
    }
