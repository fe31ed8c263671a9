"""Anchoring relative dates ("on Monday", "last year", "three years later") to absolute ones."""
from __future__ import annotations

import re
from datetime import date, timedelta

_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
            "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12}
_NUM = r"(\d{1,2}|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
_YEAR = re.compile(r"\b(19[5-9]\d|20\d\d)\b")

_WEEKDAY_RE = re.compile(r"\b(?:(on|last|this|past) )?(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
                         r"(?: (morning|afternoon|evening|night))?\b"
                         r"(?!,? (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\w*\.? \d)")
_PREP_BEFORE = re.compile(r"\b(by|until|till|before|after|since|from|through)\s+$", re.I)
_DAY_RE = re.compile(r"\b(yesterday|today|tomorrow|tonight|this morning|this afternoon|this evening)\b", re.I)
_PERIOD_RE = re.compile(r"(?<!\bthe )\b(?:(earlier|later) )?(?:(in|during|over) )?(last|this|next|the past) "
                        r"(week|month|year)\b", re.I)
_WITHIN_RE = re.compile(r"\bwithin the (next|coming) (week|month|year)\b", re.I)
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"]
_MONTH_RE = re.compile(r"\b(in|on|since|until|by|from|through|before|after|during|of|early|late|mid-|last|next"
                       r"|this|starting|beginning|effective)"
                       rf"( |(?<=-))({'|'.join(_MONTHS)})( \d{{1,2}})?\b(?!,? \d)(?!\d)")
_AGO_RE = re.compile(rf"\b{_NUM} (years?|months?|weeks?|days?) (ago|later|earlier|before|after)\b", re.I)


def fmt(day: date) -> str:
    """A date as 'May 19, 2025'."""
    return f"{day:%B} {day.day}, {day.year}"


def years_in(text: str) -> list[int]:
    """Four-digit years (1950-2099) mentioned in the text, in order."""
    return [int(y) for y in _YEAR.findall(text)]


def anchor(text: str, published: date | None, context_year: int | None = None) -> str:
    """`text` with relative dates made absolute against `published` (and `context_year` for 'later')."""
    if published is not None:
        text = _WEEKDAY_RE.sub(lambda m: _weekday(m, published), text)
        text = _DAY_RE.sub(lambda m: _day(m, published), text)
        text = _WITHIN_RE.sub(lambda m: "by " + fmt(_after(published, m.group(2).lower())), text)
        text = _PERIOD_RE.sub(lambda m: _period(m, published), text)
        whole = _tense(text)
        text = _MONTH_RE.sub(lambda m: _month(m, published, _local_tense(m, whole)), text)
    return _AGO_RE.sub(lambda m: _ago(m, published, context_year), text)


def _weekday(m: re.Match, published: date) -> str:
    target = _WEEKDAYS.index(m.group(2).lower())
    back = (published.weekday() - target) % 7
    if m.group(1) in ("last", "past") and back == 0:
        back = 7
    day = fmt(published - timedelta(days=back))
    if m.group(3):
        day = f"the {m.group(3)} of {day}"  # 'Wednesday morning' -> 'the morning of February 26, 2025'
    return day if _PREP_BEFORE.search(m.string[:m.start()]) else "on " + day  # 'by Wednesday', not 'by on'



def _day(m: re.Match, published: date) -> str:
    word = m.group(1).lower()
    shift = {"yesterday": -1, "tomorrow": 1}.get(word, 0)
    return "on " + fmt(published + timedelta(days=shift))


def _period(m: re.Match, published: date) -> str:
    when, which, unit = (m.group(1) or "").lower(), m.group(3).lower(), m.group(4).lower()
    after_prep = bool(re.search(r"\b(until|since|by|before|after|from|through|till)\s+$", m.string[:m.start()], re.I))
    step = {"last": -1, "the past": -1, "this": 0, "next": 1}[which]
    if which == "the past":
        return m.group(0)
    if unit == "year":
        label = str(published.year + step)
    elif unit == "month":
        month_index = published.year * 12 + published.month - 1 + step
        label = f"{date(month_index // 12, month_index % 12 + 1, 1):%B %Y}"
    else:
        monday = published - timedelta(days=published.weekday()) + timedelta(weeks=step)
        label = "the week of " + fmt(monday)
    if after_prep and not when and not m.group(2):  # 'until this week' -> 'until the week of May 19, 2025'
        return label
    return f"{when} in {label}".strip() if when else f"in {label}"


