#!/usr/bin/env python
"""Which runtime should the bundled models run on? Speed and dev quality side by side (issue 12,
point 3).

    python scripts/bench_runtime.py --data ../shared/data [--threads 2] [--pairs 384] [--no-quality]

For the bundled stance and sentiment models, each runtime below scores the same inputs in the same
run: pairs/s at batch sizes 8, 32 and 64 (the product's scorer: pairs sorted by length, dynamic
padding, no cache), then every dev set of ``python -m analysis eval`` (macro-F1 / F_avg), so the
cost of each runtime in quality is measured, not assumed.

Runtimes:
  torch-fp32   PyTorch, the adapter merged into the base (the product's default)
  torch-int8   PyTorch per-channel int8 dynamic quantisation of every Linear (STANCEMAP_QUANTIZE=1)
  ort-fp32     ONNX Runtime, the same merged model exported to ONNX, graph optimisations ORT_ENABLE_ALL
  ort-int8     ONNX Runtime, that graph with per-channel int8 weights: the product's default on CPU
               (analysis/onnx_runtime.py; exported once and cached)

Speed inputs: stance, the first ``--pairs`` (target, statement, title | preceding text) pairs of
the labelled news dev split; sentiment, the first ``--pairs`` NewsMTSC dev_rw mentions.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

RUNTIMES = ("torch-fp32", "torch-int8", "ort-fp32", "ort-int8")
BATCH_SIZES = (8, 32, 64)


def _ort_forward(model: Any, folder: Path, *, threads: int) -> Callable[[dict[str, Any]], Any]:
    """Export ``model`` (fp32, merged) to ONNX under ``folder``; a forward that runs it in ONNX
    Runtime fp32 with full graph optimisations."""
    import onnxruntime as ort
    import torch

    names = ["input_ids", "attention_mask", "token_type_ids"]
    dummy = tuple(torch.ones((2, 8), dtype=torch.long) for _ in names)
    path = folder / "model.onnx"
    if not path.exists():
        torch.onnx.export(model, dummy, str(path), input_names=names, output_names=["logits"],
                          dynamic_axes={**{n: {0: "batch", 1: "tokens"} for n in names}, "logits": {0: "batch"}},
                          opset_version=17, dynamo=False)
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])

    def forward(batch: dict[str, Any]) -> Any:
        feed = {n: batch[n].cpu().numpy() for n in names if n in batch}
        logits = torch.from_numpy(session.run(None, feed)[0]).float()
        return torch.softmax(logits, dim=-1)

    return forward


def _model(task: str, runtime: str, workdir: Path, threads: int) -> Any:
    """The bundled ``task`` model (a StanceModel or SentimentModel) on ``runtime``, without the score cache."""
    from analysis.labels import SENTIMENT_LABELS
    from analysis.models import SentimentModel, _bundled_scorer, bundled_model_dir, bundled_stance_model

    folder = bundled_model_dir(task)
    # ort-int8 is the product's own path (analysis/onnx_runtime.py, the default on CPU); ort-fp32
    # is exported here from the fp32 model, for the comparison only.
    quantize: bool | str = {"torch-fp32": False, "torch-int8": True, "ort-fp32": False, "ort-int8": "onnx-int8"}[runtime]
    if task == "stance":
        model = bundled_stance_model(f"bundled:{task}", folder, quantize, cache=None)
        scorer = model.scorer
    else:
        scorer, _ = _bundled_scorer(f"bundled:{task}", folder, task, SENTIMENT_LABELS, quantize)
        scorer.cache = None
        model = SentimentModel(scorer, target_aware=True)
    if runtime == "ort-fp32":
        torch_model = scorer.forward.__closure__[0].cell_contents  # the merged fp32 model _softmax_forward wraps
        sub = workdir / task
        sub.mkdir(parents=True, exist_ok=True)
        scorer.forward = _ort_forward(torch_model, sub, threads=threads)
    return model


def _speed_inputs(task: str, data: Path, n: int) -> tuple[list[str], list[str | None]]:
    from analysis import datasets
    from analysis.models import mark_target
    from analysis.news_stance import load_split
    from analysis.stance_context import stance_second_segment

    if task == "stance":
        examples = load_split("dev", data)[:n]
        pairs: list[str | None] = [stance_second_segment(e.text, e.context) for e in examples]
        return [e.target for e in examples], pairs
    sents = datasets.sentiment_eval_sets(data)["newsmtsc_dev_rw"][:n]
    marked = [mark_target(e.text, *e.span) for e in sents if e.span]
    return [m[0] for m in marked], [m[1] for m in marked]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, required=True, help="the shared data folder")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--pairs", type=int, default=384, help="inputs per speed measurement")
    parser.add_argument("--task", choices=["stance", "sentiment"], action="append", default=None)
    parser.add_argument("--runtime", choices=RUNTIMES, action="append", default=None)
    parser.add_argument("--no-quality", action="store_true", help="speed only")
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    args = parser.parse_args(argv)

    import torch

    from analysis.evaluation import evaluate_sentiment, evaluate_stance

    torch.set_num_threads(args.threads)
    results: dict[str, Any] = {"threads": args.threads, "pairs": args.pairs}
    with tempfile.TemporaryDirectory() as tmp:
        for task in args.task or ["stance", "sentiment"]:
            firsts, seconds = _speed_inputs(task, args.data, args.pairs)
            for runtime in args.runtime or list(RUNTIMES):
                model = _model(task, runtime, Path(tmp), args.threads)
                scorer = model.scorer
                scorer.run(firsts[:16], seconds[:16], batch_size=8)          # warm-up
                row: dict[str, Any] = {}
                for bs in BATCH_SIZES:
                    started = time.perf_counter()
                    scorer.run(firsts, seconds, batch_size=bs)
                    row[f"pairs/s bs{bs}"] = round(len(firsts) / (time.perf_counter() - started), 1)
                if not args.no_quality:
                    quality = (evaluate_stance if task == "stance" else evaluate_sentiment)(model, args.data)
                    for name, r in quality.items():
                        row[name] = {"macro_f1": r["macro_f1"], **({"f_avg": r["f_avg"]} if "f_avg" in r else {})}
                results[f"{task} {runtime}"] = row
                print(f"{task:9} {runtime:10} " + json.dumps(row), flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
