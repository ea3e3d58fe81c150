"""Language identification and segmentation into language runs."""

from .detectors import BACKENDS, UND, Detector, EnsembleDetector, LangdetectDetector, LinguaDetector, make_detector
from .segmenter import Segmenter, segment

__all__ = [
    "BACKENDS", "UND", "Detector", "EnsembleDetector", "LangdetectDetector", "LinguaDetector",
    "Segmenter", "make_detector", "segment",
]
