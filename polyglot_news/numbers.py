"""Numbers as news writes them, in English, Azerbaijani and Russian, so that two sides of a pair
can be compared by what their numbers say rather than how they are written.

A number written in digits is *required*: the other side must say it too. Its value is read
with the conventions of both traditions, since a side alone cannot always tell them apart:
``12,5`` and ``12.5`` are twelve and a half; ``1,500``, ``1.500`` and ``1 500`` are fifteen hundred
or (``1,500``, ``1.500``) one and a half; ``1.234,5`` and ``1,234.5`` say which mark is which.
A number followed by a magnitude word (``5 million``, ``5 milyon``, ``5 млн``) may also be read
multiplied out. Dates of digits and dots (``29.11.21``) are their parts, and a two-digit year may
stand for 20YY. Units are left out: ``%``, "percent", "faiz" and "процента" all say the same.

Number words (``eight``, ``səkkiz``, ``восьми``, ``twenty-first``, ``девятнадцатого``) and month
names (``October``, ``oktyabr``, ``октября``) are *optional*: they can answer a number of the other
side, and are never required themselves (a word list cannot know every way a language says a
number, so a word never raises a flag on its own).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_DIGITS = re.compile(r"\d+(?:[.,\u00a0\u202f' ’]\d+)*")
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_MAGNITUDES = {
    "thousand": 1e3, "thousands": 1e3, "min": 1e3, "тыс": 1e3, "тысяч": 1e3, "тысячи": 1e3, "тысяча": 1e3,
    "million": 1e6, "millions": 1e6, "mln": 1e6, "milyon": 1e6, "млн": 1e6, "миллион": 1e6, "миллиона": 1e6,
    "миллионов": 1e6, "billion": 1e9, "billions": 1e9, "bn": 1e9, "milyard": 1e9, "mlrd": 1e9, "млрд": 1e9,
    "миллиард": 1e9, "миллиарда": 1e9, "миллиардов": 1e9, "trillion": 1e12, "trilyon": 1e12, "трлн": 1e12,
}

# whole words: English and Azerbaijani cardinals and ordinals
_EXACT = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40,
    "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "dozen": 12,
    "first": 1, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9,
    "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14, "fifteenth": 15,
    "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19, "twentieth": 20, "thirtieth": 30,
    "half": 0.5,
    "sıfır": 0, "bir": 1, "iki": 2, "üç": 3, "dörd": 4, "beş": 5, "altı": 6, "yeddi": 7, "səkkiz": 8,
    "doqquz": 9, "on": 10, "iyirmi": 20, "otuz": 30, "qırx": 40, "əlli": 50, "altmış": 60, "yetmiş": 70,
    "səksən": 80, "doxsan": 90, "yüz": 100, "yarım": 0.5,
}
# word beginnings (Azerbaijani and Russian cases and ordinals): longest first
_STEMS = sorted({
    "birinci": 1, "ikinci": 2, "üçüncü": 3, "dördüncü": 4, "beşinci": 5, "altıncı": 6, "yeddinci": 7,
    "səkkizinci": 8, "doqquzuncu": 9, "onuncu": 10, "iyirminci": 20, "otuzuncu": 30,
    "ноль": 0, "нул": 0, "один": 1, "одн": 1, "перв": 1, "два": 2, "две": 2, "двух": 2, "двум": 2, "втор": 2,
    "три": 3, "трёх": 3, "трех": 3, "трем": 3, "трет": 3, "четыр": 4, "четвёрт": 4, "четверт": 4,
    "пять": 5, "пяти": 5, "пят": 5, "шесть": 6, "шести": 6, "шест": 6, "семь": 7, "семи": 7, "седьм": 7,
    "восемь": 8, "восьм": 8, "девять": 9, "девяти": 9, "девят": 9, "десять": 10, "десяти": 10, "десят": 10,
    "одиннадцат": 11, "двенадцат": 12, "тринадцат": 13, "четырнадцат": 14, "пятнадцат": 15,
    "шестнадцат": 16, "семнадцат": 17, "восемнадцат": 18, "девятнадцат": 19, "двадцат": 20, "тридцат": 30,
    "сорок": 40, "пятьдесят": 50, "пятидесят": 50, "шестьдесят": 60, "шестидесят": 60, "семьдесят": 70,
    "семидесят": 70, "восемьдесят": 80, "восьмидесят": 80, "девяност": 90, "сто": 100, "ста": 100, "сот": 100,
    "полтор": 1.5, "половин": 0.5,
}.items(), key=lambda kv: -len(kv[0]))
_MONTHS = {
    **{m: k for k, m in enumerate(("january", "february", "march", "april", "may", "june", "july", "august",
                                   "september", "october", "november", "december"), 1)},
    **{m: k for k, m in enumerate(("yanvar", "fevral", "mart", "aprel", "may", "iyun", "iyul", "avqust",
                                   "sentyabr", "oktyabr", "noyabr", "dekabr"), 1)},
}
_RU_MONTHS = [("январ", 1), ("феврал", 2), ("март", 3), ("апрел", 4), ("мая", 5), ("май", 5), ("июн", 6),
              ("июл", 7), ("август", 8), ("сентябр", 9), ("октябр", 10), ("ноябр", 11), ("декабр", 12)]


@dataclass(frozen=True)
class Number:
    """A number of a text: where it is, how it was written, and every value it may say."""

    text: str
    values: frozenset[float]
    required: bool


def _round(value: float) -> float:
    return round(value, 6)


def _digit_values(token: str) -> list[frozenset[float]]:
    """The values a run of digits and separators may say; several numbers where it is a date or
    a list rather than one number."""
    groups = re.split(r"[.,\u00a0\u202f' ’]", token)
    seps = re.findall(r"[.,\u00a0\u202f' ’]", token)
    if not seps:
        return [frozenset({float(token)})]
    spaces = {s for s in seps if s in "\u00a0\u202f' ’"}
    grouped = len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])
    if len(set(seps)) == 1 and len(seps) == 1 and seps[0] in ".,":
        whole, tail = groups
        values = {float(f"{whole}.{tail}")}
        if grouped:  # 1,500 / 1.500: fifteen hundred, or one and a half
            values.add(float(whole + tail))
        return [frozenset(map(_round, values))]
    if grouped and (len(set(seps)) == 1 or set(seps) <= spaces):  # 1 500 000, 1.500.000, 1,500,000
        return [frozenset({float("".join(groups))})]
    head = seps[:-1]
    if (seps[-1] in ".," and len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:-1])
            and len(set(head)) == 1 and head[0] != seps[-1]):  # 1.234,5 / 1,234.5 / 3 400,5
        values = {float("".join(groups[:-1]) + "." + groups[-1])}
        if len(groups[-1]) == 3 and head[0] in spaces:  # 1 234,567: thousands too, perhaps
            values.add(float("".join(groups)))
        return [frozenset(map(_round, values))]
    # a date (29.11.21) or numbers side by side: each part, a two-digit year also as 20YY
    out = []
    for g in groups:
        values = {float(g)}
        if len(g) == 2 and seps and set(seps) <= {"."}:
            values.add(2000.0 + float(g))
        out.append(frozenset(values))
    return out


def _word_value(word: str) -> float | None:
    w = word.lower()
    if w in _EXACT:
        return float(_EXACT[w])
    for stem, value in _STEMS:
        if w.startswith(stem):
            return float(value)
    return None


def _month(word: str) -> int | None:
    w = word.lower()
    if w in _MONTHS:
        return _MONTHS[w]
    return next((k for stem, k in _RU_MONTHS if w.startswith(stem)), None)


def numbers(text: str) -> list[Number]:
    """The numbers of ``text``: those in digits (required) and those in words (optional)."""
    out: list[Number] = []
    for m in _DIGITS.finditer(text):
        token = m.group().strip(" ,.'’")
        if not token or not token[0].isdigit():
            continue
        after = _WORD.match(text, m.end() + (1 if text[m.end():m.end() + 1] in " \u00a0" else 0))
        magnitude = _MAGNITUDES.get(after.group().lower().rstrip(".")) if after else None
        for values in _digit_values(token):
            if magnitude:
                values = values | {_round(v * magnitude) for v in values}
            out.append(Number(token, values, True))
    words = [(m.group(), _word_value(m.group()), _month(m.group())) for m in _WORD.finditer(text)]
    run: list[float] = []
    for word, value, month in words + [("", None, None)]:
        if month is not None:
            out.append(Number(word, frozenset({float(month)}), False))
        if value is not None:
            run.append(value)
            continue
        if run:  # a run of number words: each, and what they make together
            values = set(run)
            total = 0.0
            for v in run:
                total = total * v if v in (100.0, 1000.0) and total else total + v
            values.add(total)
            out.append(Number(" ".join(map(str, run)), frozenset(map(_round, values)), False))
            run = []
    return out


def unmatched(a: list[Number], b: list[Number]) -> list[str]:
    """The required numbers of ``a`` that nothing in ``b`` says."""
    offered = [n.values for n in b]
    return [n.text for n in a if n.required and not any(n.values & values for values in offered)]


def numbers_disagree(source: str, target: str) -> list[str]:
    """The numbers of either side that the other does not say (empty when they agree)."""
    a, b = numbers(source), numbers(target)
    return unmatched(a, b) + unmatched(b, a)
