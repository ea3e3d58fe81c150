"""polyglot_news: segment, translate and align multilingual (English, Azerbaijani, Russian) news."""

__version__ = "0.1.0"

from .langid import Segmenter, segment  # noqa: E402
from .pipeline import Pipeline  # noqa: E402
from .types import Document, Passage, Segment, SentencePair, Signature, Span, Translation, TranslationChunk  # noqa: E402

__all__ = [
    "__version__", "Document", "Passage", "Pipeline", "Segment", "Segmenter", "SentencePair", "Signature",
    "Span", "Translation", "TranslationChunk", "segment",
]
