"""CLI subcommands around the models: ``sentiment``, ``stance``, ``train``, ``eval``.

``sentiment`` / ``stance`` read JSONL (one object per line, ``-`` = stdin), validate every line
before scoring anything, and write the same objects back in the same order with one field added.
Output to a file goes through a temporary file renamed at the end, so a failed run never leaves a
file that looks complete.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from .errors import InputError
from .outfiles import write_atomically
from .models import DEFAULT_SENTIMENT_MODEL, DEFAULT_STANCE_MODEL


def register(sub: Any) -> None:
    p = sub.add_parser("sentiment", help="score sentiment of JSONL statements (optionally toward a span)",
                       description='Input lines: {"text": ..., "target": {"start": s, "end": e}} '
                                   '(target optional; a string target is located in the text). '
                                   'Adds "sentiment": {"label", "scores"}.')
    _pair_args(p, DEFAULT_SENTIMENT_MODEL)
    p.set_defaults(func=run_sentiment)

    p = sub.add_parser("stance", help="score stance of JSONL texts toward free-text targets",
                       description='Input lines: {"text": ..., "target": "Ukraine joining NATO", '
                                   '"context": ...}. "context" is optional: the article\'s title, then '
                                   'the text just before the statement (about three sentences), so '
                                   'that "it", "the plans", "he" resolve. Adds "stance": {"label", "scores"}.')
    _pair_args(p, DEFAULT_STANCE_MODEL)
    p.add_argument("--hypothesis-template", default=None,
                   help='NLI models only: favor hypothesis with {} for the target, e.g. "This text supports {}."')
    p.set_defaults(func=run_stance)

    p = sub.add_parser("train", help="retrain a bundled model from ../shared/data")
    p.add_argument("task", choices=["sentiment", "stance"])
    p.add_argument("--data", required=True, type=Path, help="the shared data folder (holds newsmtsc/, stance/ ...)")
    p.add_argument("--out", type=Path, default=None, help="output folder (default: analysis/bundled/<task>)")
    p.add_argument("--epochs", type=float, default=None)
    p.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: all cores)")
    p.add_argument("--limit", type=int, default=None, help="train on the first N shuffled examples only (smoke test)")
    p.add_argument("--no-eval", action="store_true", help="skip the dev evaluation and model card")
    p.add_argument("--stage", choices=["both", "general", "news", "calibrate"], default="both",
                   help="stance only: 'general' trains on the public stance mixture; 'news' fine-tunes "
                        "an adapter (--init) on the labelled news statements with context; 'both' "
                        "(default) runs one after the other, as the bundled model was made; "
                        "'calibrate' trains nothing: it refits the calibration of the model in --out "
                        "(default: the bundled one) on news dev and re-renders its card")
    p.add_argument("--init", type=Path, default=None,
                   help="stance news stage: the general-stage adapter folder to start from")
    p.set_defaults(func=run_train)

    p = sub.add_parser("eval", help="print dev metrics (held-out topics only)")
    p.add_argument("task", choices=["sentiment", "stance"])
    p.add_argument("--data", required=True, type=Path)
    p.add_argument("--model", default=None, help="model id or folder (default: the bundled one)")
    p.add_argument("--quantize", action="store_true",
                   help="bundled models: PyTorch int8 dynamic quantisation (same as --runtime torch-int8)")
    p.add_argument("--runtime", choices=["onnx-int8", "torch", "torch-int8"], default=None,
                   help="bundled models: the runtime to measure (default: STANCEMAP_RUNTIME, else onnx-int8 "
                        "on CPU; torch = PyTorch fp32, the reference)")
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--json", action="store_true", help="print the metrics as JSON")
    p.add_argument("--card", action="store_true",
                   help="with --runtime and a bundled-format model: keep these figures in the model's "
                        "metadata and re-render its card")
    p.set_defaults(func=run_eval)


def _pair_args(p: argparse.ArgumentParser, default_model: str) -> None:
    p.add_argument("--in", dest="infile", required=True, help="JSONL file, or - for stdin")
    p.add_argument("--out", dest="outfile", default="-", help="JSONL file, or - for stdout (default)")
    p.add_argument("--model", default=default_model, help=f"model id or local folder (default {default_model})")
    p.add_argument("--batch-size", type=int, default=32)


def read_jsonl_records(path: str) -> list[dict[str, Any]]:
    """Every line must be a JSON object with a string "text"; errors name the line number."""
    stream: IO[str]
    if path == "-":
        stream = sys.stdin
    else:
        p = Path(path)
        if not p.is_file():
            raise InputError(f"Input file {path} not found.")
        stream = p.open(encoding="utf-8-sig", errors="strict")
    records: list[dict[str, Any]] = []
    try:
        for number, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"line {number}: not valid JSON ({exc.msg} at column {exc.colno}); "
                                 f"each line must be one JSON object") from None
            if not isinstance(obj, dict):
                raise InputError(f"line {number}: expected a JSON object, got {type(obj).__name__}")
            if not isinstance(obj.get("text"), str):
                raise InputError(f'line {number}: missing "text" (a string)')
            obj["_line"] = number
            records.append(obj)
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text ({exc.reason}); save the file as UTF-8") from None
    finally:
        if stream is not sys.stdin:
            stream.close()
    return records


def _sentiment_span(obj: dict[str, Any]) -> tuple[int, int] | None:
    target = obj.get("target")
    line = obj["_line"]
    text = obj["text"]
    if target is None:
        return None
    if isinstance(target, str):
        at = text.lower().find(target.lower())
        if not target.strip() or at < 0:
            raise InputError(f"line {line}: target {target!r} does not occur in the text")
        return at, at + len(target)
    if isinstance(target, dict) and isinstance(target.get("start"), int) and isinstance(target.get("end"), int):
        start, end = target["start"], target["end"]
        if not 0 <= start < end <= len(text):
            raise InputError(f"line {line}: target span {start}:{end} lies outside the text "
                             f"(0..{len(text)}) or is empty")
        return start, end
    raise InputError(f'line {line}: "target" must be {{"start": int, "end": int}} or a string')


def write_jsonl(records: Iterable[dict[str, Any]], path: str) -> None:
    lines = []
    for obj in records:
        obj = {k: v for k, v in obj.items() if k != "_line"}
        lines.append(json.dumps(obj, ensure_ascii=False))
    payload = "\n".join(lines) + ("\n" if lines else "")
    if path == "-":
        sys.stdout.write(payload)
        sys.stdout.flush()
        return
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)

    def fill(tmp: str) -> None:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(payload)

    write_atomically(out, fill)


def run_sentiment(args: argparse.Namespace) -> int:
    from .models import load_sentiment_model

    records = read_jsonl_records(args.infile)
    spans = [_sentiment_span(r) for r in records]
    model = load_sentiment_model(args.model)
    scores = model.score([r["text"] for r in records], spans, batch_size=args.batch_size)
    for r, s in zip(records, scores, strict=True):
        r["sentiment"] = s.to_dict()
    write_jsonl(records, args.outfile)
    return 0


def run_stance(args: argparse.Namespace) -> int:
    from .models import load_stance_model

    records = read_jsonl_records(args.infile)
    for r in records:
        target = r.get("target")
        if not isinstance(target, str) or not target.strip():
            raise InputError(f'line {r["_line"]}: "target" must be a non-empty string, e.g. "Ukraine joining NATO"')
        context = r.get("context")
        if context is not None and not isinstance(context, str):
            raise InputError(f'line {r["_line"]}: "context" must be a string (the title, then the text '
                             f'before the statement) or left out')
    model = load_stance_model(args.model, hypothesis_template=args.hypothesis_template)
    scores = model.score([r["text"] for r in records], [r["target"] for r in records],
                         contexts=[r.get("context") for r in records], batch_size=args.batch_size)
    for r, s in zip(records, scores, strict=True):
        r["stance"] = s.to_dict()
    write_jsonl(records, args.outfile)
    return 0


def run_train(args: argparse.Namespace) -> int:
    import dataclasses

    import torch

    from . import cards, training

    if args.threads:
        torch.set_num_threads(args.threads)
    def config(name: str) -> training.TrainConfig:
        cfg = training.DEFAULTS[name]
        if args.epochs:
            cfg = dataclasses.replace(cfg, epochs=args.epochs)
        if args.limit:
            cfg = dataclasses.replace(cfg, limit=args.limit)
        return cfg

    out = args.out
    init = args.init
    if args.task == "stance" and args.stage == "calibrate":
        from .models import bundled_model_dir

        out = out or bundled_model_dir("stance")
        calibrated = cards.calibrate_on_news_dev(out, args.data)
        if calibrated and not args.no_eval:
            cards.write_card("stance", args.data, out)
        return 0 if calibrated else 1
    if args.task == "stance" and args.stage in ("both", "news"):
        if args.stage == "both":
            general_out = Path("runs/stance-general")  # intermediate, not bundled (runs/ is ignored)
            init = training.train("stance", args.data, general_out, config("stance"))
        if init is None:
            raise InputError("--stage news needs --init FOLDER (a general-stage stance adapter)")
        out = training.train("stance", args.data, out, config("stance-news"), init=init)
        calibrated = cards.calibrate_on_news_dev(out, args.data)
        if not args.no_eval:
            cards.write_card("stance", args.data, out)
        return 0 if calibrated else 1
    out = training.train(args.task, args.data, out, config(args.task))
    if not args.no_eval:
        cards.write_card(args.task, args.data, out)
    return 0


def run_eval(args: argparse.Namespace) -> int:
    from . import evaluation
    from .models import load_sentiment_model, load_stance_model

    quantize: bool | str | None = args.runtime or (True if args.quantize else None)
    if args.card:
        from . import cards
        from .models import _adapter_folder

        folder = _adapter_folder(args.model or (DEFAULT_SENTIMENT_MODEL if args.task == "sentiment"
                                                else DEFAULT_STANCE_MODEL), args.task)
        if folder is None or not args.runtime:
            raise InputError("--card needs --runtime and a model in the bundled format.")
        print(f"wrote {cards.add_runtime_metrics(args.task, args.data, folder, args.runtime)}")
        return 0
    if args.task == "sentiment":
        model = load_sentiment_model(args.model or DEFAULT_SENTIMENT_MODEL, quantize=quantize)
        results = evaluation.evaluate_sentiment(model, args.data, args.batch_size)
    else:
        model = load_stance_model(args.model or DEFAULT_STANCE_MODEL, quantize=quantize)
        results = evaluation.evaluate_stance(model, args.data, args.batch_size)
    if args.json:
        print(json.dumps({"model": model.model_id, "results": results}, indent=2))
    else:
        scorer = getattr(model, "scorer", model)  # the one-pass sentiment model is its own scorer
        runtime = scorer.cache_id.partition("#")[2] or scorer.device
        print(f"model: {model.model_id} ({runtime})")
        print(evaluation.format_table(results))
    return 0
