"""Sentence splitting with exact character offsets, shared by segmentation and translation.

sentencex (Wikimedia's rule-based splitter, compiled, with abbreviation lists per language)
finds the boundaries and gives character offsets, so nothing is located after the fact and
nothing can be lost or invented: the returned spans, with the whitespace between them, cover
the input exactly. Cyrillic text gets the Russian rules, everything else the English ones, which
suit Azerbaijani's Latin punctuation. Two guards keep a boundary from cutting a sentence: the
next piece must be separated by whitespace ("İ.Əliyev" is one name) and must not begin with a
lower-case letter ("т.е. дерево" goes on). Two cuts sentencex makes in news are undone: after
an initial, in any alphabet (sentencex keeps "R. Məmmədov" and "С. Лавров" whole but cuts "Ə.
Həsənov", "Э. Мамедов", "Дж. Байрамов"), and after a month's abbreviation before a year or a
day ("12 янв. 2024 г.", "5 sent. 2023-cü il"). One boundary sentencex misses is added: after a
sentence closed inside brackets, before a capital ("Biz qalib gələcəyik. (We will win.) Sonra
getdi." is three sentences, the English one apart, not two).
"""

from __future__ import annotations

import re
from importlib.metadata import version

import sentencex

from .scripts import script_counts

#: the marks that close a quotation opened by each mark: «…», “…”, „…“ (or „…”), "…"
_CLOSES = {"«": "»", "“": "”", "„": "“”", '"': '"'}


def quotations(text: str) -> list[tuple[int, int]]:
    """The outermost quotations of a text, each as its text's span (without the marks and the
    spaces at its ends), each on one line; the one reading of quotes of language id (words in
    quotes may be another language's) and of passages (a quote is matched sentence by
    sentence). Quotes inside a quotation are part of it: «Вы придёте? "Да!" - "Нет."» is one
    quotation, not three pieces of one. An opening mark that never closes on its line is no
    quotation, and the quotations inside it are outermost. One pass over the text."""
    found: list[tuple[int, int]] = []
    stack: list[tuple[str, int, list[tuple[int, int]]]] = []  # open marks: mark, offset, quotations closed inside

    def unclosed() -> None:  # the line ends: the quotations inside open marks are outermost
        found.extend(sorted(q for _, _, inside in stack for q in inside))
        stack.clear()

    for k, c in enumerate(text):
        if c == "\n":
            unclosed()
        elif stack and c in _CLOSES[stack[-1][0]]:
            _, at, _ = stack.pop()
            body = text[at + 1:k]
            lead = len(body) - len(body.lstrip())
            (stack[-1][2] if stack else found).append((at + 1 + lead, at + 1 + len(body.rstrip())))
        elif c in _CLOSES:
            stack.append((c, k, []))
    unclosed()
    return found


def without_quotations(text: str) -> str:
    """The text with each quotation's words left out (a space in their place)."""
    pieces, pos = [], 0
    for start, end in quotations(text):
        pieces += [text[pos:start], " "]
        pos = end
    return "".join(pieces) + text[pos:]

SPLITTER = {"name": "sentencex", "version": version("sentencex"), "after_brackets": True}

#: the end of a sentence closed inside brackets ("(We will win.)"), where the next word starts
#: after white space (group 1), perhaps behind an opening bracket or quote, with its first
#: letter (group 2: a boundary only where it is a capital)
_BRACKET_END = re.compile(r"[.!?…][\"'»”’]?[)\]](?=(\s+)[(\[«\"„“]?([^\W\d_]))")

#: initials at the end of a piece ("Ə.", "А.А.", "Дж."), after white space, a bracket or a quote:
#: a name goes on in the next piece when it starts with a capital
_INITIALS_END = re.compile(r"(?:^|(?<=[\s(\[«\"„“']))(?:(?:Дж|[^\W\d_])\.)+$")

#: how many of a piece's last characters the two patterns above and below read
_TAIL = 32

#: a month's abbreviation after a day at the end of a piece ("12 янв.", "5 sent."): the date goes
#: on in the next piece when it starts with a digit
_MONTH_END = re.compile(
    r"\d\s*(?:янв|фев|февр|мар|апр|авг|сен|сент|окт|ноя|нояб|дек"
    r"|yan|fev|mar|apr|avq|sen|sent|okt|noy|dek|jan|feb|aug|sep|sept|oct|nov|dec)\.$",
    re.IGNORECASE)

