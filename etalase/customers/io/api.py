"""The customers API: io."""

from ninja import Router

router = Router(tags=["customers"])
