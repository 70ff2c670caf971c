"""Opening hours: stored as {"mon": [["08:00", "17:00"]], ...} and read in the business's timezone.

A day that is missing or has no ranges is closed. A range whose end is before its start runs past
midnight (a warung open 18:00–02:00).
"""

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from etalase.core.errors import ValidationError

DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
DAY_NAMES = {
    "mon": _("Monday"),
    "tue": _("Tuesday"),
    "wed": _("Wednesday"),
    "thu": _("Thursday"),
    "fri": _("Friday"),
    "sat": _("Saturday"),
    "sun": _("Sunday"),
}
_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
MAX_RANGES_PER_DAY = 3


def _minutes(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def opening_hours_clean(raw: Any) -> dict[str, list[list[str]]]:
    """Validate hours from a form or the API; raise a clear error naming the day."""
    if not isinstance(raw, dict):
        raise ValidationError(_("Opening hours must list days with opening and closing times."))
    cleaned: dict[str, list[list[str]]] = {}
    for day, ranges in raw.items():
        if day not in DAYS:
            raise ValidationError(_("Unknown day in opening hours: %(day)s.") % {"day": str(day)[:10]})
        if not ranges:
            continue
        if not isinstance(ranges, list) or len(ranges) > MAX_RANGES_PER_DAY:
            raise ValidationError(
                _("%(day)s: give at most %(count)d opening times.") % {"day": DAY_NAMES[day], "count": 3}
            )
        day_ranges = []
        for item in ranges:
            if not (isinstance(item, list | tuple) and len(item) == 2):
                raise ValidationError(_("%(day)s: give an opening and a closing time.") % {"day": DAY_NAMES[day]})
            start, end = (str(value).strip() for value in item)
            if not _TIME.match(start) or not _TIME.match(end) or start == end:
                raise ValidationError(
                    _("%(day)s: use times like 08:00, and a closing time other than the opening time.")
                    % {"day": DAY_NAMES[day]},
                    fields={day: _("Use times like 08:00, and a closing time other than the opening time.")},
                )
            day_ranges.append([start, end])
        cleaned[day] = sorted(day_ranges)
    return cleaned


def _open_at(hours: dict[str, list[list[str]]], moment: dt.datetime) -> bool:
    minute = moment.hour * 60 + moment.minute
    today = DAYS[moment.weekday()]
    yesterday = DAYS[(moment.weekday() - 1) % 7]
    for start, end in hours.get(today, []):
        begin, finish = _minutes(start), _minutes(end)
        if (begin < finish and begin <= minute < finish) or (finish < begin and minute >= begin):
            return True
    for start, end in hours.get(yesterday, []):
        begin, finish = _minutes(start), _minutes(end)
        if finish < begin and minute < finish:  # yesterday's range running past midnight
            return True
    return False


def opening_status(hours: dict[str, list[list[str]]], tz_name: str, now: dt.datetime | None = None) -> dict[str, Any]:
    """``{"is_open": True|False|None, "label": "Open now · until 17:00"}``; None when no hours are set."""
    if not hours:
        return {"is_open": None, "label": ""}
    moment = (now or timezone.now()).astimezone(ZoneInfo(tz_name))
    if _open_at(hours, moment):
        closing = _closing_time(hours, moment)
        label = _("Open now · until %(time)s") % {"time": closing} if closing else _("Open now")
        return {"is_open": True, "label": label}
    opening = _next_opening(hours, moment)
    label = _("Closed · opens %(when)s") % {"when": opening} if opening else _("Closed")
    return {"is_open": False, "label": label}


def _closing_time(hours: dict[str, list[list[str]]], moment: dt.datetime) -> str | None:
    minute = moment.hour * 60 + moment.minute
    for day_offset, day in ((0, DAYS[moment.weekday()]), (-1, DAYS[(moment.weekday() - 1) % 7])):
        for start, end in hours.get(day, []):
            begin, finish = _minutes(start), _minutes(end)
            if day_offset == 0 and (
                (begin < finish and begin <= minute < finish) or (finish < begin and minute >= begin)
            ):
                return end
            if day_offset == -1 and finish < begin and minute < finish:
                return end
    return None


def _next_opening(hours: dict[str, list[list[str]]], moment: dt.datetime) -> str | None:
    minute = moment.hour * 60 + moment.minute
    for offset in range(0, 8):
        day = DAYS[(moment.weekday() + offset) % 7]
        for start, _end in sorted(hours.get(day, [])):
            if offset == 0 and _minutes(start) <= minute:
                continue
            if offset == 0:
                return str(_("today at %(time)s") % {"time": start})
            if offset == 1:
                return str(_("tomorrow at %(time)s") % {"time": start})
            return str(_("%(day)s at %(time)s") % {"day": DAY_NAMES[day], "time": start})
    return None
