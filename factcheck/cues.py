"""Lexical cues that decide tech-news claims: numbers, years, names, negation and direction of change that disagree, or all agree."""
from __future__ import annotations

import re
from functools import lru_cache

from factcheck.lexical import SCALE as _SCALE, STOPWORDS, tokenize
from factcheck.reldates import _MONTHS

# A number joined to a word by a hyphen names something ("IL-10", "kinesin-8", "V-9302", "COVID-19",
# "Lumen-2"): it is part of a name, not a quantity the claim states.
_NUMBER = re.compile(r"(?<![\w.])(?<![^\W\d_]-)(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*(%|percent|thousand|million|billion|trillion|bn|mn|tn|k|m|b)?\b",
                     re.IGNORECASE)
# Bumped when what the cues read changes, so that verdicts stored under the old cues count as another
# verifier version (`factcheck recheck` redoes them). 2: numbers inside hyphenated names are not figures;
# 3: a product or person named as another variant ("Grok 3" for "Grok 3 mini") is a mismatch;
# 4: a number that ends a name ("Grok 3", "Windows 11") is no figure to compare;
# 5: an amount after a name is not part of it, a bare family name or a variant the claim names itself is no
# variant, and days of the month are compared as dates, not as figures; a claim's bounds and estimates ("more than
# 60 percent", "about 1,000") are met by the figures they describe; 6: days written before their month ("30 June") are
# dates too; 7: a name given in place of one of the claim's (`swapped_names`), and a sentence that says a detail was
# not given (`undisclosed`); 8: numbers written as words are figures ("twelve drones", "twenty-seven million euros"),
# a sentence's negation counts only in the clause that states the claim's fact (`negated_clause`), "passed" a figure
# is a bound, a post given to another person (`post_holder_swap`) and a place swapped (`swapped_place`) refute, and a
# claim's figures are compared with the clause that states its fact (`best_clause`); 9: a word that qualifies a figure
# starts no name ("About 30,000" opening a quote is a figure), and another post given to the claim's person
# (`post_changed`) refutes; 10: a name with the firm before the product ("The Quorvel QA-40") is compared as the source
# says it ("the QA-40"), the clause that gives the claim's figure must not give it to another variant (`mismatches`),
# a thing the evidence puts in another place (`moved_place`) refutes, a range states its scale once ("between 14 and
# 18 million"), a sentence that gives no year can agree with a claim's figures, "one hundred and ninety" is 190, and a
# figure is read in its unit's base ("0.35 kilowatts" is "350 watts"); 11: a sentence that gives the claim's figures
# for a sibling variant or place (`sibling_detail`) neither supports nor refutes it, and a text with no word of
# change points the way of its comparisons ("higher", "fewer", "dilutive"); 12: months, quarters and halves of the year
# are compared (`calendar_mismatches`), "up from" and "down from" are words of change, and a figure the claim works out
# from two of the evidence's (a change, a ratio, a total) agrees with it (`derived_agree`); a passage that names none of
# the claim's names (`names_none`) neither supports nor refutes it; 13: a change on a year before ("$147 million higher
# than a year earlier") may be worked out from the year before's figure, which names that year (`derived_agree`), a
# sentence that works out the claim's figure does not lack it (`figures_missing`, in the verifier) and needs to use a
# third of the claim's words, not half (`verify.DERIVED_OVERLAP`); 14: a claim that compares two years ("lower in the
# first quarter of 2026 than in the fourth quarter of 2025") may be stated by evidence that names only some of them;
# 15: "director of X" is a post, as "head of X" is (`post_holder_swap`, `post_changed`); 16: a sentence that works out
# the claim's figure (`derived_agree`) and that the model reads as neither supports it (`verify.cue_adjusted`);
# 17: lengths under a metre, frequencies and data rates are figures in their unit's base ("300-millimetre" is
# "30-centimetre"); 18: a sentence or derived window that works out the claim's figure is not cut by the relevance
# gate (`verify.NLIVerifier`); 19: durations in hours and minutes are one figure in minutes ("14 hours and 10 minutes"
# is 850 minutes; `durations`) and "longer", "faster", "heavier" ... ask for a worked-out difference, a sentence that
# withholds what the claim says was withheld supports it (`verify.withheld_alike`), and a year that dates only the
# figure the evidence compares with is not the claim's year (`stated_years`); "did not break out" and "was not
# included" say a detail was not given (`undisclosed`), and a sentence whose figures measure something other than the
# claim's may refute it only a little (`other_measure`, `verify.MEASURE_CAP`); a sibling's sentence capped by
# `verify.SIBLING_CAP` gets no support from the relatedness cue (`verify.NLIVerifier`), and a sentence that gives all
# the claim's figures in its own words, in no other direction or variant, turns a contradiction into support
# (`verify.agrees_in_own_words`); 20: a sentence that gives the claim's figure for another thing and another figure
# for the claim's refutes it (`figure_elsewhere`), a place after "in the" is a sibling's place too, and a speaker the
# claim names beside another post than the evidence gives them is a changed post (`post_changed`; vice presidents and
# executive directors too), and a speaker's post given to another person beside the same firm a swap
# (`post_holder_swap`).
CUES_VERSION = 20
_YEAR = re.compile(r"\b(19[5-9]\d|20\d\d)\b")
_NEGATION = re.compile(r"\b(not|never|no longer|without|none|neither|nor|denied|denies|refused|failed to|"
                       r"cannot|can't|won't|didn't|doesn't|don't|isn't|aren't|wasn't|weren't|hasn't|haven't)\b|n't\b",
                       re.IGNORECASE)


# Words of change that point one way: "revenue rose" against "revenue fell" is a contradiction that
# small NLI models, weighing the shared words, read as support.
_UP = re.compile(r"\b(?:rise|rises|rose|risen|rising|grew|grow|grows|grown|growing|increas\w*|climb\w*|jump\w*|"
                 r"surg\w*|soar\w*|gain|gains|gained|up(?= \$?\d| from\b))\b", re.IGNORECASE)
_DOWN = re.compile(r"\b(?:fall|falls|fell|fallen|falling|declin\w*|decreas\w*|drop|drops|dropped|dropping|shr[aiu]nk\w*|"
                   r"slump\w*|plung\w*|tumbl\w*|sank|sink|sinks|reduc\w*|down(?= \$?\d| from\b))\b", re.IGNORECASE)


# Comparisons that point one way ("about 8 percent higher than", "shipped fewer phones", "accretive" against
# "dilutive"), lower case only ("the Vienna Higher Regional Court"); read only where no word of change is.
_MORE = re.compile(r"\b(?:higher|accretive)\b")
_LESS = re.compile(r"\b(?:lower|fewer|dilut\w*)\b")


def direction(text: str) -> int:
    """+1 when the text's words of change all point up ("rose", "grew", "up 38 percent"), -1 when they
    all point down ("fell", "declined"), 0 when it has none or both. A text with no word of change
    points the way of its comparisons ("8 percent lower than", "dilutive"): "Net profit fell 4%, which
    the company blamed on higher research spending" points down."""
    up, down = bool(_UP.search(text)), bool(_DOWN.search(text))
    if not up and not down:
        up, down = bool(_MORE.search(text)), bool(_LESS.search(text))
    return int(up) - int(down)


def years(text: str) -> set[int]:
    """Four-digit years mentioned in the text."""
    return {int(y) for y in _YEAR.findall(text)}


def _figures(text: str, names_too: bool = True):
    """(scaled value, digits as written, unit) of each number other than a year; without `names_too`,
    not the numbers that end a name either ("Grok 3", "Windows 11", "Lumen-2 8B": `_ends_name`)."""
    for value, raw, unit, _ in _qualified(text, names_too):
        yield value, raw, unit


# Words before a figure that make it a bound or an estimate: "more than 60 percent" is true of 64 percent,
# "passed one million paid seats" of 1.1 million,
# "about 1,000" of 1,040 (to the figure's last digit: "about $7.5 billion" is not $7.1 billion), "up to 7 percent"
# of 7 percent; a figure without them must match (`_close`).
_QUALIFIER = re.compile(r"\b(?:(?P<over>more than|over|above|at least|exceeding|upwards of|in excess of|beyond|"
                        r"passed|surpassed|topped|exceeded|crossed)|"
                        r"(?P<under>less than|fewer than|under|below|at most|up to|no more than)|"
                        r"(?P<about>about|around|roughly|approximately|nearly|almost|some|close to|"
                        r"an estimated|estimated|circa))\s+(?:(?:US|C|A)?[$\u20ac\u00a3\u00a5]|Rs\.?\s?)?$", re.IGNORECASE)


_EXACT = ("", 0.0)


_ONES = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen " \
        "eighteen nineteen".split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
