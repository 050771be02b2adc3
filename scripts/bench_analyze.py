#!/usr/bin/env python
"""Benchmark ``analyze``: articles/s, statements/s, peak memory and the time split per stage.

    python scripts/bench_analyze.py --data ../shared/data/polnear/polnear_train.jsonl
    python scripts/bench_analyze.py --data my_corpus/                  # any inputs analyze reads
    python scripts/bench_analyze.py --data ... --limit 100            # a quicker run
    python scripts/bench_analyze.py --data ... --rules-only           # statement stage only
    python scripts/bench_analyze.py --data ... --engine ray --workers 2

``--data``: a PolNeAR JSONL file (title, publisher and date are kept) or any files / folders
``python -m analysis analyze`` reads. The models and the attribution tagger are wrapped in timing
proxies, so "sentiment", "stance" and "tagger" are exactly the time spent inside their calls
(tokenisation, forward passes, post-processing); everything else (segmentation, quotes, speakers,
actors, countries, row building) is "rules and rows". The score cache is cleared first so repeated
runs measure the models, not the cache. Peak memory is the process's maximum resident set (with
``--engine ray``, the driver's only). The Ray engine reports no split per stage.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis.errors import StancemapError  # noqa: E402
from analysis.records import Article  # noqa: E402


class Timed:
    """A model proxy that adds up the seconds spent in ``score``."""

    def __init__(self, model: Any) -> None:
        self.model = model
        self.model_id = model.model_id
        self.runtime = getattr(getattr(model, "scorer", model), "runtime", None)  # what settings.runtime reports
        self.seconds = 0.0
        self.items = 0

    def score(self, texts: Sequence[str], *args: Any, **kwargs: Any) -> list[Any]:
        t0 = time.perf_counter()
        try:
            return list(self.model.score(texts, *args, **kwargs))
        finally:
            self.seconds += time.perf_counter() - t0
            self.items += len(texts)


class TimedTagger:
    """The attribution tagger, timed the same way."""

    def __init__(self, tagger: Any) -> None:
        self.tagger = tagger
        self.folder_name = getattr(tagger, "folder_name", None)
        self.seconds = 0.0

    def tag(self, text: str) -> Any:
        t0 = time.perf_counter()
        try:
            return self.tagger.tag(text)
        finally:
            self.seconds += time.perf_counter() - t0


def peak_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load_articles(path: str, limit: int | None) -> list[Article]:
    if not path.endswith(".jsonl") or Path(path).is_dir():
        from analysis.ingest import load_inputs

        found, errors = load_inputs([path])
        for e in errors:
            print(f"skipped {e.source}: {e.error}", file=sys.stderr)
        return found[:limit] if limit is not None else found
    articles: list[Article] = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh):
            if limit is not None and n >= limit:
                break
            d = json.loads(line)
            articles.append(Article(article_id=d.get("filename") or f"a{n}", text=d["text"],
                                    title=d.get("title"), source=d.get("publisher"),
                                    published=d.get("publication_date")))
    return articles


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", required=True, help="PolNeAR JSONL (polnear_train.jsonl: 840 articles)")
    parser.add_argument("--limit", type=int, default=None, help="only the first N articles")
    parser.add_argument("--targets", nargs="*", default=["Donald Trump", "Hillary Clinton"],
                        help="stance targets (default: two; stance pairs = statements x targets)")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--rules-only", action="store_true",
                        help="time the statement/speaker stage only (no models needed)")
    parser.add_argument("--model-sentiment", default="bundled:sentiment")
    parser.add_argument("--model-stance", default="bundled:stance")
    parser.add_argument("--engine", choices=["local", "ray"], default="local")
    parser.add_argument("--workers", type=int, default=2, help="--engine ray: actors")
    args = parser.parse_args()
    if not Path(args.data).exists():
        print(f"error: {args.data} does not exist", file=sys.stderr)
        return 2
    articles = load_articles(args.data, args.limit)
    chars = sum(len(a.text) for a in articles)

    if args.rules_only:
        from analysis.quotes import extract_statements

        t0 = time.perf_counter()
        n_statements = sum(len(extract_statements(a)[0]) for a in articles)
        wall = time.perf_counter() - t0
        print(f"rules only: {len(articles)} articles ({chars / 1e6:.2f} M chars), {n_statements} statements "
              f"in {wall:.1f} s")
        print(f"articles/s {len(articles) / wall:.1f}  statements/s {n_statements / wall:.0f}")
        return 0

    from analysis.models import SCORE_CACHE, load_sentiment_model, load_stance_model
    from analysis.pipeline import analyze

    if args.engine == "ray":
        from analysis.engine_ray import analyze_with_ray

        t0 = time.perf_counter()
        result = analyze_with_ray(articles, args.targets, sentiment_id=args.model_sentiment,
                                  stance_id=args.model_stance, workers=args.workers, batch_size=args.batch_size)
        wall = time.perf_counter() - t0
        n = len(result.rows)
        print(f"ray, {args.workers} worker(s): {len(articles)} articles ({chars / 1e6:.2f} M chars), {n} statements "
              f"in {wall:.1f} s, Ray start-up and the workers' model loads included")
        print(f"articles/s {len(articles) / wall:.2f}  statements/s {n / wall:.1f}  peak memory of the driver "
              f"{peak_mb():.0f} MB (the workers are Ray's processes, not this one's children: not measured)")
        return 0

    from analysis.attribution_model import default_tagger

    try:
        t_load = time.perf_counter()
        sentiment = Timed(load_sentiment_model(args.model_sentiment))
        stance = Timed(load_stance_model(args.model_stance)) if args.targets else None
        loaded_tagger = default_tagger()
        tagger = TimedTagger(loaded_tagger) if loaded_tagger is not None else None
        t_load = time.perf_counter() - t_load
    except StancemapError as exc:
        print(f"error: {exc}\n(use --rules-only to time the statement stage without models)", file=sys.stderr)
        return 2
    SCORE_CACHE.clear()
    t0 = time.perf_counter()
    result = analyze(articles, args.targets, sentiment_model=sentiment, stance_model=stance,  # type: ignore[arg-type]
                     batch_size=args.batch_size, tagger=tagger)
    wall = time.perf_counter() - t0
    tagged = tagger.seconds if tagger else 0.0
    inference = sentiment.seconds + (stance.seconds if stance else 0.0) + tagged
    n = len(result.rows)
    runtime = result.settings.get("runtime", {})
    print(f"{len(articles)} articles ({chars / 1e6:.2f} M chars), {n} statements, "
          f"{sentiment.items} sentiment inputs (statements + mentions), "
          f"{stance.items if stance else 0} stance pairs; models loaded in {t_load:.1f} s (not counted); "
          f"runtime {runtime}")
    print(f"wall {wall:.1f} s: sentiment {sentiment.seconds:.1f} s, stance "
          f"{stance.seconds if stance else 0.0:.1f} s, tagger {tagged:.1f} s, rules and rows {wall - inference:.1f} s")
    print(f"articles/s {len(articles) / wall:.2f}  statements/s {n / wall:.1f}  peak memory {peak_mb():.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
