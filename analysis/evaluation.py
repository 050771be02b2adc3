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


def evaluate_stance(model: Any, data: Path, batch_size: int = 64) -> dict[str, dict[str, Any]]:
    return _evaluate(
        lambda examples: model.score([e.text for e in examples], [e.target for e in examples], batch_size=batch_size),
        datasets.stance_eval_sets(data), STANCE_LABELS)


def format_table(results: dict[str, dict[str, Any]]) -> str:
    lines = [f"{'dataset':36} {'n':>5} {'macroF1':>8} {'F_avg':>6} {'acc':>6}  per-label F1"]
    for name, r in results.items():
        f_avg = f"{r['f_avg']:.3f}" if "f_avg" in r else "-"
        per = " ".join(f"{k}={v:.3f}" for k, v in r["f1"].items())
        lines.append(f"{name:36} {r['n']:>5} {r['macro_f1']:>8.3f} {f_avg:>6} {r['accuracy']:>6.3f}  {per}")
    return "\n".join(lines)