_FUTURE = re.compile(r"\b(will|shall|due|expected|scheduled|plans?|planned|set to|upcoming|(is|are) to)\b", re.I)
_PAST = re.compile(r"\b(was|were|had|did|\w{3,}ed)\b", re.I)


def _tense(text: str) -> str | None:
    """'future', 'past' or None (present or unclear) for a one-clause claim."""
    if _FUTURE.search(text):
        return "future"
    return "past" if _PAST.search(text) else None


def _after(published: date, unit: str) -> date:
    """The day a week, a month or a year after `published` ('within the next month' -> by then)."""
    if unit == "week":
        return published + timedelta(days=7)
    if unit == "year":
        return date(published.year + 1, published.month, min(published.day, 28))
    index = published.year * 12 + published.month  # the next month, 0-based months
    return date(index // 12, index % 12 + 1, min(published.day, 28))


_CLAUSE_START = re.compile(r".*(?:\b(?:after|before|when|while|since|because|until)\b|[;—–])", re.I | re.S)


def _local_tense(m: re.Match, whole: str | None) -> str | None:
    """The tense of the clause a month name sits in: 'will open in May, after it fined X in April'
    has a future May and a past April. Falls back to the whole claim's tense."""
    prefix = m.string[:m.start()]
    cut = _CLAUSE_START.match(prefix)
    local = _tense(prefix[cut.end():] if cut else prefix)
    return local or whole


def _month(m: re.Match, published: date, tense: str | None = None) -> str:
    """'in March' / 'on September 26' / 'last September' with the year filled in: the latest such
    date up to publication for a claim in the past tense, the next one for the future, else the
    nearest."""
    word, month = m.group(1), _MONTHS.index(m.group(3)) + 1
    day = int(m.group(4)) if m.group(4) else None
    if day is not None and not 1 <= day <= 31:
        return m.group(0)
    if word == "last":
        year = published.year if month < published.month else published.year - 1
    elif word == "next":
        year = published.year if month > published.month else published.year + 1
    elif word == "this":
        year = published.year
    elif tense == "past":
        year = published.year if (month, day or 1) <= (published.month, published.day) else published.year - 1
    elif tense == "future":
        year = published.year if (month, day or 31) >= (published.month, published.day) else published.year + 1
    else:  # the year that puts the date nearest the publication date
        year = min((published.year - 1, published.year, published.year + 1),
                   key=lambda y: abs((date(y, month, min(day or 15, 28)) - published).days))
    lead = "in" if word in ("last", "next", "this") else word
    sep = "" if word == "mid-" else " "
    return f"{lead}{sep}{m.group(3)} {day}, {year}" if day else f"{lead}{sep}{m.group(3)} {year}"


def _ago(m: re.Match, published: date | None, context_year: int | None) -> str:
    n = int(m.group(1)) if m.group(1).isdigit() else _NUMBERS[m.group(1).lower()]
    unit, direction = m.group(2).lower().rstrip("s"), m.group(3).lower()
    if direction == "ago":
        if published is None:
            return m.group(0)
        if unit == "year":
            return f"in {published.year - n}"
        if unit == "month":
            index = published.year * 12 + published.month - 1 - n
            return f"in {date(index // 12, index % 12 + 1, 1):%B %Y}"
        days = n * (7 if unit == "week" else 1)
        return "on " + fmt(published - timedelta(days=days))
    if unit != "year" or context_year is None:
        return m.group(0)
    sign = 1 if direction in ("later", "after") else -1
    return f"in {context_year + sign * n}"
