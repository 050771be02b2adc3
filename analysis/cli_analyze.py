"""``python -m analysis analyze PATH...``: statements, speakers, countries, sentiment, stance.

One output row per statement with the contract fields of ARCHITECTURE.md ("CLI"), as JSONL
(default), CSV or Parquet. In CSV and Parquet the nested fields (``speaker_mention``, ``cue``,
``mentions``, ``sentiment``, ``stance``, ``models``) are JSON strings. A file that cannot be read
is reported on stderr (``skipped FILE: reason``) and the other files still go through; when no
input at all can be read the command fails (exit 2). With ``--db URL`` the analysis is saved
and every row carries its ``analysis_id``; the id is printed on stdout when the rows go to a
file (``--out``), on stderr when they go to stdout.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import IO, Any

from .errors import InputError
from .outfiles import statements_csv, table_columns, table_row, write_atomically
from .models import DEFAULT_SENTIMENT_MODEL, DEFAULT_STANCE_MODEL

FORMATS: tuple[str, ...] = ("jsonl", "csv", "parquet")


def register(sub: Any) -> None:
    """Add the ``analyze`` subcommand."""
    p = sub.add_parser(
        "analyze", help="who said what: statements, speakers, countries, sentiment and stance",
        description="Analyse files (.txt .md .html .pdf .docx .csv .jsonl), folders, URLs or - "
                    "(stdin). One output row per statement.",
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="files, folders, URLs, or - for stdin")
    p.add_argument("--targets", nargs="+", default=[], metavar="T",
                   help='stance targets, e.g. --targets "a ceasefire" "NATO membership for Ukraine"')
    p.add_argument("--format", choices=FORMATS, default=None,
                   help="output format (default: from the --out extension, else jsonl)")
    p.add_argument("--out", default="-", help="output file (default: stdout; parquet needs a file)")
    p.add_argument("--db", default=None, metavar="URL",
                   help="also save the analysis in this SQLAlchemy database (e.g. sqlite:///stancemap.db)")
    p.add_argument("--model-sentiment", default=DEFAULT_SENTIMENT_MODEL, metavar="ID",
                   help=f"sentiment model id or folder (default {DEFAULT_SENTIMENT_MODEL})")
    p.add_argument("--model-stance", default=DEFAULT_STANCE_MODEL, metavar="ID",
                   help=f"stance model id or folder (default {DEFAULT_STANCE_MODEL})")
    p.add_argument("--batch-size", type=int, default=32, metavar="N")
    p.add_argument("--overrides", default=None, metavar="FILE",
                   help="actor -> country overrides (JSON or CSV; see README)")
    p.add_argument("--keep-duplicates", action="store_true",
                   help="analyse every copy of identical / near-identical articles (default: the same "
                        "wire story in several outlets is analysed and counted once; copies are listed)")
    p.add_argument("--engine", choices=["local", "ray"], default="local",
                   help="local (this process) or ray (Ray Data over a pool of actors; README)")
    p.add_argument("--ray-address", default=None, metavar="ADDR",
                   help="--engine ray: a running cluster (ray://host:10001, or auto on a node); "
                        "default: a local Ray instance with --workers CPUs")
    p.add_argument("--workers", type=int, default=2, metavar="N",
                   help="--engine ray: actors (each loads the models once)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    p.set_defaults(func=run_analyze)


def _format_of(args: argparse.Namespace) -> str:
    if args.format:
        return str(args.format)
    suffix = Path(args.out).suffix.lower().lstrip(".") if args.out != "-" else ""
    return suffix if suffix in FORMATS else "jsonl"


class _TqdmProgress:
    """One tqdm bar per stage on stderr."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.bars: dict[str, Any] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled or total <= 0:
            return
        from tqdm import tqdm

        bar = self.bars.get(stage)
        if bar is None:
            bar = self.bars[stage] = tqdm(total=total, desc=stage, file=sys.stderr, leave=True,
                                          dynamic_ncols=True, mininterval=0.5)
        if bar.total != total:
            bar.total = total
        if done > bar.n:
            bar.update(done - bar.n)

    def close(self) -> None:
        for bar in self.bars.values():
            bar.close()