#: a text that ends as a sentence does: a full stop, ! ? or …, then perhaps closing quotes or
#: brackets (labels, menu items and captions end without one)
ENDS_AS_SENTENCE = re.compile(r"[.!?…]+[\"'»”’)\]]*\s*$")


def dominant_script_language(text: str) -> str:
    """The rule set for this text: ``ru`` for mostly Cyrillic text, else ``en``."""
    counts = script_counts(text)
    return "ru" if counts["Cyrillic"] > counts["Latin"] else "en"


def split_sentences(text: str, language: str | None = None) -> list[tuple[int, int]]:
    """Sentence spans ``(start, end)`` of ``text``, without surrounding whitespace.

    Spans are in order and do not overlap; the characters between them are whitespace only.
    """
    if not text.strip():
        return []
    lang = language or dominant_script_language(text)
    spans: list[tuple[int, int]] = []
    for piece in sentencex.get_sentence_boundaries(lang, text):
        start, end = piece["start_index"], piece["end_index"]
        chunk = text[start:end]
        stripped = chunk.strip()
        if not stripped:
            continue
        s = start + (len(chunk) - len(chunk.lstrip()))
        e = s + len(stripped)
        if spans and (s == spans[-1][1] or text[s].islower() or _goes_on(text, spans[-1][1], stripped, lang)):
            spans[-1] = (spans[-1][0], e)
        else:
            spans.append((s, e))
    return [part for span in spans for part in _after_brackets(text, *span)]


def _goes_on(text: str, end: int, after: str, lang: str) -> bool:
    """Whether a sentence goes on past ``text[:end]`` (a piece's end) into ``after``: a name
    after its initials, a date after its month's abbreviation. Only the piece's last characters
    are read (a piece can be long: a line of initials stays linear).

    After initials, sentencex itself decides whether the next word starts a sentence, asked of
    the initial it knows ("A. Then" is two sentences, "A. Həsənov" one)."""
    tail = max(0, end - _TAIL)
    if after[0].isupper():
        m = _INITIALS_END.search(text, tail, end)
        if not m or not all(c.isupper() for c in m.group(0).replace("Дж", "Д") if c != "."):
            return False
        probe = ("А. " if lang == "ru" else "A. ") + after.split(None, 1)[0]
        return len(sentencex.get_sentence_boundaries(lang, probe)) == 1
    return after[0].isdigit() and bool(_MONTH_END.search(text, tail, end))


def _after_brackets(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The span ``text[start:end]`` cut after each sentence closed inside brackets that a
    capital follows."""
    parts, at = [], start
    for m in _BRACKET_END.finditer(text, start, end):
        if m.group(2).isupper():
            parts.append((at, m.end()))
            at = m.end() + len(m.group(1))
    parts.append((at, end))
    return parts




def lines(text: str) -> list[tuple[int, str]]:
    """Each line of ``text`` (blank ones too) with its offset, without its line break; the
    line break that ends a text starts no line of its own."""
    out, pos = [], 0
    for line in text.split("\n"):
        out.append((pos, line))
        pos += len(line) + 1
    if out and out[-1][1] == "":
        out.pop()
    return out


def sentences_by_line(text: str) -> list[list[tuple[int, int]]]:
    """:func:`split_sentences` line by line, the one line-aware splitter of segmentation,
    translation, passages, align-docs and align-corpus: for each line of ``text`` (blank ones
    too), its sentence spans in offsets of ``text``. No sentence crosses a line: a headline, a
    dateline, a caption or a menu item is never run into the line after it."""
    return [[(start + s, start + e) for s, e in split_sentences(line)] for start, line in lines(text)]


def sentence_texts(text: str) -> list[str]:
    """The sentences of ``text``, line by line (:func:`sentences_by_line`), each without the
    spaces at its ends."""
    return [text[s:e].strip() for spans in sentences_by_line(text) for s, e in spans if text[s:e].strip()]


def unwrap(text: str) -> str:
    """Text whose lines were wrapped, with each single line break made a space (a blank line
    still ends a paragraph)."""
    return re.sub(r"(?<!\n)\n(?!\n)", " ", text)
