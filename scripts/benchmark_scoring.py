#!/usr/bin/env python
"""Benchmark: naive ``transformers.pipeline`` one pair at a time versus Stancemap's scorer.

Same bundled stance model, same (statement, target) pairs, same run, 2 CPU threads. Each
variant runs in its own subprocess so its peak memory (max RSS) is its own.

    python scripts/benchmark_scoring.py [--pairs 600] [--threads 2] [--model FOLDER]

The example article gives 126 distinct pairs; ``--pairs`` beyond that repeats them (as a
corpus of syndicated copies would), which the scorer answers once: ``--pairs 126`` measures
distinct pairs only.

Each pair is (statement, target, context): the context is the article's title and the text before
the statement, as ``analyze`` passes it; a model that does not read context gets the statement
alone, in every variant alike. ``--model`` benchmarks a model folder in the bundled format (e.g.
an older stance model, for before/after figures) instead of ``bundled:stance``.

Variants:
  naive      transformers.pipeline("text-classification"), fp32 merged model, one pair per call
  batched    our scorer on PyTorch fp32 (the naive pipeline's runtime): pairs sorted by length,
             dynamic padding, batch 32
  default    our scorer as the app and the CLI run it on CPU: ONNX Runtime int8 (README "Runtime")
  int8       our scorer on PyTorch int8 dynamic quantisation (opt-in: STANCEMAP_RUNTIME=torch-int8)
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
ARTICLE = REPO.parent / "shared" / "articles" / "ukraine-talks-2025-08-26.txt"
TARGETS = ["a negotiated peace deal", "Ukraine joining NATO", "Vladimir Putin", "Donald Trump",
           "sanctions on Russia", "Volodymyr Zelensky"]


def make_pairs(n: int) -> list[tuple[str, str, str]]:
    from analysis.stance_context import context_for_statement

    if ARTICLE.exists():
        text = ARTICLE.read_text(encoding="utf-8")
    else:  # keeps the script runnable without ../shared
        text = " ".join(f"Sentence number {i} says the talks on Ukraine went {'well' if i % 2 else 'badly'}."
                        for i in range(60))
    title = text.strip().splitlines()[0][:160]
    sentences = [(m.start(), m.group().strip()) for m in re.finditer(r"[^.!?]+[.!?\"”]*", text)
                 if len(m.group().strip()) > 20]
    pairs = [(s, t, context_for_statement(text, start, title)) for t in TARGETS for start, s in sentences]
    while len(pairs) < n:
        pairs += pairs
    return pairs[:n]


def run_variant(name: str, n: int, threads: int, folder: str | None) -> dict[str, float]:
    import torch

    torch.set_num_threads(threads)
    from analysis import models
    from analysis.stance_context import stance_second_segment

    pairs = make_pairs(n)
    model_id = folder or "bundled:stance"
    meta = models.read_bundled_meta("stance", Path(folder) if folder else None)
    reads_context = bool(meta.get("context"))
    if name == "naive":
        from transformers import pipeline

        tokenizer, model, _ = models._load_bundled("stance", quantize=False, folder=Path(folder) if folder else None)
        model, _ = models.place_model(model, False)
        pipe = pipeline("text-classification", model=model, tokenizer=tokenizer, device=-1, top_k=None)
        pipe({"text": pairs[0][1], "text_pair": pairs[0][0]})  # warm-up
        max_length = int(meta.get("max_length", 128))
        started = time.perf_counter()
        for text, target, context in pairs:
            second = stance_second_segment(text, context if reads_context else None)
            pipe({"text": target, "text_pair": second}, truncation="only_second", max_length=max_length)
        seconds = time.perf_counter() - started
    else:
        quantize = {"batched": False, "default": "onnx-int8", "int8": True}[name]
        model = models.load_stance_model(model_id, quantize=quantize)
        model.score([pairs[0][0]], [pairs[0][1]])  # warm-up
        models.SCORE_CACHE.clear()
        started = time.perf_counter()
        model.score([p[0] for p in pairs], [p[1] for p in pairs], contexts=[p[2] for p in pairs], batch_size=32)
        seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"pairs": len(pairs), "seconds": round(seconds, 2), "pairs_per_s": round(len(pairs) / seconds, 1),
            "peak_rss_mb": round(peak_mb)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pairs", type=int, default=600)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--model", default=None, help="a stance model folder in the bundled format")
    parser.add_argument("--variant", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.variant:
        print(json.dumps(run_variant(args.variant, args.pairs, args.threads, args.model)))
        return
    results = {}
    extra = ["--model", args.model] if args.model else []
    for name in ("naive", "batched", "default", "int8"):
        proc = subprocess.run([sys.executable, __file__, "--variant", name, "--pairs", str(args.pairs),
                               "--threads", str(args.threads), *extra], capture_output=True, text=True, check=True)
        results[name] = json.loads(proc.stdout.strip().splitlines()[-1])
    base = results["naive"]["pairs_per_s"]
    distinct = len(set(make_pairs(args.pairs)))
    print(f"stance scoring, {args.model or 'bundled:stance'}, {args.pairs} (statement, target, context) "
          f"pairs ({distinct} distinct: the scorer answers repeats once, the naive pipeline scores every "
          f"pair), {args.threads} CPU threads")
    print(f"{'variant':10} {'pairs/s':>9} {'x naive':>8} {'seconds':>8} {'peak RSS MB':>12}")
    for name, r in results.items():
        print(f"{name:10} {r['pairs_per_s']:>9} {r['pairs_per_s'] / base:>8.2f} {r['seconds']:>8} {r['peak_rss_mb']:>12}")


if __name__ == "__main__":
    main()
