"""Which writing system a text's letters belong to: Latin, Cyrillic or Other.

One definition for every stage (sentence-splitting rules, detector normalisation, smoothing).
Counting runs on compiled regular expressions: segmentation asks it of every sentence.
"""

from __future__ import annotations

import re
from collections import Counter

# Letters only: Latin-1 and Latin Extended-A/B letters (not × ÷), ə, Latin Extended Additional;
# the Cyrillic blocks without the thousands sign and combining marks (U+0482–U+0489).
_LATIN = re.compile(r"[A-Za-z\u00aa\u00b5\u00ba\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u0259\u018f\u1e00-\u1eff]")
_CYRILLIC = re.compile(r"[\u0400-\u0481\u048a-\u052f]")


def letter_count(text: str) -> int:
    """How many letters ``text`` has."""
    return sum(map(str.isalpha, text))


def letter_script(ch: str) -> str:
    """The script of one letter (call it on letters only)."""
    if _LATIN.match(ch):
        return "Latin"
    if _CYRILLIC.match(ch):
        return "Cyrillic"
    return "Other"


def _counts(text: str, letters: int | None = None) -> tuple[int, int, int]:
    """Letters of ``text`` in Latin, Cyrillic and other scripts (``letters``: its letter count,
    when known)."""
    latin = len(_LATIN.findall(text))
    cyrillic = len(_CYRILLIC.findall(text))
    letters = letter_count(text) if letters is None else letters
    return latin, cyrillic, max(0, letters - latin - cyrillic)


def script_counts(text: str) -> Counter:
    """How many letters of ``text`` are in each script."""
    return Counter(dict(zip(("Latin", "Cyrillic", "Other"), _counts(text))))


def script_of(text: str, letters: int | None = None) -> str:
    """The dominant script of the letters of ``text``: Latin, Cyrillic or Other (Latin on a tie
    or without letters). ``letters``: the letter count of ``text``, when known."""
    return _dominant(*_counts(text, letters))


def _dominant(latin: int, cyrillic: int, other: int) -> str:
    if latin >= cyrillic and latin >= other:
        return "Latin"
    return "Cyrillic" if cyrillic >= other else "Other"


def scripts_present(text: str, letters: int | None = None, share: float = 0.25) -> list[str]:
    """The scripts that hold at least ``share`` of the letters of ``text``, the dominant one
    (:func:`script_of`) first: "Баку, Trend:" is Latin and Cyrillic."""
    counts = dict(zip(("Latin", "Cyrillic", "Other"), _counts(text, letters)))
    first = _dominant(*counts.values())
    total = max(sum(counts.values()), 1)
    return [first] + [name for name, n in counts.items() if name != first and n >= share * total]


# Links and e-mail addresses: letters that are no evidence of any language
# ("https://report.az/xeber/123", "pic.twitter.com/AbC1", "info@apa.az"). An @handle stays: in a
# post's byline ("— Anna Smith (@anna_smith) November 3, 2021") it is often all the lower-case
# words there are, and it is mostly in the post's language.
_TLD = r"\.(?:com|org|net|info|biz|io|me|co|tv|news|gov|edu|int|eu|az|ru|ua|tr|uk|de|fr)\b"
_LINK = re.compile(
    r"(?:https?://|www\.)\S+"
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
    r"|\b(?:[\w-]+\.)*[\w-]+" + _TLD + r"(?:/\S*)?",
    re.IGNORECASE)
_MAYBE_DOMAIN = re.compile(_TLD, re.IGNORECASE)


def mask_links(text: str) -> str:
    """``text`` with its links and e-mail addresses blanked out (same length, so offsets
    hold): what is left is what tells the language."""
    spans = link_spans(text)
    if not spans:
        return text
    parts, pos = [], 0
    for start, end in spans:
        parts += [text[pos:start], " " * (end - start)]
        pos = end
    return "".join(parts) + text[pos:]


def link_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each link and e-mail address in ``text``, in order. A document is
    looked at line by line, so that a "/" in one line does not send the whole document through
    the full pattern; most lines have no "/", "@" or domain ending at all and skip it."""
    spans, offset = [], 0
    for line in text.splitlines(keepends=True) if "\n" in text else [text]:
        if "/" in line or "@" in line or _MAYBE_DOMAIN.search(line):  # else: a thirtieth of the cost
            spans.extend((offset + m.start(), offset + m.end()) for m in _LINK.finditer(line))
        offset += len(line)
    return spans


def latin_schwa(text: str) -> str:
    """Azerbaijani typed with the Cyrillic schwa (ә, common in scraped text) in Latin script:
    ``text`` with ə for ә when its letters are mostly Latin, else unchanged."""
    if "ә" not in text and "Ә" not in text:
        return text
    counts = script_counts(text)
    if counts["Latin"] > counts["Cyrillic"]:
        return text.replace("ә", "ə").replace("Ә", "Ə")
    return text
