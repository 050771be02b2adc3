"""Dev-set evaluation of sentiment and stance models (never on data they trained on).

Sentiment: NewsMTSC dev_rw and dev_mt, macro-F1 over negative / neutral / positive.
Stance: topics held out from training (see :mod:`analysis.datasets`): macro-F1 over
favor / against / none, and SemEval-2016's F_avg = mean(F1 favor, F1 against).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import datasets
from .labels import SENTIMENT_LABELS, STANCE_LABELS


def f1_per_label(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str]) -> dict[str, float]:
    out = {}
    for label in labels:
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if g == p == label)
        fp = sum(1 for g, p in zip(gold, pred, strict=True) if p == label and g != label)
        fn = sum(1 for g, p in zip(gold, pred, strict=True) if g == label and p != label)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        out[label] = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return out


def summarise(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str]) -> dict[str, Any]:
    per = f1_per_label(gold, pred, labels)
    result: dict[str, Any] = {
        "n": len(gold),
        "macro_f1": round(sum(per.values()) / len(per), 4),
        "accuracy": round(sum(g == p for g, p in zip(gold, pred, strict=True)) / max(1, len(gold)), 4),
        "f1": {k: round(v, 4) for k, v in per.items()},
    }
    if "favor" in per and "against" in per:
        result["f_avg"] = round((per["favor"] + per["against"]) / 2, 4)
    return result


def _evaluate(score_set: Any, sets: dict[str, list[Any]], labels: Sequence[str]) -> dict[str, dict[str, Any]]:
    results = {}
    for name, examples in sets.items():
        started = time.perf_counter()
        predicted = [s.label for s in score_set(examples)]
        results[name] = summarise([e.label for e in examples], predicted, labels)
        results[name]["seconds"] = round(time.perf_counter() - started, 1)
    return results


def evaluate_sentiment(model: Any, data: Path, batch_size: int = 64) -> dict[str, dict[str, Any]]:
    return _evaluate(
        lambda examples: model.score([e.text for e in examples], [e.span for e in examples], batch_size=batch_size),
        datasets.sentiment_eval_sets(data), SENTIMENT_LABELS)


def score_stance_examples(model: Any, examples: Sequence[Any], batch_size: int = 64) -> list[Any]:
    """Scores for stance examples; news examples are read with their context."""
    contexts = [getattr(e, "context", None) for e in examples]
    return list(model.score([e.text for e in examples], [e.target for e in examples],
                            contexts=contexts if any(contexts) else None, batch_size=batch_size))


def stance_eval_sets(data: Path) -> dict[str, list[Any]]:
    """The public held-out stance sets, plus the labelled news dev split when present."""
    from .news_stance import load_split

    sets: dict[str, list[Any]] = {}
    news = load_split("dev", data)
    if news:
        sets["news_dev"] = news
    sets.update(datasets.stance_eval_sets(data))
    return sets


def evaluate_stance(model: Any, data: Path, batch_size: int = 64) -> dict[str, dict[str, Any]]:
    results = _evaluate(lambda examples: score_stance_examples(model, examples, batch_size),
                        stance_eval_sets(data), STANCE_LABELS)
    return results


def news_slices(examples: Sequence[Any], predicted: Sequence[str]) -> dict[str, dict[str, Any]]:
    """News dev metrics per target kind, named vs implied targets, and first-round vs contrast
    pairs (the first-round pairs are the dev set as it was before the contrast round)."""
    groups: dict[str, list[int]] = {}
    for i, e in enumerate(examples):
        groups.setdefault(f"kind={e.target_kind}", []).append(i)
        groups.setdefault("implied" if e.implied else "named", []).append(i)
        groups.setdefault("contrast pairs" if getattr(e, "contrast", False) else "first-round pairs", []).append(i)
    return {name: summarise([examples[i].label for i in idx], [predicted[i] for i in idx], STANCE_LABELS)
            for name, idx in sorted(groups.items())}


def format_table(results: dict[str, dict[str, Any]]) -> str:
    lines = [f"{'dataset':36} {'n':>5} {'macroF1':>8} {'F_avg':>6} {'acc':>6}  per-label F1"]
    for name, r in results.items():
        f_avg = f"{r['f_avg']:.3f}" if "f_avg" in r else "-"
        per = " ".join(f"{k}={v:.3f}" for k, v in r["f1"].items())
        lines.append(f"{name:36} {r['n']:>5} {r['macro_f1']:>8.3f} {f_avg:>6} {r['accuracy']:>6.3f}  {per}")
    return "\n".join(lines)
