"""The bundled pair classifiers on ONNX Runtime, int8: the default CPU runtime (issue 12, point 3).

Measured side by side on the bundled stance and sentiment models (``scripts/bench_runtime.py``,
README "Runtime"): ONNX Runtime with per-channel int8 weights keeps every dev set within one
macro-F1 / F_avg point of PyTorch fp32 and scores about 1.5x as many pairs per second, while
PyTorch's own int8 costs more than a point on VAST, SemEval and NewsMTSC dev_rw, and ONNX Runtime
fp32 is no faster than PyTorch fp32.

How it runs. The merged fp32 model (base encoder + our adapter) is exported to ONNX once and its
Linear weights quantised per channel (``onnxruntime.quantization.quantize_dynamic``); the file is
cached on disk under a key of the adapter's bytes and the library versions, so later processes
(app workers, Ray actors, CLI runs) load it in well under a second. Nothing is downloaded.
Without ``onnxruntime`` / ``onnx`` installed, or if the export fails, the caller falls back to
PyTorch fp32 and says so in the runtime name that every analysis records.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

RUNTIME_NAME = "onnx int8 (per-channel), CPU"
INPUT_NAMES = ("input_ids", "attention_mask", "token_type_ids")
FORMAT_VERSION = "1"  # bump when the export recipe changes, so old cached files are not reused


def available() -> bool:
    import importlib.util

    return all(importlib.util.find_spec(name) is not None for name in ("onnx", "onnxruntime"))


def cache_dir() -> Path:
    """Where exported models are kept: ``STANCEMAP_CACHE_DIR``, else ``$XDG_CACHE_HOME/stancemap``
    (``~/.cache/stancemap``), in a subfolder ``onnx``; the system's temporary folder when that
    cannot be created (a read-only home on a server)."""
    root = os.environ.get("STANCEMAP_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "stancemap")
    folder = Path(root) / "onnx"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        folder = Path(tempfile.gettempdir()) / "stancemap-onnx"
    return folder


def cache_key(folder: Path, labels: int) -> str:
    """The adapter's bytes, its head size and the versions that shape the exported graph."""
    import onnxruntime
    import torch
    import transformers

    h = hashlib.sha256()
    for name in ("adapter_model.safetensors", "adapter_config.json"):
        h.update((folder / name).read_bytes())
    h.update(f"{labels}|{torch.__version__}|{transformers.__version__}|{onnxruntime.__version__}|{FORMAT_VERSION}".encode())
    return h.hexdigest()[:24]


def _export(model: Any, path: Path, per_token: bool = False) -> None:
    """Export the merged fp32 ``model`` and quantise it into ``path`` (atomically: a process that
    dies halfway leaves no half file for the next one to load)."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=path.parent) as tmp:
        fp32 = Path(tmp) / "model.onnx"
        int8 = Path(tmp) / "model.int8.onnx"
        dummy = tuple(torch.ones((2, 8), dtype=torch.long) for _ in INPUT_NAMES)
        with warnings.catch_warnings(), torch.inference_mode(False):
            warnings.simplefilter("ignore")
            torch.onnx.export(model.cpu().eval(), dummy, str(fp32), input_names=list(INPUT_NAMES),
                              output_names=["logits"],
                              dynamic_axes={**{n: {0: "batch", 1: "tokens"} for n in INPUT_NAMES},
                                            "logits": {0: "batch", 1: "tokens"} if per_token else {0: "batch"}},
                              opset_version=17, dynamo=False)
        root = logging.getLogger()
        level = root.level
        root.setLevel(logging.ERROR)  # quantize_dynamic logs a pre-processing hint on the root logger
        try:
            quantize_dynamic(str(fp32), str(int8), per_channel=True, weight_type=QuantType.QInt8)
        finally:
            root.setLevel(level)
        os.replace(int8, path)


def int8_logits(model: Any, folder: Path, labels: int, *, per_token: bool = False) -> Callable[[dict[str, Any]], Any]:
    """``model`` (merged, fp32; a sequence classifier, or a token classifier with ``per_token``)
    exported and quantised as above, on ONNX Runtime with this process's torch thread count: a
    function from a batch of token tensors to its logits (a float tensor)."""
    import onnxruntime as ort
    import torch

    kind = "tokens" if per_token else "pairs"
    path = cache_dir() / f"{folder.name}-{kind}-{cache_key(folder, labels)}.int8.onnx"
    if not path.exists():
        log.info("exporting %s to ONNX (int8) at %s, once", folder, path)
        _export(model, path, per_token)
    options = ort.SessionOptions()
    options.intra_op_num_threads = max(1, torch.get_num_threads())
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    wanted = {i.name for i in session.get_inputs()}

    def logits(batch: dict[str, Any]) -> Any:
        feed = {n: batch[n].cpu().numpy() for n in INPUT_NAMES if n in batch and n in wanted}
        if "token_type_ids" in wanted and "token_type_ids" not in feed:
            feed["token_type_ids"] = torch.zeros_like(batch["input_ids"]).cpu().numpy()
        return torch.from_numpy(session.run(None, feed)[0]).float()

    return logits


def int8_forward(model: Any, folder: Path, labels: int) -> Callable[[dict[str, Any]], Any]:
    """A pair scorer's ``forward`` (batch of token tensors -> softmax probabilities) on
    :func:`int8_logits`."""
    import torch

    logits = int8_logits(model, folder, labels)

    def forward(batch: dict[str, Any]) -> Any:
        return torch.softmax(logits(batch), dim=-1)

    return forward
