"""Weeks of the Monday briefing: Monday to Sunday in Asia/Shanghai (settings.TIME_ZONE).

A week is named by its Monday; as a period for ``core.indicators`` it is ``[monday, monday + 7)``.
"""
import datetime

from django.utils import timezone

WEEK = datetime.timedelta(days=7)


def monday_of(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def last_complete_week(today: datetime.date | None = None) -> datetime.date:
    """The Monday of the last week that has ended (Monday–Sunday before ``today``'s week)."""
    return monday_of(today or timezone.localdate()) - WEEK


def is_complete(week_start: datetime.date, today: datetime.date | None = None) -> bool:
    return week_start + WEEK <= (today or timezone.localdate())


class WeekConverter:
    """``<week:week>`` in a URL: a Monday as YYYY-MM-DD; anything else is no match (404)."""

    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value: str) -> datetime.date:
        day = datetime.date.fromisoformat(value)  # ValueError: not a date -> no match
        if day.weekday() != 0:
            raise ValueError("not a Monday")
        return day

    def to_url(self, value) -> str:
        return value.isoformat() if isinstance(value, datetime.date) else str(value)
