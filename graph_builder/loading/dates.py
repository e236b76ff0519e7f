"""Dates at the precision a source gives: year, year-month or full date."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass

# Whole-value patterns (fullmatch) of ASCII digits: \d would also match other scripts' digits
_FORMS = (
    (re.compile(r"([0-9]{4})"), "year"),
    (re.compile(r"([0-9]{4})-([0-9]{2})"), "month"),
    (re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})"), "day"),
)
_AMBIGUOUS = (re.compile(r"[0-9]{1,2}[./-][0-9]{1,2}([./-][0-9]{2,4})?"), re.compile(r"[0-9]{2}-[0-9]{2}"))

XSD_BY_PRECISION = {"year": "gYear", "month": "gYearMonth", "day": "date"}


class DateFormatError(ValueError):
    """A date string is not YYYY, YYYY-MM or YYYY-MM-DD, or is not a real date."""


@dataclass(frozen=True, order=True)
class PartialDate:
    """A calendar date known to a year, a month or a day."""

    year: int
    month: int | None = None
    day: int | None = None

    @property
    def precision(self) -> str:
        """``year``, ``month`` or ``day``."""
        if self.day is not None:
            return "day"
        if self.month is not None:
            return "month"
        return "year"

    @property
    def xsd(self) -> str:
        """The XSD datatype's local name for this precision."""
        return XSD_BY_PRECISION[self.precision]

    def __str__(self) -> str:
        if self.day is not None:
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        if self.month is not None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}"

    def first_day(self) -> tuple[int, int, int]:
        """The earliest day the date can stand for."""
        return (self.year, self.month or 1, self.day or 1)

    def last_day(self) -> tuple[int, int, int]:
        """The latest day the date can stand for."""
        month = self.month or 12
        day = self.day or calendar.monthrange(self.year, month)[1]
        return (self.year, month, day)


def parse_date(text: str) -> PartialDate:
    """Parse ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``; reject anything else."""
    value = text.strip()
    if any(c.isdigit() and not c.isascii() for c in value):
        raise DateFormatError(f"'{text}': write the date with the digits 0-9 (YYYY, YYYY-MM or YYYY-MM-DD)")
    for pattern, precision in _FORMS:
        match = pattern.fullmatch(value)
        if not match:
            continue
        parts = [int(g) for g in match.groups()]
        year = parts[0]
        if year < 1000:
            raise DateFormatError(f"'{text}': the year must have four digits")
        if precision == "year":
            return PartialDate(year)
        month = parts[1]
        if not 1 <= month <= 12:
            raise DateFormatError(f"'{text}': there is no month {month:02d}")
        if precision == "month":
            return PartialDate(year, month)
        day = parts[2]
        last = calendar.monthrange(year, month)[1]
        if not 1 <= day <= last:
            raise DateFormatError(f"'{text}': {calendar.month_name[month]} {year} has {last} days")
        return PartialDate(year, month, day)
    if any(pattern.fullmatch(value) for pattern in _AMBIGUOUS):
        raise DateFormatError(f"'{text}' is ambiguous; write YYYY, YYYY-MM or YYYY-MM-DD")
    raise DateFormatError(f"'{text}' is not a date; write YYYY, YYYY-MM or YYYY-MM-DD")


def definitely_before(end: PartialDate, start: PartialDate) -> bool:
    """True when every day ``end`` can stand for lies before every day ``start`` can."""
    return end.last_day() < start.first_day()


def definitely_within(d: PartialDate, start: PartialDate | None, end: PartialDate | None) -> bool:
    """True when every day ``d`` can stand for lies within every span from ``start`` to ``end`` they can stand
    for (an open side is no bound)."""
    if start is None and end is None:
        return False
    return (start is None or start.last_day() <= d.first_day()) and (end is None or d.last_day() <= end.first_day())


def add_years_months(d: PartialDate, years: int, months: int) -> PartialDate | None:
    """``d`` moved on by a duration, at ``d``'s own precision; None when that precision cannot say (a year
    plus 18 months). A day that the later month lacks (29 February) becomes its last day."""
    if d.month is None:
        return PartialDate(d.year + years + months // 12) if months % 12 == 0 else None
    total = d.year * 12 + (d.month - 1) + years * 12 + months
    year, month = divmod(total, 12)
    if d.day is None:
        return PartialDate(year, month + 1)
    return PartialDate(year, month + 1, min(d.day, calendar.monthrange(year, month + 1)[1]))