_WORD_VALUE = {w: n for n, w in enumerate(_ONES, 1)} | {w: n for n, w in zip(range(20, 100, 10), _TENS)}
_SPELLED = re.compile(rf"\b(?:({'|'.join(_TENS)})(?:[-\u2010\u2011 ]({'|'.join(_ONES[:9])}))?|({'|'.join(_ONES)}))\b", re.IGNORECASE)
# After a number word: a fraction ("two thirds") is no figure, nor is "one" before anything but a scale word or
# "hundred" ("one of the", "one-off"; "one million" and "one hundred" are figures).
_NOT_FIGURE = re.compile(r"[-\u2010\u2011 ]+(?:thirds?|quarters?|halves|half|fifths?|tenths?)\b", re.IGNORECASE)
_HUNDREDS = re.compile(rf"\b({'|'.join(_ONES)})[-\u2010\u2011 ]hundred\b", re.IGNORECASE)
_HUNDREDS_AND = re.compile(rf"\b({'|'.join(_ONES)})[-\u2010\u2011 ]hundred(?:\s+and)?[-\u2010\u2011 ]+"
                           rf"(?:({'|'.join(_TENS)})(?:[-\u2010\u2011 ]({'|'.join(_ONES[:9])}))?|({'|'.join(_ONES)}))\b",
                           re.IGNORECASE)   # "one hundred and ninety", "two hundred fifty-five"
_SCALE_AFTER = re.compile(r" +(?:thousand|million|billion|trillion)\b", re.IGNORECASE)


def spelled_numbers(text: str) -> str:
    """The text with numbers written as words in digits ("twelve drones" -> "12 drones", "twenty-seven million
    euros" -> "27 million euros", "every six months" -> "every 6 months", "three hundred" -> "300"), so that they
    compare as figures; "one" only before a scale word or "hundred", and fractions are left as written."""
    def digits(match: re.Match) -> str:
        if _NOT_FIGURE.match(text, match.end()):
            return match.group(0)
        if match.group(3):
            word = match.group(3).lower()
            if word == "one" and not _SCALE_AFTER.match(text, match.end()):
                return match.group(0)
            return str(_WORD_VALUE[word])
        return str(_WORD_VALUE[match.group(1).lower()] + (_WORD_VALUE[match.group(2).lower()] if match.group(2) else 0))

    def hundreds_and(m: re.Match) -> str:
        rest = (_WORD_VALUE[m.group(2).lower()] + (_WORD_VALUE[m.group(3).lower()] if m.group(3) else 0) if m.group(2)
                else _WORD_VALUE[m.group(4).lower()])
        return str(100 * _WORD_VALUE[m.group(1).lower()] + rest)

    text = _HUNDREDS_AND.sub(hundreds_and, text)
    text = _HUNDREDS.sub(lambda m: str(100 * _WORD_VALUE[m.group(1).lower()]), text)
    return _SPELLED.sub(digits, text)


_MONTHS_AFTER = re.compile(r"[-\u2010\u2011 ]?months?\b", re.IGNORECASE)
# Units that say the same quantity in other sizes, to their base: "1.92 kg" is "1,920 grams", "0.35 kilowatts" is "350
# watts", "2 euro cents" is "€0.02". Single letters ("g", "W", "m") are left out: "5G", "$5m".
_UNIT_FACTOR = {"kilogram": 1e3, "kilograms": 1e3, "kg": 1e3, "gram": 1.0, "grams": 1.0, "tonne": 1e6, "tonnes": 1e6,
                "kilowatt": 1e3, "kilowatts": 1e3, "kw": 1e3, "megawatt": 1e6, "megawatts": 1e6, "mw": 1e6,
                "gigawatt": 1e9, "gigawatts": 1e9, "gw": 1e9, "watt": 1.0, "watts": 1.0,
                "kwh": 1e3, "mwh": 1e6, "gwh": 1e9, "twh": 1e12, "kilowatt-hours": 1e3, "megawatt-hours": 1e6,
                "gigawatt-hours": 1e9, "kilometre": 1e3, "kilometres": 1e3, "kilometer": 1e3, "kilometers": 1e3,
                "km": 1e3, "metre": 1.0, "metres": 1.0, "meter": 1.0, "meters": 1.0, "centimetre": 1e-2,
                "centimetres": 1e-2, "centimeter": 1e-2, "centimeters": 1e-2, "cm": 1e-2, "millimetre": 1e-3,
                "millimetres": 1e-3, "millimeter": 1e-3, "millimeters": 1e-3, "mm": 1e-3, "nanometre": 1e-9,
                "nanometres": 1e-9, "nanometer": 1e-9, "nanometers": 1e-9, "nm": 1e-9, "megahertz": 1e6, "mhz": 1e6,
                "gigahertz": 1e9, "ghz": 1e9,
                "megabit": 1e6, "megabits": 1e6, "mbps": 1e6, "gigabit": 1e9, "gigabits": 1e9, "gbps": 1e9,
                "terabit": 1e12, "terabits": 1e12, "tbps": 1e12,
                "megabytes": 1e6, "mb": 1e6, "gigabytes": 1e9, "gb": 1e9, "terabytes": 1e12, "tb": 1e12,
                "petabytes": 1e15, "pb": 1e15, "cent": 0.01, "cents": 0.01,
                "hour": 60.0, "hours": 60.0, "hrs": 60.0, "minute": 1.0, "minutes": 1.0, "mins": 1.0, "min": 1.0}
_UNIT_AFTER = re.compile(r"[-\u2010\u2011 ]?(?:(?:euro|us|u\.s\.|dollar)\s+)?("
                         + "|".join(sorted(map(re.escape, _UNIT_FACTOR), key=len, reverse=True))
                         + r")\b(?![ -]?hg\b)", re.IGNORECASE)     # "120 mm Hg" is a pressure, not 0.12 metres
# A range that states its scale once: "between 14 and 18 million euros", "from 1.5 to 2 billion", "14 to 18 million".
_RANGE = re.compile(r"(?<![\w.,])(\d+(?:\.\d+)?)(?=\s*(and|to|-|\u2013)\s*(?:(?:US|C|A)?[$\u20ac\u00a3\u00a5])?\d+(?:\.\d+)?\s*"
                    r"(thousand|million|billion|trillion)\b)", re.IGNORECASE)
_BETWEEN = re.compile(r"\bbetween\s+(?:(?:US|C|A)?[$\u20ac\u00a3\u00a5])?$", re.IGNORECASE)


# A duration in hours and minutes: "14 hours and 10 minutes", "9h23m", "2 h 35 min", "3 hrs 5 mins".
_HOURS_MINUTES = re.compile(r"(?<![\w.,])(\d+)\s*(?:hours?|hrs?|h)\s*(?:and\s+)?(\d{1,2})\s*(?:minutes?|mins?|m)\b",
                            re.IGNORECASE)


def durations(text: str) -> str:
    """The text with durations in hours and minutes written in minutes ("14 hours and 10 minutes" -> "850 minutes",
    "9h23m" -> "563 minutes"), so that they compare as one figure and their differences can be worked out; a duration
    in hours alone is read in minutes too (`_UNIT_FACTOR`: "2.5 hours" is 150 minutes)."""
    return _HOURS_MINUTES.sub(lambda m: f"{60 * int(m.group(1)) + int(m.group(2))} minutes", text)


def ranges_scaled(text: str) -> str:
    """The text with the scale of a range's upper figure also after its lower one: "between 14 and 18 million" ->
    "between 14 million and 18 million" ("and" only after "between": "Grok 3 and 4 million users" is no range)."""
    def scaled(match: re.Match) -> str:
        if match.group(2).lower() == "and" and not _BETWEEN.search(text, max(0, match.start() - 12), match.start()):
            return match.group(0)
        return f"{match.group(1)} {match.group(3)}"

    return _RANGE.sub(scaled, text)


def _as_figures(text: str) -> str:
    """The text with its numbers in words, durations and ranges written as the figures `_NUMBER` reads."""
    return ranges_scaled(durations(spelled_numbers(text)))


def _qualified(text: str, names_too: bool = True):
    """(scaled value, digits as written, unit, bound) per figure, numbers written as words included
    (`spelled_numbers`); bound: ("over" | "under" | "about" | "", the tolerance of "about": half a unit of the
    figure's last digit)."""
    text = _as_figures(text)
    for match in _NUMBER.finditer(text):
        raw, unit = match.group(1), (match.group(2) or "").lower()
        if not unit and "," not in raw and "." not in raw and _YEAR.fullmatch(raw):
            continue
        if not names_too and _ends_name(text, match):
            continue
        found = _QUALIFIER.search(text, max(0, match.start() - 40), match.start())
        kind = next((k for k, v in found.groupdict().items() if v), "") if found else ""
        scale = _SCALE.get(unit, 1.0)
        digits = raw.replace(",", "")
        # "about" rounds: "about 60" is 55-65, "about $7.5 billion" 7.45-7.55 billion
        step = 10.0 ** -len(digits.split(".")[1]) if "." in digits else 10.0 ** (len(digits) - len(digits.rstrip("0")))
        if _MONTHS_AFTER.match(text, match.end()):
            scale /= 12               # a duration in months, in years: "24 months" is "two years"
        elif sized := _UNIT_AFTER.match(text, match.end()):   # "1.92 kg" is "1,920 grams"
            scale *= _UNIT_FACTOR[sized.group(1).lower()]
        yield float(digits) * scale, raw, unit, (kind, step * scale / 2 if kind == "about" else 0.0)


def _fits(value: float, bound: tuple[str, float], other: float) -> bool:
    """Whether `other` (the evidence's figure) is what a claim's figure with this bound states."""
    kind, tolerance = bound
    if kind == "over":      # within a factor of two: "more than 70 percent" says nothing of $3.91 billion
        return value * 0.99 <= other <= value * 2
    if kind == "under":
        return value / 2 <= other <= value * 1.01
    return abs(value - other) <= tolerance * (1 + 1e-9) or _close(value, other)


