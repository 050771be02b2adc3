#!/usr/bin/env python
"""Sentiment stage speed, side by side: the sentiment inputs ``analyze`` builds (each statement,
and each actor or country mention in it) for the first N articles of a PolNeAR file, scored by
each model in the same run.

    python scripts/bench_sentiment.py --data ../shared/data/polnear/polnear_dev.jsonl \\
        [--articles 20] [--threads 2] [--model bundled:sentiment --model bundled:sentiment-fast]

Prints inputs/s per model; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", required=True)
    parser.add_argument("--articles", type=int, default=20)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--model", action="append", default=None)
    args = parser.parse_args()
    import torch

    torch.set_num_threads(args.threads)
    from analysis import models
    from analysis.quotes import extract_statements
    from analysis.records import Article

    texts: list[str] = []
    spans: list[tuple[int, int] | None] = []
    with open(args.data, encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            if i >= args.articles:
                break
            doc = json.loads(line)
            statements, mentions, _ = extract_statements(Article(doc.get("filename", str(i)), doc["text"]))
            for st in statements:
                texts.append(st.text)
                spans.append(None)
                for m in mentions:
                    if st.start <= m.start and m.end <= st.end and m.actor:
                        texts.append(st.text)
                        spans.append((m.start - st.start, m.end - st.start))
    print(f"{len(texts)} sentiment inputs ({len(set(texts))} statements) from {args.articles} articles, "
          f"{args.threads} CPU threads")
    for model_id in args.model or [models.DEFAULT_SENTIMENT_MODEL, models.FAST_SENTIMENT_MODEL]:
        model = models.load_sentiment_model(model_id)
        model.score(texts[:8], spans[:8])   # warm-up
        models.SCORE_CACHE.clear()
        started = time.perf_counter()
        model.score(texts, spans, batch_size=32)
        seconds = time.perf_counter() - started
        models.SCORE_CACHE.clear()
        print(f"{model_id:28} {seconds:7.1f} s {len(texts) / seconds:8.1f} inputs/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
