"""Development data built from sentence pairs (the Tatoeba dev sets): document pairs with
insertions, deletions and merges; news-like pages with passages among page furniture; pages
with no translation on them; two editions of a news site. For tests, benchmarks and notebooks,
never for what the toolkit computes."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Sequence

from ..io.datasets import ParallelPair
from ..sentences import split_sentences
from ..types import AlignedGroup


def build_document_pair(
    pairs: Sequence[ParallelPair], seed: int = 0, insert: float = 0.05, delete: float = 0.05, merge: float = 0.05
) -> tuple[list[str], list[str], list[AlignedGroup]]:
    """Two 'documents' (sentence lists) from parallel pairs, with the true alignment.

    About ``insert`` of the pairs keep only their target sentence (an insertion), ``delete``
    only their source (a deletion), and ``merge`` join two consecutive source sentences into
    one, giving 1–2 groups.
    """
    rng = random.Random(seed)
    src: list[str] = []
    tgt: list[str] = []
    gold: list[AlignedGroup] = []
    i = 0
    while i < len(pairs):
        r = rng.random()
        p = pairs[i]
        if r < delete:
            gold.append(AlignedGroup([len(src)], [], 1.0))
            src.append(p.src)
        elif r < delete + insert:
            gold.append(AlignedGroup([], [len(tgt)], 1.0))
            tgt.append(p.tgt)
        elif r < delete + insert + merge and i + 1 < len(pairs):
            q = pairs[i + 1]
            gold.append(AlignedGroup([len(src)], [len(tgt), len(tgt) + 1], 1.0))
            src.append(f"{p.src} {q.src}")
            tgt.extend([p.tgt, q.tgt])
            i += 1
        else:
            gold.append(AlignedGroup([len(src)], [len(tgt)], 1.0))
            src.append(p.src)
            tgt.append(p.tgt)
        i += 1
    return src, tgt, gold


@dataclass
class DevPage:
    """A page built from dev sentences: its lines, each line's language (``None`` where a
    line has no single right answer, e.g. "VIDEO"), and the line pairs that translate each other."""

    kind: str
    lines: list[str]
    langs: list[str | None]
    parallel: set[tuple[int, int]]

    @property
    def text(self) -> str:
        return "\n".join(self.lines) + "\n"

    def line_spans(self) -> list[tuple[int, int]]:
        spans, pos = [], 0
        for line in self.lines:
            spans.append((pos, pos + len(line)))
            pos += len(line) + 1
        return spans


_TAGS = {"az": "Teqlər: {}, {}", "en": "Tags: {}, {}", "ru": "Теги: {}, {}"}
_TAG_WORDS = {"az": ["Bakı", "iqtisadiyyat", "siyasət", "mədəniyyət"], "en": ["Baku", "economy", "politics", "culture"],
              "ru": ["Баку", "экономика", "политика", "культура"]}
_WROTE = {"ru": "Он написал: «{}»", "az": "O yazıb: «{}»", "en": "He wrote: “{}”"}
_QUOTED = {"ru": "«{}», — написал он.", "az": "«{}», — o yazıb.", "en": "“{},” he wrote."}
_AND = {"ru": ", а также ", "az": ", həmçinin ", "en": ", and "}  # joins two sentences into one
#: how a notice in two languages is laid out: a line each in turn, both on one line (bare or
#: with a separator), or one language's lines and then the other's
_BILINGUAL = ("interleaved", "one-line", "separated", "blocks")
_FURNITURE = [("Xəbərlər", "az"), ("News", "en"), ("Новости", "ru"), ("VIDEO", None), ("Əsas səhifə", "az"),
              ("Home", "en"), ("Главная", "ru"), ("Bizi izləyin", "az"), ("Follow us", "en"), ("Подписывайтесь", "ru"),
              ("FOTO", None), ("29.11.2021", "und")]
# lines in no language: times, counters, dashes, layout tokens (they are und, whatever is around them)
_NO_LANGUAGE = ["• 21:17", "- 14:30", "0:00 0:30:00 0:00", "-", "0", "XS", "SM", "MD", "LG", "XS SM MD LG"]
_CREDITS = {"ru": "Съемка, фото из архива - {}", "az": "Foto: {}", "en": "Photo: {}"}
_AGENCIES = ["Sputnik Azərbaycan", "AZƏRTAC", "Report.az", "APA"]


def build_dev_pages(pairs: Sequence[ParallelPair], seed: int = 0, per_kind: int = 6,
                    held_out: Sequence[str] = ()) -> list[DevPage]:
    """Pages in the shapes of real multilingual news pages, from dev sentence pairs:

    - ``headline``: an article (headline, dateline, body, tag line) in one language, ending with
      its headline in the other languages, one line each;
    - ``quote``: an article quoting a post in English (with a "— Name (@handle) date" line) and
      giving its translation later, bare or after a lead-in;
    - ``post2``: the same with a post of two sentences, in one line or two, its translation in
      one line, bare, after a lead-in or quoted with the attribution after it ("«…», — написал
      он."); each line of the post pairs with that line;
    - ``repeated``: a headline printed twice (at the top and in a related-links block), its
      translation once: both occurrences pair with it;
    - ``no-language``: an article with times, counters, dashes and layout tokens among its
      lines (all of them ``und``), and its headline translated;
    - ``thread``: three numbered posts ("1/ …", "2/ …", "3/ …") and their translation in two
      lines, the second and third posts joined into one sentence (one-to-two: both post lines
      pair with the second line);
    - ``bilingual``: a notice of 3–5 sentences in two languages inside an article, a line each
      in turn, both on one line (bare or "… / …"; such a line pairs with itself) or one
      language's lines and then the other's;
    - negatives: ``paraphrase`` (a quoted English post and an unrelated line in the article's
      language that shares a word with it, and whose English shares under half its words),
      ``turkish`` (a Turkish quote and its English translation: Turkish is not ours),
      ``furniture`` (menu items in three languages), ``credit`` (a photo credit line naming an
      agency, and a line in another language that names it too: names shared, nothing
      translated).

    Pairs with a side in ``held_out`` (e.g. the bundled background sentences that calibrate
    the scores) are left out, so the pages test what the calibration has not seen.
    """
    rng = random.Random(seed)
    pairs, mono, linked = _page_material(pairs, held_out)
    by = {}
    for p in pairs:
        by.setdefault((p.src_lang, p.tgt_lang), []).append(p)

    def body(lang: str, count: int, avoid: set[str]) -> list[str]:
        avoid = avoid | {t for s in avoid for t in linked.get(s, ())}
        pool = [s for s in mono[lang] if s not in avoid]
        return [" ".join(rng.sample(pool, rng.randint(1, 3))) for _ in range(count)]

    def dateline() -> str:
        return f"{rng.randint(1, 28):02d}.{rng.randint(1, 12):02d}.2021 {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}"

    def article(lang: str, headline: str, avoid: set[str]) -> tuple[list[str], list]:
        lines = [headline, dateline()] + body(lang, rng.randint(5, 15), avoid)
        lines.append(_TAGS[lang].format(*rng.sample(_TAG_WORDS[lang], 2)))
        langs = [lang] * len(lines)
        langs[1] = "und"  # the dateline: no letters, no language
        return lines, langs

    pages: list[DevPage] = []
    headline_pairs = [("az", "en", by[("az", "en")], False), ("en", "az", by[("az", "en")], True),
                      ("en", "ru", by[("en", "ru")], False), ("ru", "en", by[("en", "ru")], True)]
    for k in range(per_kind):
        a, b, pool, flip = headline_pairs[k % len(headline_pairs)]
        p = rng.choice(pool)
        head, foreign = (p.tgt, p.src) if flip else (p.src, p.tgt)
        lines, langs = article(a, head, {head, foreign})
        lines.append(foreign)
        langs.append(b)
        pages.append(DevPage("headline", lines, langs, {(0, len(lines) - 1)}))
    for k in range(per_kind):
        lang, pool = ("ru", by[("en", "ru")]) if k % 2 == 0 else ("az", by[("az", "en")])
        p = rng.choice(pool)
        post, translation = (p.src, p.tgt) if lang == "ru" else (p.tgt, p.src)
        avoid = {post, translation}
        lines = body(lang, rng.randint(2, 5), avoid)
        at = len(lines)
        lines += [post, f"— Anna Smith (@anna_smith) November {rng.randint(1, 28)}, 2021"]
        lines += body(lang, rng.randint(0, 3), avoid)
        lines.append(_WROTE[lang].format(translation) if k % 3 == 0 else translation)
        lines += body(lang, rng.randint(2, 5), avoid)
        langs = [lang] * len(lines)
        langs[at] = langs[at + 1] = "en"
        pages.append(DevPage("quote", lines, langs, {(at, lines.index(next(x for x in lines if translation in x)))}))
    for k in range(per_kind):
        p = rng.choice(by[("az", "en")])
        word = max(p.tgt.split(), key=len).strip(".,!?").lower()
        related = [q.src for q in by[("az", "en")]  # shares a word, but no translation of the post
                   if q is not p and word in q.tgt.lower() and _word_overlap(q.tgt, p.tgt) < 0.5] or \
                  [q.src for q in rng.sample(by[("az", "en")], 1)]
        lines = body("az", rng.randint(2, 5), {p.src})
        at = len(lines)
        lines += [p.tgt, "— Anna Smith (@anna_smith) November 3, 2021", rng.choice(related)]
        lines += body("az", rng.randint(2, 5), {p.src})
        langs = ["az"] * len(lines)
        langs[at] = langs[at + 1] = "en"
        pages.append(DevPage("paraphrase", lines, langs, set()))
    for k in range(per_kind):
        p = rng.choice(by[("en", "tr")])
        lines = body("en", rng.randint(2, 5), {p.src})
        at = len(lines)
        lines += [p.tgt, p.src] + body("en", rng.randint(2, 5), {p.src})
        langs: list = ["en"] * len(lines)
        langs[at] = "und"
        pages.append(DevPage("turkish", lines, langs, set()))
    for k in range(per_kind):
        lang = ("az", "en", "ru")[k % 3]
        menu = rng.sample(_FURNITURE, 6)
        lines, langs = article(lang, body(lang, 1, set())[0], set())
        lines = [m for m, _ in menu[:3]] + lines + [m for m, _ in menu[3:]]
        langs = [g for _, g in menu[:3]] + langs + [g for _, g in menu[3:]]
        pages.append(DevPage("furniture", lines, langs, set()))
    for k in range(per_kind):  # drawn last, so the kinds above are the same pages as without it
        lang, pool = ("ru", by[("en", "ru")]) if k % 2 == 0 else ("az", by[("az", "en")])
        first, second = rng.sample(pool, 2)
        posts = [(p.src, p.tgt) if lang == "ru" else (p.tgt, p.src) for p in (first, second)]
        avoid = {t for pair in posts for t in pair}
        lines = body(lang, rng.randint(2, 5), avoid)
        at = len(lines)
        post = [posts[0][0] + " " + posts[1][0]] if k % 2 == 0 else [posts[0][0], posts[1][0]]
        lines += post + [f"— Anna Smith (@anna_smith) November {rng.randint(1, 28)}, 2021"]
        lines += body(lang, rng.randint(0, 3), avoid)
        where = len(lines)
        lines.append((_WROTE[lang], _QUOTED[lang], "{}")[k % 3].format(posts[0][1] + " " + posts[1][1]))
        lines += body(lang, rng.randint(2, 5), avoid)
        langs = [lang] * len(lines)
        for i in range(at, at + len(post) + 1):
            langs[i] = "en"
        pages.append(DevPage("post2", lines, langs, {(at + i, where) for i in range(len(post))}))
    # drawn after the kinds above, so that those are the same pages as without these
    for k in range(per_kind):  # a headline printed twice (top, related links), translated once
        a, b, pool, flip = headline_pairs[k % len(headline_pairs)]
        p = rng.choice(pool)
        head, foreign = (p.tgt, p.src) if flip else (p.src, p.tgt)
        lines, langs = article(a, head, {head, foreign})
        lines += [head, foreign]
        langs += [a, b]
        pages.append(DevPage("repeated", lines, langs, {(0, len(lines) - 1), (len(lines) - 2, len(lines) - 1)}))
    for k in range(per_kind):  # a credit line names what a headline names, and translates nothing
        lang, other = (("ru", "az"), ("az", "ru"), ("en", "az"))[k % 3]
        agency = rng.choice(_AGENCIES)
        lines, langs = article(lang, body(lang, 1, set())[0], set())
        lines.insert(2, _CREDITS[lang].format(agency))
        langs.insert(2, lang)
        lines.append(f"{body(other, 1, set())[0].rstrip('.!?')} — {agency}")
        langs.append(other)
        pages.append(DevPage("credit", lines, langs, set()))
    for k in range(per_kind):  # times, counters and layout tokens among an article's lines
        a, b, pool, flip = headline_pairs[k % len(headline_pairs)]
        p = rng.choice(pool)
        head, foreign = (p.tgt, p.src) if flip else (p.src, p.tgt)
        lines, langs = article(a, head, {head, foreign})
        for line in rng.sample(_NO_LANGUAGE, 4):
            at = rng.randint(2, len(lines) - 1)
            lines.insert(at, line)
            langs.insert(at, "und")
        lines.append(foreign)
        langs.append(b)
        pages.append(DevPage("no-language", lines, langs, {(0, len(lines) - 1)}))
    lower_words = {w for lang in mono for x in mono[lang] for w in x.split()[1:] if w.islower()}
    for k in range(per_kind):  # a thread of three numbered posts, the second and third translated as one
        lang, pool = ("ru", by[("en", "ru")]) if k % 2 == 0 else ("az", by[("az", "en")])
        statements = [p for p in pool if p.src.endswith(".") and p.tgt.endswith(".")]  # they join as one
        chosen = rng.sample(statements, 3)
        posts = [(p.src, p.tgt) if lang == "ru" else (p.tgt, p.src) for p in chosen]
        avoid = {t for pair in posts for t in pair}
        lines = body(lang, rng.randint(2, 5), avoid)
        at = len(lines)
        lines += [f"{n}/ {post}" for n, (post, _) in enumerate(posts, 1)]
        lines.append(f"— Anna Smith (@anna_smith) November {rng.randint(1, 28)}, 2021")
        lines += body(lang, rng.randint(0, 3), avoid)
        where = len(lines)
        second, third = posts[1][1].rstrip(".!?"), posts[2][1]
        first_word = third.split()[0]
        if first_word[:1].lower() + first_word[1:] in lower_words:  # not a name: the sentence goes on
            third = third[:1].lower() + third[1:]
        lines += [f"1/ {posts[0][1]}", f"2/ {second}{_AND[lang]}{third}"]
        lines += body(lang, rng.randint(2, 5), avoid)
        langs = [lang] * len(lines)
        for i in range(at, at + 4):
            langs[i] = "en"
        pages.append(DevPage("thread", lines, langs, {(at, where), (at + 1, where + 1), (at + 2, where + 1)}))
    for k in range(per_kind):  # a notice in two languages, laid out in one of four ways
        a, b, pool, flip = headline_pairs[(k + k // len(_BILINGUAL)) % len(headline_pairs)]  # each with each layout
        chosen = [(p.tgt, p.src) if flip else (p.src, p.tgt) for p in rng.sample(pool, rng.randint(3, 5))]
        avoid = {t for pair in chosen for t in pair}
        lines = body(a, rng.randint(2, 4), avoid)
        at, n = len(lines), len(chosen)
        layout = _BILINGUAL[k % len(_BILINGUAL)]
        if layout == "interleaved":
            lines += [x for pair in chosen for x in pair]
            langs_here, gold = [a, b] * n, {(at + 2 * i, at + 2 * i + 1) for i in range(n)}
        elif layout == "blocks":
            lines += [x for x, _ in chosen] + [y for _, y in chosen]
            langs_here, gold = [a] * n + [b] * n, {(at + i, at + n + i) for i in range(n)}
        else:  # both on one line, bare or with a separator
            sep = " " if layout == "one-line" else " / "
            lines += [f"{x}{sep}{y}" for x, y in chosen]
            langs_here, gold = [None] * n, {(at + i, at + i) for i in range(n)}
        rest = body(a, rng.randint(2, 4), avoid)
        pages.append(DevPage("bilingual", lines + rest, [a] * at + langs_here + [a] * len(rest), gold))
    return pages


def build_unrelated_pages(pairs: Sequence[ParallelPair], count: int, seed: int = 0,
                          held_out: Sequence[str] = ()) -> list[DevPage]:
    """Pages with text in several of our languages and no translation on them: 4–10 lines
    of 1–3 dev sentences each, most lines in the page's main language (az, en, ru in turn),
    the others in any of the three, and no two sentences of a page translations of each other
    (by the dev pairs). The commonest page in a multilingual news archive: a sidebar of other
    stories, readers' comments. Every passage found on one is wrong."""
    rng = random.Random(seed)
    _, mono, linked = _page_material(pairs, held_out)
    pools = {lang: sorted(set(mono[lang])) for lang in ("az", "en", "ru")}
    pages = []
    for k in range(count):
        main = ("az", "en", "ru")[k % 3]
        used: set[str] = set()
        lines, langs = [], []
        for _ in range(rng.randint(4, 10)):
            lang = main if rng.random() < 0.6 else rng.choice(("az", "en", "ru"))
            chosen: list[str] = []
            want = rng.randint(1, 3)
            while len(chosen) < want:
                text = rng.choice(pools[lang])
                if text not in used and not linked.get(text, set()) & used:
                    used.add(text)
                    chosen.append(text)
            lines.append(" ".join(chosen))
            langs.append(lang)
        pages.append(DevPage("unrelated", lines, langs, set()))
    return pages


def with_long_sentences(page: DevPage) -> DevPage:
    """The page with each line of article text made one long sentence, its sentences joined by
    commas ("Tom is a hick, tom found a four-leaf clover, what triggers your asthma attacks."):
    the dev sentences are short, a news article's two to three times a post's or a
    headline's. The lines that pair (headline, post, translation) stay as they are, and so do
    lines with a colon or a handle (tag, credit and byline lines, "He wrote: «…»")."""
    paired = {k for pair in page.parallel for k in pair}
    lines = list(page.lines)
    for k, (line, lang) in enumerate(zip(lines, page.langs)):
        if k in paired or lang not in ("az", "en", "ru") or ":" in line or "@" in line:
            continue
        parts = [line[a:b].rstrip(".!?…") for a, b in split_sentences(line)]
        if len(parts) > 1:
            lines[k] = ", ".join([parts[0]] + [p[:1].lower() + p[1:] for p in parts[1:]]) + "."
    return DevPage(page.kind, lines, list(page.langs), set(page.parallel))


def _page_material(pairs: Sequence[ParallelPair], held_out: Sequence[str]
                   ) -> tuple[list[ParallelPair], dict[str, list[str]], dict[str, set[str]]]:
    """The pairs with no side in ``held_out``; their sentences by language, in order; and every
    sentence's translations (to keep them apart on a page)."""
    held = set(held_out)
    kept = [p for p in pairs if p.src not in held and p.tgt not in held]
    mono: dict[str, list[str]] = {}
    linked: dict[str, set[str]] = {}
    for p in kept:
        mono.setdefault(p.src_lang, []).append(p.src)
        mono.setdefault(p.tgt_lang, []).append(p.tgt)
        linked.setdefault(p.src, set()).add(p.tgt)
        linked.setdefault(p.tgt, set()).add(p.src)
    return kept, mono, linked


def _word_overlap(a: str, b: str) -> float:
    """Jaccard overlap of two sentences' lower-cased words."""
    wa, wb = ({w.strip(".,!?\"'") for w in x.lower().split()} for x in (a, b))
    return len(wa & wb) / max(len(wa | wb), 1)


def build_editions(pairs: Sequence[ParallelPair], documents: int, seed: int = 0, abridged: float = 0.0):
    """Two editions of a news site from parallel pairs (source side, target side): stories of
    3–8 sentences, ids unrelated across sides, ~25 % of the stories in one edition only (two
    unrelated documents), ~10 % only partly translated (a sentence of its own on each side), and
    with ``abridged`` a share of stories whose target edition carries the first half of the
    source's sentences and a sentence of its own (as a site's English edition often does).
    Returns (source documents, target documents shuffled, the set of true id pairs); see
    :func:`build_edition_kinds` for each true pair's kind."""
    return build_edition_kinds(pairs, documents, seed, abridged)[:3]


def build_edition_kinds(pairs: Sequence[ParallelPair], documents: int, seed: int = 0, abridged: float = 0.0):
    """:func:`build_editions`, and a fourth value: each true pair's kind (``full``, ``partial``
    or ``abridged``). The abridged stories are drawn after the others, so that these are the
    same documents as without them."""
    from ..types import Document

    rng = random.Random(seed)
    pool = list(pairs)
    rng.shuffle(pool)
    it = iter(pool)
    src_docs, tgt_docs, truth, kinds = [], [], set(), {}
    for _ in range(documents):
        chosen = [next(it) for _ in range(rng.randint(3, 8))]
        src, tgt = [p.src for p in chosen], [p.tgt for p in chosen]
        kind = rng.random()
        if kind < 0.25:
            tgt = [next(it).tgt for _ in chosen]
        elif kind < 0.35:
            src.append(next(it).src)
            tgt.insert(1, next(it).tgt)
        src_docs.append(Document(f"{chosen[0].src_lang}-{rng.randrange(10**8):08d}", " ".join(src)))
        tgt_docs.append(Document(f"{chosen[0].tgt_lang}-{rng.randrange(10**8):08d}", " ".join(tgt)))
        if kind >= 0.25:
            truth.add((src_docs[-1].id, tgt_docs[-1].id))
            kinds[(src_docs[-1].id, tgt_docs[-1].id)] = "partial" if kind < 0.35 else "full"
    for _ in range(round(documents * abridged)):
        chosen = [next(it) for _ in range(rng.randint(4, 8))]
        half = (len(chosen) + 1) // 2
        tgt = [p.tgt for p in chosen[:half]] + [next(it).tgt]  # half of it, and a sentence of its own
        src_docs.append(Document(f"{chosen[0].src_lang}-{rng.randrange(10**8):08d}", " ".join(p.src for p in chosen)))
        tgt_docs.append(Document(f"{chosen[0].tgt_lang}-{rng.randrange(10**8):08d}", " ".join(tgt)))
        truth.add((src_docs[-1].id, tgt_docs[-1].id))
        kinds[(src_docs[-1].id, tgt_docs[-1].id)] = "abridged"
    rng.shuffle(tgt_docs)
    return src_docs, tgt_docs, truth, kinds
