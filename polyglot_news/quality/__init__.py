"""A quality verdict on every pair the toolkit emits (translations and aligned sentences), and
on any bitext: a score in [0, 1] and flags from a fixed vocabulary (:data:`.scorer.FLAGS`)."""

from .scorer import CLEAN, FLAGS, PairQuality, QualityScorer


def score_pairs(sources, targets, src_lang: str, tgt_lang: str, config=None) -> list[PairQuality]:
    """The verdict on each ``(sources[k], targets[k])`` with the config's encoder and detector
    (``config``: a YAML path, a dict or a :class:`~polyglot_news.config.PipelineConfig`)."""
    return QualityScorer.from_config(config).score_pairs(list(sources), list(targets), src_lang, tgt_lang)


def judge_groups(scorer: QualityScorer, src: list[str], tgt: list[str], groups, src_lang: str,
                 tgt_lang: str) -> None:
    """Set the verdict (``quality``) of each aligned group with sentences on both sides, a
    side's sentences joined by spaces."""
    both = [g for g in groups if g.src and g.tgt]
    verdicts = scorer.score_pairs([" ".join(src[i] for i in g.src) for g in both],
                                  [" ".join(tgt[j] for j in g.tgt) for g in both], src_lang, tgt_lang)
    for group, verdict in zip(both, verdicts):
        group.quality = verdict.to_dict()


__all__ = ["CLEAN", "FLAGS", "PairQuality", "QualityScorer", "judge_groups", "score_pairs"]
