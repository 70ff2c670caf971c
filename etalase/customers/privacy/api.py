"""The customers API: privacy."""

from ninja import Router

router = Router(tags=["customers"])