def write_rows(rows: list[dict[str, Any]], fmt: str, out: str, targets: list[str] | None = None) -> None:
    """Write rows as JSONL / CSV / Parquet to ``out`` (``-`` = stdout) atomically for files.

    CSV and Parquet use the product's one statements table (:func:`analysis.outfiles.table_row`);
    a CSV file starts with a UTF-8 byte-order mark for Excel, CSV on stdout does not (pipes).
    """
    targets = list(targets or [])
    if fmt == "parquet" and out == "-":
        raise InputError("Parquet is a binary format: give a file with --out results.parquet.")
    if out == "-":
        _write(rows, fmt, sys.stdout, targets, bom=False)
        sys.stdout.flush()
        return
    target = Path(out)
    if target.parent and not target.parent.exists():
        raise InputError(f"--out {out}: the folder {target.parent} does not exist.")

    def fill(path: str) -> None:
        if fmt == "parquet":
            import pandas as pd

            pd.DataFrame([table_row(r, targets) for r in rows],
                         columns=table_columns(targets)).to_parquet(path, index=False)
        else:
            with open(path, "w", encoding="utf-8", newline="") as fh:
                _write(rows, fmt, fh, targets, bom=True)

    write_atomically(target, fill)


def _write(rows: list[dict[str, Any]], fmt: str, fh: IO[str], targets: list[str], *, bom: bool) -> None:
    if fmt == "jsonl":
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    elif fmt == "csv":
        statements_csv(rows, targets, fh, bom=bom)
    else:  # pragma: no cover - argparse restricts the choices
        raise InputError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}.")


def run_analyze(args: argparse.Namespace) -> int:
    """The ``analyze`` command: returns the exit code."""
    from .countries import load_overrides
    from .ingest import load_inputs
    from .models import load_sentiment_model, load_stance_model
    from .pipeline import analyze, contract_row, normalize_targets

    if args.batch_size < 1:
        raise InputError("--batch-size must be at least 1.")
    fmt = _format_of(args)
    if fmt == "parquet" and args.out == "-":
        raise InputError("Parquet is a binary format: give a file with --out results.parquet.")
    targets = normalize_targets(args.targets)
    overrides = load_overrides(args.overrides) if args.overrides else None
    articles, errors = load_inputs(list(args.paths))
    for e in errors:
        print(f"skipped {e.source}: {e.error}", file=sys.stderr)
    if not articles:
        raise InputError("no input could be read; nothing to analyse (see the messages above).")
    if args.engine == "ray":
        if args.workers < 1:
            raise InputError("--workers must be at least 1.")
        try:
            from .engine_ray import analyze_with_ray
        except ImportError as exc:
            raise InputError(f"--engine ray needs Ray: pip install 'ray[data]' ({exc}).") from exc
        result = analyze_with_ray(articles, targets, sentiment_id=args.model_sentiment,
                                  stance_id=args.model_stance, address=args.ray_address,
                                  workers=args.workers, batch_size=args.batch_size,
                                  overrides=overrides, keep_duplicates=args.keep_duplicates)
    else:
        sentiment_model = load_sentiment_model(args.model_sentiment)
        stance_model = load_stance_model(args.model_stance) if targets else None
        bar = _TqdmProgress(enabled=not args.no_progress and len(articles) > 0)
        try:
            result = analyze(articles, targets, sentiment_model=sentiment_model, stance_model=stance_model,
                             batch_size=args.batch_size, progress=bar, overrides=overrides,
                             keep_duplicates=args.keep_duplicates)
        finally:
            bar.close()
    result.errors = list(errors) + list(result.errors)
    if args.db:
        from .store import new_analysis_id, new_edit_token, save_analysis

        # The id and token are printed before the save commits: a kill right after the commit
        # must not leave an analysis whose edit token nobody saw (nobody could ever rename or
        # delete it). Killed before the commit, the printed id simply does not exist.
        result.analysis_id, edit_token = result.analysis_id or new_analysis_id(), new_edit_token()
        print(f"saving analysis {result.analysis_id} (edit token, keep it private: {edit_token})",
              file=sys.stderr, flush=True)
        analysis_id, edit_token = save_analysis(result, args.db, edit_token=edit_token)
        for r in result.rows:
            r["analysis_id"] = analysis_id
    for group in result.settings.get("duplicates", []):
        copies = ", ".join(f"{c['article_id']}" + (f" ({c['source']})" if c.get("source") else "")
                           for c in group["copies"])
        print(f"duplicate: {copies} repeat(s) {group['kept']}; analysed and counted once "
              f"(--keep-duplicates to analyse every copy)", file=sys.stderr)
    rows = [contract_row(r) for r in result.rows]
    write_rows(rows, fmt, args.out, targets)
    print(f"{len(articles)} article(s), {len(rows)} statement(s)"
          + (f", {len(errors)} input(s) skipped" if errors else ""), file=sys.stderr)
    if args.db:
        print(f"saved analysis {analysis_id} (edit token, keep it private: {edit_token})", file=sys.stderr)
        print(f"open it in the app at /?analysis={analysis_id} "
              f"(e.g. http://localhost:8501/?analysis={analysis_id})", file=sys.stderr)
        if args.out != "-":
            print(analysis_id)
    return 0
