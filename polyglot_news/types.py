"""Data types shared by every stage: documents, segments, translations, passages, signatures.

Every span is a pair of character offsets ``[start, end)`` into the original document text, so
that any result can be traced back to the exact characters it came from.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Signature:
    """What produced a result: package version plus each component and its settings.

    Like sacrebleu's signatures, ``str(signature)`` is a compact, human-readable line and
    ``signature.digest`` a stable hash of it, usable as a cache key or to invalidate results.
    """

    components: dict[str, Any]

    def __str__(self) -> str:
        parts = []
        for name in sorted(self.components):
            value = self.components[name]
            if isinstance(value, dict):
                inner = ",".join(f"{k}={_compact(v)}" for k, v in sorted(value.items()))
                parts.append(f"{name}:{inner}")
            else:
                parts.append(f"{name}:{_compact(value)}")
        return "|".join(parts)

    @property
    def digest(self) -> str:
        payload = json.dumps(self.components, sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]

    def merged(self, **components: Any) -> "Signature":
        """A new signature with more components (e.g. a translator added to a segmenter's)."""
        return Signature({**self.components, **components})

    def to_dict(self) -> dict[str, Any]:
        """The digest and the components (``str(signature)`` is the same as one line)."""
        return {"digest": self.digest, **self.components}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Signature":
        return cls({k: v for k, v in data.items() if k not in ("text", "digest")})


def _compact(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return "+".join(str(v) for v in value)
    return str(value)


@dataclass
class Document:
    """One input document: an id, its full text and free-form metadata (source file, line…)."""

    id: str
    text: str
    metadata: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "text": self.text, "metadata": dict(self.metadata)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Document":
        return cls(id=str(data["id"]), text=data["text"], metadata=dict(data.get("metadata") or {}))


@dataclass
class Segment:
    """A run of one language: ``text == document.text[start:end]``.

    ``lang`` is an ISO 639-1 code of a target language or ``"und"``; ``confidence`` is the
    detector's support for that label over the run, between 0 and 1.
    """

    start: int
    end: int
    lang: str
    confidence: float
    text: str

    def __post_init__(self) -> None:
        if self.end - self.start != len(self.text):
            raise ValueError(
                f"segment span [{self.start}, {self.end}) does not match its text length {len(self.text)}"
            )

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "lang": self.lang,
            "confidence": round(self.confidence, 4),
            "text": self.text,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Segment":
        return cls(
            start=int(data["start"]),
            end=int(data["end"]),
            lang=str(data["lang"]),
            confidence=float(data["confidence"]),
            text=data["text"],
        )


@dataclass
class TranslationChunk:
    """One piece of a segment sent to the model: its span in the document and both texts."""

    start: int
    end: int
    source: str
    text: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "TranslationChunk":
        return cls(int(data["start"]), int(data["end"]), data["source"], data["text"])


@dataclass
class Translation:
    """The English translation of one segment, with the chunks that cover it, and the verdict
    on it (``quality``: ``{"score", "flags"}``, :mod:`polyglot_news.quality`) where scored.
    ``retried``: set where a flagged first output was translated again (``"kept first"`` or
    ``"kept second"``)."""

    text: str
    model: str
    chunks: list[TranslationChunk]
    quality: dict[str, Any] | None = None
    retried: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out = {"text": self.text, "model": self.model, "chunks": [c.to_dict() for c in self.chunks]}
        if self.quality is not None:
            out["quality"] = self.quality
        if self.retried is not None:
            out["retried"] = self.retried
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Translation":
        return cls(data["text"], data["model"], [TranslationChunk.from_dict(c) for c in data["chunks"]],
                   data.get("quality"), data.get("retried"))


@dataclass(frozen=True)
class Span:
    """A language-tagged character span of a document (a passage member or a sentence)."""

    lang: str
    start: int
    end: int

    def to_dict(self) -> dict[str, Any]:
        return {"lang": self.lang, "start": self.start, "end": self.end}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Span":
        return cls(str(data["lang"]), int(data["start"]), int(data["end"]))


@dataclass
class SentencePair:
    """Two aligned sentence groups; each side is a span covering one or more sentences.
    ``score``: the aligner's; ``quality``: the verdict on the pair (``{"score", "flags"}``,
    :mod:`polyglot_news.quality`) where scored."""

    src: Span
    tgt: Span
    score: float
    quality: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        out = {"src": self.src.to_dict(), "tgt": self.tgt.to_dict(), "score": round(self.score, 4)}
        if self.quality is not None:
            out["quality"] = self.quality
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "SentencePair":
        return cls(Span.from_dict(data["src"]), Span.from_dict(data["tgt"]), float(data["score"]), data.get("quality"))


@dataclass
class Passage:
    """A group of segments in different languages that translate each other."""

    members: list[Span]
    score: float
    pairs: list[SentencePair]

    def to_dict(self) -> dict[str, Any]:
        return {
            "members": [m.to_dict() for m in self.members],
            "score": round(self.score, 4),
            "pairs": [p.to_dict() for p in self.pairs],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Passage":
        return cls(
            [Span.from_dict(m) for m in data["members"]],
            float(data["score"]),
            [SentencePair.from_dict(p) for p in data["pairs"]],
        )


@dataclass
class AlignedGroup:
    """One group of a document-to-document alignment: 0-based sentence indices on each side;
    ``quality`` where scored (a group with both sides)."""

    src: list[int]
    tgt: list[int]
    score: float
    quality: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        out = {"src": list(self.src), "tgt": list(self.tgt), "score": round(self.score, 4)}
        if self.quality is not None:
            out["quality"] = self.quality
        return out