_BEFORE = re.compile(r"(\S+) $")
_MONTH_NAMES = [m.lower() for m in _MONTHS] + "jan feb mar apr jun jul aug sep sept oct nov dec".split()
_CALENDAR = frozenset(_MONTH_NAMES + "monday tuesday wednesday thursday friday saturday sunday "
                                     "usd eur gbp jpy cny rmb chf inr cad aud us$".split())
_CALENDAR_TITLES = frozenset(w.title() for w in _CALENDAR)   # "March", "Monday": no places
_DAY = re.compile(rf"\b((?:{'|'.join(_MONTH_NAMES)})\.?)\s+\d{{1,2}}(?:st|nd|rd|th)?\b", re.IGNORECASE)   # "May 19"
# A day written before its month ("30 June 2026", "1st of March"), as wire services outside the U.S. write it.
_DAY_FIRST = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?((?:{'|'.join(_MONTH_NAMES)})\b)\.?(?:,?\s+((?:19|20)\d\d)\b)?",
                        re.IGNORECASE)


def month_first(text: str) -> str:
    """The text with day-first dates written month first ("30 June 2026" -> "June 30, 2026"), so that the day is
    read as a date's (`_DAY`), not as a figure, and compared with "June 30, 2026" as the same date."""
    return _DAY_FIRST.sub(lambda m: f"{m.group(2)} {m.group(1)}" + (f", {m.group(3)}" if m.group(3) else ""), text)


_MONTH_HEADS = [m[:3] for m in _MONTH_NAMES[:12]]   # "jan" ... "dec": January is month 1


def dates(text: str) -> set[tuple[int, int]]:
    """(month, day) of each day of the month the text names, written either way ("March 10", "10 Sept. 2026")."""
    found = set()
    for match in _DAY.finditer(month_first(text)):
        month = _MONTH_HEADS.index(match.group(1).lower()[:3]) + 1
        found.add((month, int(re.match(r"\s*(\d+)", match.group(0)[len(match.group(1)):]).group(1))))
    return found


_ORDINAL = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4}
# A month the text names by itself or in a date ("in March 2026", "March 1"); capitalised, so "may" the verb is no month.
_MONTH_WORD = re.compile(rf"\b({'|'.join(m.title() for m in _MONTH_NAMES)})\b\.?")
# A quarter or half of a year: "the second quarter", "third-quarter", "Q3", "the first half", "H2 2026".
_PERIOD = re.compile(r"\b(first|second|third|fourth|1st|2nd|3rd|4th)[-\u2010\u2011 ]+(quarter|half)\b|\b([QH])([1-4])\b",
                     re.IGNORECASE)


def periods(text: str) -> dict[str, set[int]]:
    """The months, quarters and halves of a year the text names: {"month": {3}, "quarter": {2}, "half": set()}.

    "Q3" and "H2" count unless they end a name ("Audi Q4"); "May" and "March" only capitalised."""
    found: dict[str, set[int]] = {"month": set(), "quarter": set(), "half": set()}
    for match in _MONTH_WORD.finditer(text):
        found["month"].add(_MONTH_HEADS.index(match.group(1).lower()[:3]) + 1)
    for match in _PERIOD.finditer(text):
        if match.group(1):
            kind, number = match.group(2).lower(), _ORDINAL[match.group(1).lower()]
        else:
            kind, number = ("quarter" if match.group(3).upper() == "Q" else "half"), int(match.group(4))
            before = _BEFORE.search(text, 0, match.start())
            if match.group(3).islower() or (before and before.group(1)[:1].isupper() and not _TRAIL.search(before.group(1))):
                continue
        if kind == "quarter" or number <= 2:      # no "third half"
            found[kind].add(number)
    return found


def _ends_name(text: str, match: re.Match) -> bool:
    """Whether a number is the last part of a name: right after a capitalised word that is not a date's, a
    currency's or an estimate's ("Grok 3", "Pixel 9", "Lumen-2 8B"; not "May 19", "USD 500", "About 300" or
    "scores 84.1"), with no scale word or unit of its own apart from a letter written onto it ("8B")."""
    unit = match.group(2) or ""
    if unit and (len(unit) > 1 or match.group(0)[len(match.group(1))].isspace()):
        return False
    before = _BEFORE.search(text, 0, match.start())
    if before and before.group(1).lower() == "version":         # "RuvaneDB version 9.0" is "RuvaneDB 9.0"
        before = _BEFORE.search(text, 0, before.start())
    if not before:
        return False
    word = _TRAIL.sub("", before.group(1))
    if word != before.group(1) or not word or not any(c.isupper() for c in word):
        return False                          # punctuation ends a name: "Q1, 38 percent"
    word = word.lstrip("([\"'\u201c\u2018").lower()
    return word not in STOPWORDS and word not in _ESTIMATE and word.rstrip(".") not in _CALENDAR


def quantities(text: str, names_too: bool = True) -> set[float]:
    """Numbers other than years, scaled by their word ('$13 billion' -> 1.3e10); without `names_too`,
    not those that end a name ('Grok 3')."""
    return {value for value, _, _ in _figures(text, names_too)}


def negated(text: str) -> bool:
    return bool(_NEGATION.search(text))


# Where a sentence joins clauses that state different facts: "... fidelity of 99.7%, the company said; it has not
# published a target for the Tessaly 96", "Standard will rise to €11.49, while Premium will stay at €17.99".
_CLAUSE = re.compile(r"\s*(?:;|:(?=\s)|\u2014|\u2013|\s-\s|,?\s+\b(?:but|while|whereas|although|though)\b)\s*", re.IGNORECASE)
# Words as written, figures with their signs ("€0.49", "99.7%"): the lexical index's stemmed tokens drop those signs and
# so tie clauses that these tell apart (tried in the session-21 review: three dev claims changed, one test failed).
_CLAUSE_WORD = re.compile(r"[\w.%$\u20ac\u00a3-]+")


def _clause_words(text: str) -> set[str]:
    return {w.lower() for w in _CLAUSE_WORD.findall(text)} - STOPWORDS


def best_clause(claim: str, evidence: str, figures: bool = False) -> str:
    """The clause of the evidence that shares most of the claim's words (the first on a tie; the whole evidence when it
    is one clause); with `figures`, among the clauses that give a figure, so that a claim's figure is compared with the
    figure stated of the same thing ("Pelorin-4 Lite has a context window of 256,000 tokens" with "Pelorin-4 Lite has
    a context window of 64,000 tokens", not with the 256,000 of "Pelorin-4 can process up to 256,000 tokens, while
    ...")."""
    clauses = [c for c in _CLAUSE.split(evidence) if c.strip()]
    if figures:
        clauses = [c for c in clauses if quantities(_DAY.sub(r"\1", month_first(c)), names_too=False)]
    if len(clauses) < 2:
        return clauses[0] if clauses else evidence
    words = _clause_words(claim)
    return max(clauses, key=lambda c: len(words & _clause_words(c)))


def negated_clause(claim: str, evidence: str) -> bool:
    """Whether the evidence is negated where it speaks to the claim: in the clause that shares most of the claim's
    words, when the sentence has several ("... 99.7%, the company said; it has not published a fidelity target for the
    Tessaly 96" is no negation of "The Tessaly 48 has a fidelity of 99.7 percent")."""
    return negated(best_clause(claim, evidence))


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 0.01 * max(abs(a), abs(b), 1e-9)


# Lower-case words that name a variant of a product ("Grok 3 mini", "GPT-4 turbo", "iPhone 15 pro").
_VARIANT = frozenset("mini pro max ultra nano lite turbo plus flash air preview".split())
_TRAIL = re.compile(r"(?:'s|\u2019s|[,;:.!?)\]\"'\u201d\u2019])+$")
_ADJECTIVE = re.compile(r"[-\u2010\u2011][a-z]+$")   # "CX3CR1-deficient", "ATP-dependent", "Johnson-led"


# Words that qualify a figure, also at the start of a sentence or quote ("About 30,000 customers lost service"):
# no name starts on them.
_ESTIMATE = frozenset("about around roughly approximately nearly almost circa estimated exactly just only less fewer "
                      "below above".split())


