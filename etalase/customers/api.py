"""The customers API: contacts, timeline, tags, notes, segments, consent."""

from ninja import Router

router = Router(tags=["customers"])
