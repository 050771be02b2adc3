#!/usr/bin/env python
"""Stance on the labelled news dev split (labels/news_stance/dev.jsonl), side by side.

    python scripts/eval_news_stance.py --data ../shared/data [--model FOLDER ...] [--sentiment]

For each model folder (default: the bundled stance model) prints macro-F1, F_avg, accuracy, the
share of "none" predicted (truth in the header), ECE, and the slices named / implied target and
per target kind -- raw (no calibration) and as shipped (with the calibration stored in the
folder, if any). ``--sentiment`` adds two rows that use the product's target-dependent sentiment:
sentiment alone read as stance (positive -> favor, negative -> against, neutral -> none), and the
combination the issue asked about (stance log-probabilities plus ``w`` times the sentiment
log-probabilities toward the target's mention, where the statement names the target; ``w`` chosen
by two-fold cross-validation over dev articles).
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from analysis import calibration  # noqa: E402
from analysis.evaluation import news_slices, score_stance_examples, summarise  # noqa: E402
from analysis.labels import STANCE_LABELS  # noqa: E402
from analysis.news_stance import NewsStanceExample, load_split  # noqa: E402

SENT_TO_STANCE = {"positive": "favor", "negative": "against", "neutral": "none"}


def mention_span(text: str, target: str) -> tuple[int, int] | None:
    """Where the statement names the target: the whole target, else its last capitalised word
    ("Trump" for "Donald Trump"); None for targets that are not names."""
    low = text.lower()
    at = low.find(target.lower())
    if at >= 0:
        return at, at + len(target)
    names = [w.strip("'’s.,") for w in target.split() if w[:1].isupper() and len(w) > 2]
    for name in reversed(names):
        at = text.find(name)
        if at >= 0:
            return at, at + len(name)
    return None


def row(name: str, probs: list[list[float]], gold: list[int], examples: list[NewsStanceExample]) -> None:
    pred = [STANCE_LABELS[max(range(3), key=lambda i, r=r: r[i])] for r in probs]
    m = summarise([STANCE_LABELS[g] for g in gold], pred, STANCE_LABELS)
    sl = news_slices(examples, pred)
    print(f"{name:44} {m['macro_f1']:>7.3f} {m['f_avg']:>6.3f} {m['accuracy']:>6.3f} "
          f"{pred.count('none') / len(pred):>6.1%} {calibration.ece(probs, gold):>6.3f}   "
          f"named {sl['named']['macro_f1']:.3f}/{sl['named']['f_avg']:.3f}  "
          f"implied {sl['implied']['macro_f1']:.3f}/{sl['implied']['f_avg']:.3f}  "
          + "  ".join(f"{k[5:]} {v['macro_f1']:.3f}/{v['f_avg']:.3f}" for k, v in sl.items() if k.startswith("kind="))
          + (f"  first-round {sl['first-round pairs']['macro_f1']:.3f}/{sl['first-round pairs']['f_avg']:.3f}"
             if "first-round pairs" in sl else "")
          + (f"  contrast acc {sl['contrast pairs']['accuracy']:.3f} macro-F1 {sl['contrast pairs']['macro_f1']:.3f}"
             if "contrast pairs" in sl else ""))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--model", action="append", default=None, help="stance model folder (repeatable)")
    ap.add_argument("--sentiment", action="store_true")
    ap.add_argument("--split", default="dev")
    args = ap.parse_args()
    from analysis.cards import raw_stance_model
    from analysis.models import Calibration, bundled_model_dir, load_sentiment_model, read_bundled_meta

    dev = load_split(args.split, args.data)
    gold = [STANCE_LABELS.index(e.label) for e in dev]
    truth = Counter(e.label for e in dev)
    print(f"news {args.split}: {len(dev)} pairs, {len({e.article for e in dev})} articles, "
          f"{dict(truth)}, none {truth['none'] / len(dev):.1%}, implied {sum(e.implied for e in dev) / len(dev):.1%}")
    print(f"{'model':44} {'macroF1':>7} {'F_avg':>6} {'acc':>6} {'none%':>6} {'ECE':>6}   slices macro-F1/F_avg")
    folders = [Path(f) for f in (args.model or [str(bundled_model_dir("stance"))])]
    last_probs: list[list[float]] = []
    for folder in folders:
        model = raw_stance_model(folder)
        started = time.perf_counter()
        scores = score_stance_examples(model, dev)
        seconds = time.perf_counter() - started
        probs = [[s.scores[label] for label in STANCE_LABELS] for s in scores]
        last_probs = probs
        row(f"{folder.name} raw ({len(dev) / seconds:.0f} pairs/s)", probs, gold, dev)
        cal = Calibration.from_meta(read_bundled_meta("stance", folder).get("calibration"))
        if cal is not None:
            row(f"{folder.name} calibrated (in-sample)", [cal.apply(p, STANCE_LABELS) for p in probs], gold, dev)
            rep = calibration.report(probs, gold, [e.article for e in dev])
            cv = rep.cross_validated
            print(f"{'  ... calibration 2-fold CV by article':44} {cv['macro_f1']:>7.3f} {cv['f_avg']:>6.3f} "
                  f"{cv['accuracy']:>6.3f} {cv['none_rate']:>6.1%} {cv['ece']:>6.3f}")
    if args.sentiment:
        sentiment = load_sentiment_model("bundled:sentiment")
        spans = [mention_span(e.text, e.target) for e in dev]
        whole = sentiment.score([e.text for e in dev], [None] * len(dev))
        named_idx = [i for i, s in enumerate(spans) if s is not None]
        toward = sentiment.score([dev[i].text for i in named_idx], [spans[i] for i in named_idx])
        sent_probs = [[w.scores[k] for k in ("positive", "negative", "neutral")] for w in whole]
        for i, s in zip(named_idx, toward, strict=True):
            sent_probs[i] = [s.scores[k] for k in ("positive", "negative", "neutral")]
        row("sentence/target sentiment read as stance", sent_probs, gold, dev)

        def combine(w: float, idx: list[int]) -> list[list[float]]:
            out = []
            for i in idx:
                logits = [math.log(max(p, 1e-9)) for p in last_probs[i]]
                if spans[i] is not None:
                    logits = [v + w * math.log(max(q, 1e-9)) for v, q in zip(logits, sent_probs[i], strict=True)]
                top = max(logits)
                e = [math.exp(v - top) for v in logits]
                out.append([x / sum(e) for x in e])
            return out

        def objective(idx: list[int], w: float) -> float:
            probs = combine(w, idx)
            pred = [STANCE_LABELS[max(range(3), key=lambda k, r=r: r[k])] for r in probs]
            m = summarise([dev[i].label for i in idx], pred, STANCE_LABELS)
            return (m["macro_f1"] + m["f_avg"]) / 2

        arts = sorted({e.article for e in dev})
        fold = {a: i % 2 for i, a in enumerate(arts)}
        grid = [0.0, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0]
        cv_probs: list[list[float]] = [[] for _ in dev]
        chosen = []
        for f in (0, 1):
            train = [i for i, e in enumerate(dev) if fold[e.article] != f]
            test = [i for i, e in enumerate(dev) if fold[e.article] == f]
            w = max(grid, key=lambda w: objective(train, w))
            chosen.append(w)
            # The same calibration as shipped models get, fitted on the training fold only.
            cal = calibration.fit(combine(w, train), [gold[i] for i in train])
            for i, p in zip(test, calibration.calibrated(combine(w, test), cal), strict=True):
                cv_probs[i] = p
        row(f"last model + sentiment + calibration, 2-fold CV (w={chosen})", cv_probs, gold, dev)
        print(f"  pairs whose statement names the target: {len(named_idx)} of {len(dev)}")


if __name__ == "__main__":
    main()
