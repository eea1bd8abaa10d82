"""The exchange holidays that ship with ARBIG (``data/shfe_holidays.toml``).

The calendar itself is pure (``domain/calendar.py``); this module reads the data file
and says when it runs out or is still provisional.
"""

import tomllib
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from importlib import resources

# How long before the last listed year ends `arbig contract show` starts to warn.
WARN_BEFORE = timedelta(days=60)


@dataclass(frozen=True, slots=True)
class HolidayYear:
    """One year of SHFE closures and where they come from."""

    year: int
    days: tuple[date, ...]
    source: str
    provisional: bool


@cache
def shipped_years() -> tuple[HolidayYear, ...]:
    """The years in the shipped file, oldest first."""
    text = resources.files("arbig").joinpath("data/shfe_holidays.toml").read_text("utf-8")
    years = []
    for key, table in tomllib.loads(text).items():
        days = tuple(sorted(table["days"]))
        if any(not isinstance(d, date) or d.year != int(key) for d in days):
            raise ValueError(f"shfe_holidays.toml [{key}]: every day must be a date in {key}")
        years.append(HolidayYear(int(key), days, table["source"], bool(table["provisional"])))
    return tuple(sorted(years, key=lambda y: y.year))


def shipped_holidays() -> list[date]:
    """Every shipped closure day."""
    return [day for year in shipped_years() for day in year.days]


def calendar_end() -> date:
    """The last day the shipped calendar covers."""
    return date(shipped_years()[-1].year, 12, 31)


def calendar_warnings(today: date) -> list[str]:
    """What an operator should know about the holiday calendar on ``today``."""
    warnings = []
    end = calendar_end()
    if today > end:
        warnings.append(
            f"the exchange holiday calendar ended on {end}: holidays after it are unknown, "
            "so trading days, night sessions and expiries may be wrong; add the new year's "
            "closures (`holidays` in the configuration, or src/arbig/data/shfe_holidays.toml)"
        )
    elif end - today <= WARN_BEFORE:
        warnings.append(
            f"the exchange holiday calendar ends on {end} ({(end - today).days} days): add "
            "next year's closures from SHFE's notice (`holidays` in the configuration)"
        )
    for year in shipped_years():
        if year.provisional and year.year in (today.year, today.year + 1):
            warnings.append(
                f"the holidays of {year.year} are provisional (estimated, not from SHFE's "
                "notice): check them against the notice and set `holidays` when it is out"
            )
    return warnings