def names(text: str) -> list[tuple[str, ...]]:
    """Names in the text as token tuples: runs of capitalised words ("iPhone" and "xAI" count), with the
    figures and variant words that follow them ("Grok 3 mini", "Lumen-2 236B", "Azure AI Foundry").
    A run never starts on a function word ("The", "On") or a word that qualifies a figure ("About 30,000");
    an opening bracket or quote starts a new one, and so does a capitalised word after a figure ("GSM8K
    Lumen-2 236B": two names);
    punctuation, a closing bracket, a possessive 's and an adjective made of a name ("CX3CR1-deficient
    mice": "CX3CR1") end it. Brackets inside a word go ("PGE(2)": "PGE2")."""
    from factcheck.lexical import STOPWORDS

    found: list[tuple[str, ...]] = []
    run: list[str] = []
    tokens = text.split()
    for at, raw in enumerate(tokens):
        token = raw.lstrip("([\"'\u201c\u2018")
        if token != raw and run:
            found.append(tuple(run))
            run = []
        word = _TRAIL.sub("", token)
        closes = word != token
        word = re.sub(r"[()\[\]]", "", word)
        adjective = _ADJECTIVE.search(word)
        if adjective and any(c.isupper() for c in word[:adjective.start()]):
            word, closes = word[:adjective.start()], True
        if run and word.lower() == "version" and at + 1 < len(tokens) and tokens[at + 1][:1].isdigit():
            continue                          # "RuvaneDB version 9.0" names "RuvaneDB 9.0"
        if run and word and word[0].isdigit() and _amount(word, tokens[at + 1] if at + 1 < len(tokens) else ""):
            found.append(tuple(run))          # "fined Driftnote 187 million euros": an amount, not "Driftnote 187"
            run = []
        elif run and word and (word[0].isdigit() or word.lower() in _VARIANT):
            run.append(word)
        elif (word and any(c.isupper() for c in word) and word.lower() not in STOPWORDS
              and (run or word.lower() not in _ESTIMATE)):
            if run and any(_marked(w.lower()) for w in run):
                found.append(tuple(run))     # after a figure a capitalised word starts another name:
                run = []                     # "On GSM8K Lumen-2 236B scores 91.2"
            run.append(word)
        elif run:
            found.append(tuple(run))
            run = []
        if run and closes:
            found.append(tuple(run))
            run = []
    if run:
        found.append(tuple(run))
    return found


_UNITS = frozenset(_SCALE) | frozenset("percent percentage per cent euros euro dollars dollar pounds yen yuan "
                                       "rupees francs".split())


def _amount(word: str, following: str) -> bool:
    """Whether a figure after a name is an amount ("187 million", "34%"), by its own sign or the word after it."""
    return "%" in word or _TRAIL.sub("", following).lower() in _UNITS


def _marked(token: str) -> bool:
    return any(c.isdigit() for c in token) or token in _VARIANT


def name_variants(claim: str, evidence: str) -> list[tuple[str, str]]:
    """Names of the claim that the evidence gives only as another variant: (claim's, evidence's).

    Two names are variants when their first words start with the same letters (up to a hyphen or a
    digit) and the names differ in a figure or a variant word: "Grok 3 mini" and "Grok 3", "Lumen-2 8B"
    and "Lumen-2 236B", "Lumen-1" and "Lumen-2", "T40" and "T50". Names that differ only in other words
    are one name said in full or in short ("Tessellate" and "Tessellate Semiconductor"). A claim's name
    without a figure or variant word names a family ("Grok" for "Grok 3"), and a name the evidence does
    not mention is left to the model: the sentence may speak of it as "the company"."""
    def head(name: tuple[str, ...]) -> str:   # "lumen" of "Lumen-2", "t" of "T40", "gpt" of "GPT-4o"
        first = name[0].lower()
        return re.match(r"[^\W\d_]*", first).group(0) or first

    def said(name: tuple[str, ...]) -> str:
        return "".join(name).lower()

    def tails(name: tuple[str, ...]) -> list[tuple[str, ...]]:
        """The name and its shorter forms without leading words, while they still name a variant: a claim names the
        firm before the product ("The Quorvel QA-40", "Ovranta Kestrow 4") where the source says "the QA-40"."""
        return [name[at:] for at in range(len(name)) if name[at][:1].isalpha() and name[at].lower() not in _VARIANT
                and any(_marked(w.lower()) for w in name[at:])]

    ours = names(claim)
    # Only a named variant tells: the family's or the company's bare name ("Sorrel" of "Sorrel 9") does not,
    # nor a variant the claim itself names ("... two years more than for the Sorrel 8": "Sorrel 8").
    theirs = [other for other in names(evidence) if any(_marked(w.lower()) for w in other)]
    out = []
    for mine in dict.fromkeys(ours):
        if not any(_marked(w.lower()) for w in mine):
            continue                          # a family's name ("Grok") is said of each of its models
        if mine[0].lower().rstrip(".") in _MONTH_NAMES:
            continue                          # "March 10" is a date: `dates` compares those
        also = {said(short) for name in ours if name != mine for short in [name, *tails(name)]} - {said(mine)}
        shorter = tails(mine)
        kin = []                              # (the claim's name as the evidence would say it, the evidence's)
        for other in theirs:
            short = next((t for t in shorter if head(t) == head(other)), None)
            if short is not None and said(other) not in also:
                kin.append((short, other))
        differences = [set() if said(short) == said(other)      # "PGE 2" and "PGE2"
                       else {w.lower() for w in short} ^ {w.lower() for w in other} for short, other in kin]
        if kin and all(any(_marked(w) for w in diff) for diff in differences):
            out.append((" ".join(mine), " ".join(kin[0][1])))
    return out


# A wire story's dateline: "FRANKFURT, April 16 (wire) — ", "LYON, France, 10 March 2026 — ". Its date is the day of
# writing, not of the facts the sentence gives.
_DATELINE = re.compile(rf"^\s*[A-Z][A-Z.'\u2019 -]+(?:,\s*[A-Z][\w.'\u2019 -]*)?,\s*(?:(?:{'|'.join(m.title() for m in _MONTH_NAMES)})\.?"
                       rf"\s+\d{{1,2}}|\d{{1,2}}\s+(?:{'|'.join(m.title() for m in _MONTH_NAMES)})\.?)(?:,?\s+(?:19|20)\d\d)?"
                       r"\s*(?:\([^)]*\))?\s*[\u2014\u2013-]+\s*")


def undated(text: str) -> str:
    """The text without a dateline at its start."""
    return _DATELINE.sub("", text, count=1)


def calendar_mismatches(claim: str, evidence: str) -> list[str]:
    """Another day of the month ("March 10" against "March 9"), month ("shipping in March 2026" against "in September
    2026"), quarter ("the first quarter of 2027" against "the second quarter") or half of the year; both texts
    written month first (`month_first`)."""
    reasons = []
    claim_dates, evidence_dates = dates(claim), dates(evidence)
    if claim_dates and evidence_dates and not claim_dates & evidence_dates:
        reasons.append(f"date {sorted(claim_dates)} vs {sorted(evidence_dates)}")
    # A dateline's month is the month of writing ("AMSTERDAM, Feb 5 (wire) — ... the outage ... last week" is no
    # other month for "Cirrovane's January 2026 outage"); its day is kept, as a press release's "today" is that day.
    claim_periods, evidence_periods = periods(claim), periods(undated(evidence))
    for kind, mine in claim_periods.items():
        if kind == "month" and reasons:
            continue                          # another day of another month is one reason
        if mine and evidence_periods[kind] and not mine & evidence_periods[kind]:
            reasons.append(f"{kind} {sorted(mine)} vs {sorted(evidence_periods[kind])}")
    return reasons


# A figure given to compare with: "climbed to $212 million ... from $145 million", "compared with 33 cents".
_COMPARED = re.compile(r"\b(?:from|compared with|compared to|against|versus|vs\.?)\s+(?:(?:up to|about|around|roughly|"
                       r"nearly|almost|more than|less than)\s+)?(?:(?:US|C|A)?[$\u20ac\u00a3\u00a5]|Rs\.?\s?)?\d",
                       re.IGNORECASE)


def stated_years(claim: str, evidence: str) -> set[int]:
    """The evidence's years, less those that only date a figure it compares with, where it gives the claim's figures
    before that comparison: "Net income climbed to $212 million, or 48 cents a share, from $145 million, or 33 cents a
    share, in the second quarter of 2025" dates $145 million, not the $212 million of "net income for the second
    quarter of 2026 was $212 million" (2025 is the year before, not the claim's year)."""
    found = years(evidence)
    marker = _COMPARED.search(evidence) if found else None
    if not marker:
        return found
    before = evidence[:marker.start()]
    claim = _DAY.sub(r"\1", month_first(claim))
    figures = [(value, bound) for value, _, _, bound in _qualified(claim, names_too=False)]
    given = quantities(_DAY.sub(r"\1", month_first(before)), names_too=False)
    if not figures or not all(any(_fits(v, bound, g) for g in given) for v, bound in figures):
        return found
    return years(before)


def mismatches(claim: str, evidence: str, bounds: bool = True) -> list[str]:
    """Reasons the evidence contradicts the claim on its figures, names or polarity; empty if none found.

    With `bounds`, a claim's bounds and estimates are met by the figures they describe ("more than 60 percent" by
    64 percent): right before calling a contradiction, but not before calling support, as "more than" also
    states thresholds ("plans above $55 a month" is not "plans above $65 a month")."""
    reasons = []
    claim, evidence = month_first(claim), month_first(evidence)
    claim_years, evidence_years = years(claim), stated_years(claim, evidence)
    if claim_years and evidence_years and not claim_years & evidence_years:
        reasons.append(f"year {sorted(claim_years)} vs {sorted(evidence_years)}")
    reasons += calendar_mismatches(claim, evidence)
    # "Grok 3" against "200,000 GPUs" is no changed figure: a name's number is left to `name_variants`.
    # Days of the month are dates, compared as names ("March 9" vs "March 10"), not as figures.
    claim_numbers = {(v, b if bounds else _EXACT) for v, _, _, b in _qualified(_DAY.sub(r"\1", claim), names_too=False)}
    evidence_numbers = quantities(_DAY.sub(r"\1", best_clause(claim, evidence, figures=True)), names_too=False)
    if claim_numbers and evidence_numbers:
        evidence_numbers |= derived(claim, evidence)    # "by 9 euros" against "to 48 euros from 39 euros"
    if claim_numbers and evidence_numbers and not any(_fits(a, bound, b) for a, bound in claim_numbers for b in evidence_numbers):
        reasons.append(f"number {sorted({a for a, _ in claim_numbers})} vs {sorted(evidence_numbers)}")
    variants = name_variants(claim, evidence)
    if claim_numbers and not variants:
        # The clause that gives the claim's figure may give it to another variant, where another clause names the
        # claim's: "The QA-70 sells for about $38,000, while the QA-40 costs $24,500" against "The QA-40 sells for
        # about $38,000".
        variants = name_variants(claim, best_clause(claim, evidence, figures=True))
    for mine, theirs in variants:
        reasons.append(f"name {mine!r} vs {theirs!r}")
    if negated(claim) != negated_clause(claim, evidence):
        reasons.append("negation")
    if direction(claim) * direction(evidence) < 0:
        reasons.append("direction")
    return reasons


