"""Which writing system a text's letters belong to: Latin, Cyrillic or Other.

One definition for every stage (sentence-splitting rules, detector normalisation, smoothing).
"""

from __future__ import annotations

from collections import Counter


def letter_script(ch: str) -> str:
    """The script of one letter (call it on letters only)."""
    if ch < "\u0250" or ch in "əƏ" or "\u1e00" <= ch <= "\u1eff":
        return "Latin"
    if "\u0400" <= ch <= "\u052f":
        return "Cyrillic"
    return "Other"


def script_counts(text: str) -> Counter:
    """How many letters of ``text`` are in each script."""
    return Counter(letter_script(ch) for ch in text if ch.isalpha())


def script_of(text: str) -> str:
    """The dominant script of the letters of ``text``: Latin, Cyrillic or Other (Latin on a tie
    or without letters)."""
    counts = script_counts(text)
    return max(("Latin", "Cyrillic", "Other"), key=lambda s: counts[s])