def _telling(raw: str, unit: str) -> bool:
    """A figure that states a fact, not a name: a unit or scale, a decimal or comma, or 10 and more
    ('$9.4 billion', '38 percent', '131,072'; not the 3 of 'Grok 3')."""
    return bool(unit) or "," in raw or "." in raw or float(raw) >= 10


def figures_agree(claim: str, evidence: str) -> bool:
    """Whether the claim states figures (years or telling quantities) and the evidence gives every one of
    them, with the same polarity: the mark of a sentence that states the claim's fact itself."""
    claim_years = years(claim)
    telling = {value for value, raw, unit in _figures(claim) if _telling(raw, unit)}
    if not claim_years and not telling:
        return False
    clause = best_clause(claim, evidence, figures=True)
    evidence_numbers = quantities(clause)
    return (all(any(_close(a, b) for b in evidence_numbers) for a in telling)
            and _same_frame(claim, evidence, clause))   # "The QA-70 sells for about $38,000, while the QA-40 ..."


# Words by which a claim compares with the same period a year before: the evidence may then give only that year.
_YEAR_BEFORE = re.compile(r"\b(?:(?:than|from|since|over|on) (?:a|one|the) (?:year|twelve months) (?:earlier|before|ago)|"
                          r"(?:than|from|over|on) (?:last|the previous|the prior) year|year[- ](?:over|on)[- ]year)\b",
                          re.IGNORECASE)


def _same_frame(claim: str, evidence: str, named: str, year_before: bool = False) -> bool:
    """What a sentence that gives the claim's figures must also share with it to state its fact: no other year (one
    the evidence does not state is no disagreement), day, month or quarter, the same negation and direction, and no
    other variant of the claim's names in `named` (the evidence, or the clause that gives the figures). "Net profit
    for the three months ended March 31 fell 4 percent" may state "... fell 4 percent in the first quarter of 2026".
    With `year_before` (a claim that compares with a year before: "... in the first quarter of 2026 were $147 million
    higher than a year earlier"), the evidence may name the year before instead ("$391 million in the quarter,
    compared with $244 million in the first quarter of 2025"). A claim that compares two years may be stated by evidence
    that names only some of them, and no other ("Revenue for the three months to March 31 was $612 million. It was
    below the $655 million Haskarel reported for the fourth quarter of 2025" for "... was $43 million lower in the first
    quarter of 2026 than in the fourth quarter of 2025")."""
    claim_years, evidence_years = years(claim), stated_years(claim, evidence)
    if year_before and _YEAR_BEFORE.search(claim):
        evidence_years = evidence_years | {y + 1 for y in evidence_years}
    return ((not evidence_years or claim_years <= evidence_years
             or (len(claim_years) > 1 and evidence_years < claim_years))
            and not calendar_mismatches(month_first(claim), month_first(evidence))   # the year, but not the month
            and negated(claim) == negated_clause(claim, evidence) and direction(claim) * direction(evidence) >= 0
            and not name_variants(claim, named))


# Words by which a claim states a figure worked out from two of the source's: a change ("added 6.5 million", "raised
# ... by 9 euros", "grew by more than 800"), a ratio ("four times the load") or a total ("127 million in total").
_CHANGE_WORDS = re.compile(r"\b(?:by|added|adds|adding|gained|gains|more|fewer|less|higher|lower|increase[ds]?|"
                           r"decrease[ds]?|rise|rises|rose|grew|grow|grows|jump(?:ed|s)?|drop(?:ped|s)?|fell|falls|cut|"
                           r"difference|gap|extra|additional|longer|shorter|faster|slower|heavier|lighter)\b",
                           re.IGNORECASE)
_RATIO_WORDS = re.compile(r"\b(?:times|fold)\b|-fold\b", re.IGNORECASE)
_TOTAL_WORDS = re.compile(r"\b(?:total|combined|in all|altogether|together|overall|cumulative)\b", re.IGNORECASE)
_PERCENT_FIGURE = re.compile(r"\d\s*(?:%|percent\b|per cent\b)", re.IGNORECASE)
_PERCENT_AFTER = re.compile(r"\s*(?:%|percent\b|per cent\b)", re.IGNORECASE)


def derived(claim: str, evidence: str) -> set[float]:
    """Figures worked out from two figures of the evidence, as the claim's words ask: differences where it states a
    change (with the change in percent where the claim's figure is a percentage), ratios where it says "times",
    sums where it says "total". Empty where the claim asks for none."""
    change, ratio, total = (bool(w.search(claim)) for w in (_CHANGE_WORDS, _RATIO_WORDS, _TOTAL_WORDS))
    if not (change or ratio or total):
        return set()
    percent = bool(_PERCENT_FIGURE.search(claim))
    text = _as_figures(_DAY.sub(r"\1", month_first(evidence)))
    # (value, whether a percentage): the unit group does not keep a "%" before a space, so the text after it is read.
    given = sorted({(value, bool(_PERCENT_AFTER.match(text, text.find(raw) + len(raw))))
                    for value, raw, _ in _figures(text, names_too=False)})
    found = set()
    for i, (small, small_percent) in enumerate(given):
        for big, big_percent in given[i + 1:]:
            if small <= 0 or small_percent != big_percent:     # 64 percent and $3.91 billion make nothing
                continue
            if change:
                found.add(big - small)
                if percent and not small_percent:     # "grew about 12.5%" from 51.9 million to 58.4 million
                    found |= {100 * (big - small) / small, 100 * (big - small) / big}
            if ratio and big / small <= 100:
                found.add(big / small)
            if total:
                found.add(small + big)
    return found


@lru_cache(maxsize=4096)   # asked again for one pair: windows, the cues' two branches, `figures_missing`'s exemption
def derived_agree(claim: str, evidence: str) -> bool:
    """Whether the evidence gives the claim's figures once one of them is worked out from two of its own (`derived`):
    "Veidemann raised his price target on Corvessa to 48 euros from 39 euros" for "... raised his price target on
    Corvessa by 9 euros"; "lift loads of up to 600 kilograms, compared with 150 kilograms for the standard Ferra-4" for
    "... can lift four times the maximum load of the standard Ferra-4". The same polarity and no other variant."""
    worked = derived(claim, evidence)
    if not worked:
        return False
    stated = quantities(_DAY.sub(r"\1", month_first(evidence)), names_too=False)
    figures = [(value, bound) for value, _, _, bound in _qualified(_DAY.sub(r"\1", month_first(claim)), names_too=False)]
    if not figures or not all(any(_fits(v, bound, b) for b in stated | worked) for v, bound in figures):
        return False
    if not any(any(_fits(v, bound, b) for b in worked) and not any(_fits(v, bound, b) for b in stated)
               for v, bound in figures):
        return False
    return _same_frame(claim, evidence, evidence, year_before=True)


def figures_missing(claim: str, passage: str) -> bool:
    """Whether the claim states telling figures and the passage gives none of them: such a passage cannot
    state the claim's fact ("Tessellate employs about 26,000 people" is not supported by a passage on its
    $9.4 billion revenue). Years and days of the month are left out: sources write "this year" or "on
    Monday" of the same fact. A claim's bounds and estimates count as given by the figures they describe
    ("nearly 2,000 employees" by "about 1,850"): this only vetoes support, so it errs on the side of the model."""
    claim = _DAY.sub(r"\1", month_first(claim))
    telling = {(value, b) for value, raw, unit, b in _qualified(claim, names_too=False) if _telling(raw, unit)}
    given = quantities(passage) if telling else set()
    return bool(telling) and not any(_fits(a, bound, b) for a, bound in telling for b in given)


def _proper_names(text: str) -> list[tuple[str, ...]]:
    """The names of people, places and organisations in the text: names with a word written as a proper noun
    ("Ohio", "Helena Marsh"; not "T60", "DPC" or a date), less a lone word that opens the text (where every word
    is capitalised: "Employees in the United States ...")."""
    tokens = text.split()
    first = tokens[0].strip("\"'(\u201c") if tokens else ""
    return [name for name in names(text) if name[0].lower() not in _MONTH_NAMES and _proper_words(name)
            and not (len(name) == 1 and name[0] == first)]


def _proper_words(name: tuple[str, ...]) -> set[str]:
    return {w for w in name if len(w) > 1 and w.isalpha() and w[0].isupper() and w[1:].islower()}


def _words_of(text: str) -> set[str]:
    """The text's words, hyphenated ones also in their parts ("Zurich-based": "Zurich-based", "Zurich", "based")."""
    return set(re.findall(r"[\w-]+", text)) | set(re.findall(r"\w+", text))


def _swapped(claim: str, evidence: str) -> list[tuple[str, ...]]:
    """The claim's names that the evidence leaves out, where it also gives a name the claim does not (else none)."""
    in_evidence, in_claim = _words_of(evidence), _words_of(claim)
    missing = [name for name in _proper_names(claim) if not _proper_words(name) & in_evidence]
    extra = [name for name in _proper_names(evidence) if not _proper_words(name) & in_claim]
    return missing if extra else []


def swapped_names(claim: str, evidence: str) -> bool:
    """Whether the evidence leaves out a name the claim gives and gives one the claim does not: with the rest of
    the claim restated (the caller checks that), another person, place or firm in its place ("Bellhaven Regional
    Medical Center in Ohio" for "... in Indiana"; "chief executive Julian Abernethy said" for "chief executive
    Helena Marsh said"). A name counts as given when one of its words is in the other text ("Wardline" for
    "Wardline Health Software", "Zurich" in "Zurich-based")."""
    return bool(_swapped(claim, evidence))


def swapped_place(claim: str, evidence: str) -> bool:
    """Whether a name the evidence leaves out for another (`swapped_names`) is a place the claim puts something in:
    "in Ottawa", "near Salamanca", "Utrecht-based" ("a manufacturing and testing facility in Waterloo, Ontario" against
    "... will be in Ottawa")."""
    return any(re.search(rf"\b(?:in|near|outside|based in|headquartered in)\s+{re.escape(' '.join(name))}\b"
                         rf"|\b{re.escape(' '.join(name))}-based\b", claim) for name in _swapped(claim, evidence))


# A place as a proper noun after "in": "in Chandler, Arizona", "in Querétaro", "in New Zealand" (not "in SF1 neurons").
_PLACE = r"([A-Z][^\W\d_A-Z]+(?:[ -][A-Z][^\W\d_A-Z]+)*)(?![\w-])"
_IN_PLACE = re.compile(rf"\b(?:in|near|outside)\s+{_PLACE}")
_IN_PLACES = re.compile(rf"\b(?:in|near|outside)\s+{_PLACE}(?:,\s+{_PLACE})?")   # "in Austin, Texas"
# also at a sentence's start ("In Tanzania, ..."), and after "the" ("in the Philippines", "in the United States")
_IN_ANY_PLACE = re.compile(rf"\b(?:[Ii]n|near|outside)\s+(?:the\s+)?{_PLACE}")
_BEFORE_PLACE = re.compile(rf"([A-Za-z][\w-]*),?\s+(?:in|near|outside)\s+{_PLACE}")
_BEFORE_THE_PLACE = re.compile(rf"([A-Za-z][\w-]*),?\s+(?:in|near|outside)\s+(?:the\s+)?{_PLACE}")


def _same_word(a: str, b: str) -> bool:
    """One word in two forms, by their first five letters ("founded" and "founding", "plant" and "plants")."""
    a, b = a.lower(), b.lower()
    return a == b or (min(len(a), len(b)) >= 5 and a[:5] == b[:5])


def moved_place(claim: str, evidence: str) -> bool:
    """Whether the evidence puts what the claim places somewhere in another place: the word before the claim's "in
    PLACE" is followed, within a few words of the evidence, by "in" another place the claim does not name ("a wafer
    fabrication plant in Chandler, Arizona" against "... plant in Austin, Texas", "founded in 2017 in Utrecht" against
    "founded in Rotterdam"), also where the evidence names the claim's place for something else ("headquartered in
    Austin"); not where it names none of the claim's other names."""
    claim_words = _words_of(claim)
    # A sentence that names none of the claim's other names speaks of something else: "Founded in 2011 and
    # headquartered in Toronto, the company ..." (another firm) against "Saarnio Systems is headquartered in Tampere".
    places = {w for m in _IN_PLACES.finditer(claim) for part in m.groups() if part for w in part.replace("-", " ").split()}
    others = [name for name in _proper_names(claim) if not set(name) <= places]
    if others and not any(_proper_words(name) & _words_of(evidence) for name in others):
        return False
    tokens = evidence.split()
    for match in _BEFORE_PLACE.finditer(claim):
        before, place = match.group(1), set(match.group(2).replace("-", " ").split())
        if before.lower() in STOPWORDS or place & _CALENDAR_TITLES:
            continue
        for at, token in enumerate(tokens):
            if not _same_word(_TRAIL.sub("", token), before):
                continue
            window = " ".join(tokens[at + 1:at + 7])
            if place & _words_of(" ".join(tokens[at + 1:at + 13])):
                continue                      # "will go on sale in Germany, France and Austria" for "... in France"
            for other in _IN_PLACE.finditer(window):
                words = set(other.group(1).replace("-", " ").split())
                if words - _CALENDAR_TITLES and not words & place and not words & claim_words:
                    return True
    return False


# A sentence that says a detail was not given: "declined to comment on whether ...", "has not said how much ...",
# "did not give an opening date for ...", "a vendor, which it did not name", "did not break out subscriber numbers by
# country", "a cycle rating for the standard model was not included in the announcement".
_UNDISCLOSED = re.compile(r"\b(?:did not|didn't|has not|hasn't|have not|haven't|would not|wouldn't|declined to|refused to|"
                          r"does not|doesn't)\s+(?:yet\s+)?(?:say|said|disclose|disclosed|give|given|name|named|specify|"
                          r"specified|reveal|revealed|comment|confirm|confirmed|provide|provided|identify|identified|"
                          r"break out)\b|\b(?:not|un)\s?disclosed\b"
                          r"|\b(?:was|were|is|are|has been|have been|had been)\s+not\s+(?:included|given|provided|"
                          r"published|released|made public|broken out|specified|named|revealed|shared)\b",
                          re.IGNORECASE)


_TITLE_WORD = re.compile(r"[A-Z][a-z]{3,}(?:'s|\u2019s)?")


def names_none(claim: str, passage: str) -> bool:
    """Whether the passage names none of the claim's names, where the claim names a firm, product, person or place
    ("Cirrovane Cloud plans to open a region in Warsaw" against a passage on Kestlow's office in Rotterdam): such a
    passage is about other things, however alike its sentences read. Only a claim with a name in title case (of four
    letters or more) that is not just its first word counts: "Medications to treat obesity ..." and "KRAS ablation
    ..." name nothing a passage must repeat (scientific abstracts say "K-Ras"). The passage may name any word of any
    of the claim's names ("Aurevia" for "the Aurevia-Savanet agreement", "Glimmerly" for "Orla Quenneville is
    Glimmerly's head of trust and safety")."""
    found = [name for name in names(claim) if not set(name) & _CALENDAR_TITLES]
    if not any((len(name) >= 2 or not claim.lstrip(" \"'\u201c").startswith(name[0]))
               and any(_TITLE_WORD.fullmatch(w) for w in name) for name in found):
        return False
    words = {_TRAIL.sub("", part).lower() for name in found for word in name for part in re.split(r"[-\u2010\u2011/]", word)}
    words = {w for w in words if len(w) >= 4 and w not in STOPWORDS}
    text = passage.lower()
    return bool(words) and not any(w in text for w in words)


def undisclosed(text: str) -> bool:
    """Whether the text says that something was not disclosed, named or commented on."""
    return bool(_UNDISCLOSED.search(text))


def undisclosed_removed(text: str) -> str:
    """The text without its words that say something was not given ("Kestova declined to say how much it paid" ->
    "Kestova how much it paid"): what was withheld, to compare with another sentence that withholds it."""
    return _UNDISCLOSED.sub(" ", text)


# Posts that one person holds at a time, as tech news names them: "chief executive" (CEO), "chief X officer" (CFO, CTO,
# COO ...), "president" (not "vice president"), "chair", "head of X", "managing director". The short forms are read as
# the long ones.
_POST = re.compile(r"\b(?:(?P<ceo>chief executive(?: officer)?|ceo)|(?P<chief>chief (?:[a-z]+ )?[a-z]+ officer)|"
                   r"(?P<short>cfo|cto|coo|cio|cmo|cso|cco|ciso)|(?<!vice )(?<!vice-)(?P<president>president)|"
                   r"(?P<chair>chair(?:man|woman|person|s|ed)?)|(?P<md>managing director)|"
                   r"(?P<vp>(?:(?:senior|executive)\s+)?vice[- ]president)|(?P<ed>executive director))\b",
                   re.IGNORECASE)
# "head of trust and safety", "head of e-commerce at ...", "director of research computing": the field, up to four
# lower-case words (not "a director of the company": a board has many).
_HEAD = re.compile(r"\b(?:[Hh]ead|[Dd]irector) of (?!(?:the|a|an|its|our|their)\b)"
                   r"([a-z&-]+(?: (?!(?:at|of|for|in|with|said|says|who|which|since|from|and said)\b)[a-z&-]+){0,3})")
_SHORT_POST = {"cfo": "chief financial officer", "cto": "chief technology officer", "coo": "chief operating officer",
               "cio": "chief information officer", "cmo": "chief marketing officer", "cso": "chief security officer",
               "cco": "chief commercial officer", "ciso": "chief information security officer"}
# A claim that someone holds a post now: a past or future holder is not refuted by today's ("X was chief executive").
_HOLDER_VERB = re.compile(r"\s+(?:is|is now|has been|serves as|remains|chairs|heads|leads)\s+(?:the\s+|a\s+)?", re.IGNORECASE)


def _posts(text: str) -> list[tuple[str, int, int]]:
    """(post, start, end) of each post the text names, in one spelling ("CEO" -> "chief executive")."""
    found = []
    for match in _POST.finditer(text):
        kind = next(k for k, v in match.groupdict().items() if v)
        word = match.group(0).lower().strip()
        post = {"ceo": "chief executive", "short": _SHORT_POST.get(word, word), "chair": "chair",
                "vp": "vice president"}.get(kind, word)
        found.append((post, match.start(), match.end()))
    found.extend((f"{m.group(0).split()[0].lower()} of {m.group(1)}", m.start(), m.end()) for m in _HEAD.finditer(text))
    return found


def _person(name: tuple[str, ...]) -> bool:
    """A name written as a person's: two to four words, each a proper noun ("Kenji Morimoto", "Bastien Ogunlade-Roux")."""
    return 2 <= len(name) <= 4 and all(re.fullmatch(r"[A-Z][a-z\u00e0-\u00ff'\u2019]+(?:-[A-Z][a-z\u00e0-\u00ff]+)*", w) for w in name)


# How a holder's name stands beside the post: "chief executive Evelyn Tsai-Morrow", "chaired by Leyla Yusupova",
# "chief executive of Tallowmere, Priyanka Holloway-Renn"; "Maelis Trambert, Corvastra's chief technology officer",
# "Bastien Ogunlade-Roux, the company's head of trust and safety", "Leyla Yusupova, who chairs the committee". A former
# holder holds it no longer.
_HOLDER_AFTER = re.compile(r"(?:\s+of\s+[A-Z][\w&-]*(?:\s+[A-Z][\w&-]*){0,2})?,?\s+(?:by\s+)?")
_HOLDER_BEFORE = re.compile(r",\s+(?:who\s+(?:(?:is|now|also)\s+)*|(?:currently|now)\s+)?"
                            r"(?:(?:the|its)\s+)?(?:company(?:'s|\u2019s)\s+|[A-Z][\w&-]*(?:\s+[A-Z][\w&-]*){0,2}(?:'s|\u2019s)\s+)?"
                            r"(?:(?:new|acting|interim)\s+)?")
_FORMER = re.compile(r"\b(?:former|previous|ex-|then)\s*$", re.IGNORECASE)


def _claimed_holder(claim: str) -> tuple[tuple[str, ...], set[str], list[tuple[str, ...]]] | None:
    """(person, posts, the claim's names) of a claim that opens with a person and says they hold posts now ("P is /
    remains / chairs ..."), else None."""
    ours = names(claim)
    if not ours or not _person(ours[0]) or not claim.startswith(ours[0][0]):
        return None
    person = ours[0]
    after = claim.find(person[-1]) + len(person[-1])
    if not _HOLDER_VERB.match(claim, after):
        return None
    claim_posts = {post for post, _, _ in _posts(claim)}
    if not claim_posts and re.match(r"\s+chairs\b", claim[after:]):
        claim_posts = {"chair"}
    return (person, claim_posts, ours) if claim_posts else None


def _attributed_holder(claim: str) -> tuple[tuple[str, ...], set[str], list[tuple[str, ...]]] | None:
    """(person, posts, the claim's names) of a claim that names a person beside their post, as a quote's speaker
    ("Ruvello chief executive Matteo Orsanvi said ...", "Gideon Tarrowfield, Skelmira Air's chief technology officer,
    apologised ..."), else None."""
    ours = names(claim)
    for person in ours:
        if not _person(person):
            continue
        spans = [(m.start(), m.end()) for m in re.finditer(re.escape(" ".join(person)), claim)]
        posts = {post for post, start, end in _posts(claim) if _beside(claim, start, end, spans)}
        if posts:
            return person, posts, ours
    return None


def _beside(evidence: str, post_start: int, post_end: int, spans: list[tuple[int, int]]) -> bool:
    """Whether a name at one of `spans` stands beside the post as its holder, and the post is not a former one."""
    if _FORMER.search(evidence, max(0, post_start - 12), post_start):
        return False
    return any(_HOLDER_AFTER.fullmatch(evidence, post_end, a) or _HOLDER_BEFORE.fullmatch(evidence, b, post_start)
               for a, b in spans)


def post_changed(claim: str, evidence: str) -> bool:
    """Whether the claim says someone holds a post and the evidence gives that person another post, and not the
    claim's: "Ravi Castellane is the chief executive of Varrowen" against "Chief financial officer Ravi Castellane
    said". The claim has the shape `post_holder_swap` reads, or (cues 20) names the person beside their post as a
    quote's speaker does ("Quorra chief executive Mirela Dancu said ...", `_attributed_holder`); the evidence names
    the person in full beside the post."""
    holder = _claimed_holder(claim) or _attributed_holder(claim)
    if holder is None:
        return False
    person, claim_posts, _ = holder
    spans = [(m.start(), m.end()) for m in re.finditer(re.escape(" ".join(person)), evidence)]
    if not spans:
        return False
    held = {post for post, start, end in _posts(evidence) if _beside(evidence, start, end, spans)}
    return bool(held) and not held & claim_posts


_MANY_HOLD = frozenset({"vice president"})


def post_holder_swap(claim: str, evidence: str) -> bool:
    """Whether the claim says who holds a post and the evidence gives the post to someone else: "Kenji Morimoto is the
    chief executive of Kestrel Semiconductor" against "Kestrel chief executive Evelyn Tsai-Morrow said". One person holds
    a company's top posts at a time, so this refutes where the model, seeing the company and the post, reads support.
    The claim must open with the person and say they hold the post now ("P is / remains / chairs ..."), or (cues 20)
    name the person beside the post as a quote's speaker ("Pedalix chief executive Lorenzo Sgarbazzi said"). The
    evidence must give the same post to another person's name beside it ("chief executive Q", "Q, the company's chief
    executive", not a former holder) and not name the claim's person; where it names a company beside the post, that
    company must be one of the claim's ("Hanaoka president Kenji Morimoto" says nothing of Kestrel's), and for a quote's
    speaker it must name one ("Pedalix chief executive Renzo Abbadessa")."""
    holder = _claimed_holder(claim)
    attributed = holder is None
    if attributed:
        holder = _attributed_holder(claim)   # a quote's speaker: only where the evidence names the claim's firm there
    if holder is None or set(holder[0]) & _words_of(evidence):
        return False
    person, claim_posts, ours = holder
    claim_words = {w.lower() for name in ours if name != person for w in name}
    holders = [(m.start(), m.end()) for name in dict.fromkeys(names(evidence)) if _person(name) and not set(name) & set(person)
               for m in re.finditer(re.escape(" ".join(name)), evidence)]
    for post, start, end in _posts(evidence):
        if post not in claim_posts or post in _MANY_HOLD or not _beside(evidence, start, end, holders):
            continue      # (a company has many vice presidents: another one's is no swap)
        # a company named right beside the post ("Hanaoka president", "chief executive of Tallowmere") must be the claim's
        beside = re.findall(r"([A-Z][\w&-]*)(?:'s|\u2019s)?\s+$", evidence[max(0, start - 30):start]) + \
            re.findall(r"^\s+(?:of|at)\s+([A-Z][\w&-]*)", evidence[end:end + 40])
        beside = [w for w in beside if not any(w in evidence[a:b] for a, b in holders) and w.lower() not in STOPWORDS]
        if (beside or attributed) and not any(w.lower() in claim_words for w in beside):
            continue
        return True
    return False


@lru_cache(maxsize=4096)   # asked twice of a sentence: by `verify.cue_adjusted` and before the relatedness cue
def sibling_detail(claim: str, evidence: str) -> bool:
    """Whether the evidence gives the claim's own figures for a sibling of the claim's thing, naming neither the
    claim's variant nor its place: another variant ("Its flagship DM-900 ... delivers efficiency of up to 98.5%" for
    "The DM-900X delivers efficiency of up to 98.5%") or another place ("In Tanzania, Aurevant says median latency is
    38 milliseconds" for "Aurevant Link's median latency in Kenya is 38 milliseconds"). Such a claim copies a sibling's
    detail onto its own thing, which the sentence leaves unsettled: it neither supports nor refutes it. A sentence that
    also names the claim's variant ("The QA-70 sells for about $38,000, while the QA-40 costs $24,500") is left to the
    other checks."""
    telling = {value for value, raw, unit in _figures(_DAY.sub(r"\1", month_first(claim)), names_too=False)
               if _telling(raw, unit)}
    if not telling:
        return False
    clause = best_clause(claim, evidence, figures=True)
    given = quantities(clause)
    # "The smaller model offers up to 36 hours of battery life, while the Kestrow 4 Pro lasts up to 60 hours": a figure
    # in another clause may be the claim's thing's own.
    if not all(any(_close(a, b) for b in given) for a in telling) or quantities(evidence) - given:
        return False
    if negated(claim) != negated_clause(claim, evidence) or direction(claim) * direction(evidence) < 0:
        return False      # "about 8 percent higher" for "about 8 percent lower": another finding, not a sibling's
    if name_variants(claim, clause) and name_variants(claim, evidence):
        return True
    # A place after a name is where that thing is ("Bellhaven Regional Medical Center in Indiana": another state
    # refutes); after a common word, where a figure holds ("median latency in Kenya"): the sibling's place is no answer.
    ours = {w for m in _BEFORE_THE_PLACE.finditer(claim) if m.group(1).islower() for w in m.group(2).split()}
    theirs = {w for m in _IN_ANY_PLACE.finditer(evidence) for w in m.group(1).split()}
    ours, theirs = ours - _CALENDAR_TITLES, theirs - _CALENDAR_TITLES     # "in March" is no place
    return bool(ours) and not ours & _words_of(evidence) and bool(theirs) and not theirs & _words_of(claim)


# Where a sentence gives one figure for each of two things: "4,700 mAh in the Pyxara 4 and 5,300 mAh in the Pro",
# "36 MW of IT capacity, against 24 MW in Warsaw", "up to 400 megabits per second compared with up to 150 Mbps on ...".
_PAIRED = re.compile(r"\s*(?:;|,?\s+\b(?:and|while|whereas|against|compared with|compared to|versus|vs\.?)\s+)",
                     re.IGNORECASE)
_KIND_WORDS = _VARIANT | frozenset("base standard regular".split())   # a claim word that names a variant


def _named_words(part: str, claim_words: set[str] | None = None) -> set[str]:
    """The lower-case words of the names in a part of a sentence, not units written after a figure ("150 Mbps"; a
    variant word stays: "Halcyne 8 Pro"); with `claim_words`, a capitalised first word counts only if it is one of them
    ("Battery capacity is ...": a sentence's start, not a name)."""
    part = part.strip()
    found = {w.lower() for name in names(part) for w in name
             if w.lower() in _KIND_WORDS or not re.search(rf"(?<![\w-])\d[\d,.]*\s*{re.escape(w)}\b", part)}
    first = re.match(r"[\w-]+", part)
    if claim_words is not None and first and first.group(0)[:1].isupper() and first.group(0).lower() not in claim_words:
        found.discard(first.group(0).lower())
    return found


_CURRENCY_SIGN = re.compile(r"(?:[$\u20ac\u00a3\u00a5]|\b(?:US|C|A|S|NZ|HK)\$"
                            r"|\b(?:EUR|USD|GBP|NOK|SEK|DKK|CHF|JPY)\s?)$")


# The kinds of `_UNIT_FACTOR`'s units, by a part of their names (the first that fits: "mwh" is energy, "mw" power).
_UNIT_KINDS = (("energy", ("wh", "watt-hour")), ("rate", ("bps", "bit")), ("power", ("watt", "kw", "mw", "gw")),
               ("mass", ("gram", "kg", "tonne")), ("frequency", ("hertz", "hz")), ("data", ("byte", "b")),
               ("time", ("hour", "hr", "min")), ("length", ("met", "m")), ("money", ("cent",)))


def _kinds(text: str) -> set[str]:
    """What each figure of a text (its figures written as `_as_figures` writes them) counts, by the word after it (scale
    words passed over): "mah" of "4,700 mAh", "years" of "seven years", "%" of "64 percent", "mass" of "2,340 kg";
    "money" after a currency sign or before a currency's name."""
    found = set()
    for match in _NUMBER.finditer(text):
        unit = (match.group(2) or "").lower()
        after = re.match(r"\s*(?:(?:thousand|million|billion|trillion|bn|mn|m)\b\s*)?([A-Za-z]+)", text[match.end():])
        word = after.group(1).lower() if after else ""
        if _CURRENCY_SIGN.search(text[:match.start()]) or word in _UNITS - {"percent", "percentage", "per", "cent"}:
            found.add("money")
        elif unit in ("%", "percent") or word == "percent":
            found.add("%")
        elif word in _UNIT_FACTOR:       # "kg" and "kilograms", "Mbps" and "megabits": one kind
            found.add(next(kind for kind, marks in _UNIT_KINDS if any(m in word for m in marks)))
        elif word:
            found.add(word)
    return found


def figure_elsewhere(claim: str, evidence: str) -> bool:
    """Whether the evidence gives the claim's figure for another thing and another figure for the claim's own: a
    sentence that pairs figures with things ("Battery capacity is 4,700 mAh in the Pyxara 4 and 5,300 mAh in the Pro"
    against "The Quorlen Pyxara 4 has a 5,300 mAh battery"; "the Madrid facilities provide 36 MW of IT capacity,
    against 24 MW in Warsaw" against "... Warsaw region launched with 36 MW"). The part that gives the claim's figure
    names something the claim does not name and the other part does not name either, while the other part names
    something of the claim's; or the other part names a variant word of the claim's ("Max") that the figure's part,
    naming only the claim's words, lacks. Small models read such a sentence as support: the claim's figure and names
    are all in it."""
    if re.search(r"\bthan\b", claim):
        return False          # "more paying subscribers than the 60.5 million analysts had forecast": a comparison
    claim = _as_figures(_DAY.sub(r"\1", month_first(claim)))
    ours = quantities(claim, names_too=False)
    parts = [p for p in _PAIRED.split(_as_figures(_DAY.sub(r"\1", month_first(evidence)))) if p.strip()]
    if not ours or len(parts) < 2:
        return False
    mine, claim_kinds = _named_words(claim), _kinds(claim)
    read = [(_named_words(p, mine), quantities(p, names_too=False), _kinds(p)) for p in parts]
    for at, (named, given, kinds) in enumerate(read):
        if not all(any(_close(a, b) for b in given) for a in ours):
            continue
        kinds = kinds | claim_kinds
        for other, (named2, given2, kinds2) in enumerate(read):
            if (other == at or not named2 or not given2 or any(_close(a, b) for a in ours for b in given2)
                    or not kinds & kinds2):
                continue      # (another part's figure must count the same thing: "two companies" is no "800 MW")
            if (named - mine - named2 and named2 & mine and not (mine & named - named2) & _KIND_WORDS) or (
                    named and named <= mine and (named2 - named) & mine & _VARIANT):
                return True
    return False


# Words next to a figure that say what it counts but not what it is of: currencies, scales, units, bounds.
_NOT_HEADS = STOPWORDS | _UNITS | frozenset(_UNIT_FACTOR) | _ESTIMATE | frozenset(
    "kroner krona kronor crowns won rand reais real pesos lira zloty forint koruna cents pence share shares up down "
    "more than less over under some per year years month months day days week weeks quarter quarters half last next "
    "previous earlier later ago annual annually daily monthly weekly quarterly first second third fourth each "
    "apiece".split())
_HEAD_WORD = re.compile(r"[a-z][a-z-]*[a-z]")


def figure_heads(text: str, reach: int = 4) -> set[str]:
    """The stemmed words right before and after each figure of the text (`reach` words each side, lower-case, not
    units, currencies, scales or bounds): what the figures measure ("handles about 120,000 parcels a day": handl,
    parcel; "valued the company at 5 billion kroner": valu, compani)."""
    text = _as_figures(_DAY.sub(r"\1", month_first(text)))
    found: set[str] = set()
    for match in _NUMBER.finditer(text):
        raw, unit = match.group(1), match.group(2)
        if (not unit and "," not in raw and "." not in raw and _YEAR.fullmatch(raw)) or _ends_name(text, match):
            continue
        before = text[max(0, match.start() - 80):match.start()].split()[-2 * reach:][::-1]
        after = text[match.end():match.end() + 80].split()[:2 * reach]
        for side in (before, after):
            words = [w.strip(".,;:!?()\"'\u201c\u201d\u2019") for w in side]
            found |= set([w for w in words if _HEAD_WORD.fullmatch(w) and w not in _NOT_HEADS][:reach])
    return set(tokenize(" ".join(found)))


def other_measure(claim: str, evidence: str) -> bool:
    """Whether the evidence's figures measure something other than the claim's: the claim gives a telling figure, the
    evidence gives figures, none of them the claim's, and no word next to them is a word next to the claim's
    (`figure_heads`): "Skarnwell raised 1.2 billion Norwegian kroner in a funding round last year" does not refute
    "Skarnwell's funding round last year valued the company at 5 billion Norwegian kroner"; "reported first-quarter
    revenue of $4.82 billion" does not refute "shipped more than 100,000 accelerators in the first quarter"."""
    claim_text = _DAY.sub(r"\1", month_first(claim))
    telling = [(value, bound) for value, raw, unit, bound in _qualified(claim_text, names_too=False)
               if _telling(raw, unit)]
    given = quantities(_DAY.sub(r"\1", month_first(evidence)), names_too=False)
    if not telling or not given:
        return False
    if any(_fits(v, bound, g) for v, bound in telling for g in given | derived(claim, evidence)):
        return False          # the claim's figure, given or worked out: the same measure
    mine, theirs = figure_heads(claim), figure_heads(evidence)
    return len(mine) >= 2 and bool(theirs) and not mine & theirs
