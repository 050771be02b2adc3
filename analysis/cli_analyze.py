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
import contextlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .errors import InputError
from .outfiles import RowWriter, atomic_path, jsonl_line
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
    p.add_argument("--targets", nargs="+", default=None, metavar="T",
                   help='stance targets, e.g. --targets "a ceasefire" "NATO membership for Ukraine" '
                        '(default: the main actors and issues of the text, proposed as the app does; '
                        '--targets "" for no stance at all)')
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
    p.add_argument("--chunk-articles", type=int, default=64, metavar="N",
                   help="local engine: articles analysed, written and dropped at a time (memory stays "
                        "flat as the corpus grows; default 64)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    p.set_defaults(func=run_analyze)


def _format_of(args: argparse.Namespace) -> str:
    if args.format:
        return str(args.format)
    suffix = Path(args.out).suffix.lower().lstrip(".") if args.out != "-" else ""
    return suffix if suffix in FORMATS else "jsonl"


class _ArticleProgress:
    """One tqdm bar on stderr counting analysed articles: articles/s, ETA and statements so far."""

    def __init__(self, total: int, *, enabled: bool) -> None:
        self.bar: Any = None
        self.statements = 0
        if enabled and total > 0:
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc="analysing", unit="article", file=sys.stderr,
                            dynamic_ncols=True, mininterval=0.5, smoothing=0.1)

    def advance(self, articles: int, statements: int) -> None:
        self.statements += statements
        if self.bar is not None:
            self.bar.set_postfix_str(f"{self.statements} statements", refresh=False)
            self.bar.update(articles)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def write_rows(rows: list[dict[str, Any]], fmt: str, out: str, targets: list[str] | None = None) -> None:
    """Write rows as JSONL / CSV / Parquet to ``out`` (``-`` = stdout) atomically for files.

    CSV and Parquet use the product's one statements table (:func:`analysis.outfiles.table_row`);
    a CSV file starts with a UTF-8 byte-order mark for Excel, CSV on stdout does not (pipes).
    """
    with row_output(fmt, out, targets or []) as writer:
        writer.write(rows)


@contextlib.contextmanager
def row_output(fmt: str, out: str, targets: list[str]) -> Iterator[RowWriter]:
    """A :class:`RowWriter` on ``out``: stdout as rows come; a file whole or not at all (rows go
    to a temporary file beside it, which replaces it when the block ends without an error)."""
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}.")
    if fmt == "parquet" and out == "-":
        raise InputError("Parquet is a binary format: give a file with --out results.parquet.")
    if out == "-":
        writer = RowWriter(fmt, targets, stream=sys.stdout, bom=False)
        yield writer
        writer.close()
        return
    target = Path(out)
    if target.parent and not target.parent.exists():
        raise InputError(f"--out {out}: the folder {target.parent} does not exist.")
    with atomic_path(target) as path:
        writer = RowWriter(fmt, targets, path=path, bom=True)
        try:
            yield writer
        finally:
            writer.close()


def run_analyze(args: argparse.Namespace) -> int:
    """The ``analyze`` command: returns the exit code.

    The local engine streams: ``--chunk-articles`` articles at a time are analysed, their rows
    written (and saved with ``--db``) and dropped, so memory stays flat as the corpus grows; the
    output file and the database see the whole analysis or nothing.
    """
    from .countries import load_overrides
    from .ingest import load_inputs
    from .pipeline import AnalysisTotals, contract_row, normalize_targets, prepare_articles

    if args.batch_size < 1:
        raise InputError("--batch-size must be at least 1.")
    if args.chunk_articles < 1:
        raise InputError("--chunk-articles must be at least 1.")
    fmt = _format_of(args)
    if fmt == "parquet" and args.out == "-":
        raise InputError("Parquet is a binary format: give a file with --out results.parquet.")
    targets = normalize_targets(args.targets or [])
    overrides = load_overrides(args.overrides) if args.overrides else None
    articles, errors = load_inputs(list(args.paths))
    for e in errors:
        print(f"skipped {e.source}: {e.error}", file=sys.stderr)
    if not articles:
        raise InputError("no input could be read; nothing to analyse (see the messages above).")
    # Duplicates are found here, over the whole corpus, so the bar counts what is analysed.
    articles, duplicates = prepare_articles(articles, args.keep_duplicates)
    proposed: list[str] = []
    if args.targets is None:
        # As the app's first run: stance toward the text's main actors and issues, said so.
        from .pipeline import PROPOSED_TARGETS, suggest_targets

        targets = proposed = suggest_targets(articles, limit=PROPOSED_TARGETS)
        if proposed:
            print(f"no --targets given: stance toward the proposed targets {', '.join(map(repr, proposed))} "
                  f'(--targets to choose, --targets "" for none)', file=sys.stderr)
    totals = AnalysisTotals(targets)
    bar = _ArticleProgress(len(articles), enabled=not args.no_progress)
    analysis_id = edit_token = None
    spool = _Spool() if args.db else None
    try:
        with row_output(fmt, args.out, targets) as out:
            if spool is not None:
                from .store import new_analysis_id, new_edit_token

                analysis_id, edit_token = new_analysis_id(), new_edit_token()
                # Shown before the save commits: a kill right after the commit must not leave an
                # analysis whose edit token nobody saw (nobody could ever rename or delete it).
                # Killed before the commit, the printed id simply does not exist.
                print(f"saving analysis {analysis_id} (edit token, keep it private: {edit_token})",
                      file=sys.stderr, flush=True)
            for chunk in _chunks(args, articles, targets, overrides):
                totals.add(chunk)
                if spool is not None:
                    for r in chunk.rows:
                        r["analysis_id"] = analysis_id
                    spool.write(chunk.rows)
                out.write([contract_row(r) for r in chunk.rows])
                bar.advance(len(chunk.articles), len(chunk.rows))
            totals.result.errors[:0] = errors
            if duplicates:
                totals.result.settings["duplicates"] = duplicates
            if proposed:
                totals.result.settings["proposed_targets"] = proposed
            if spool is not None:
                # Inside the output's block: if the save fails, no output file claims an analysis
                # that does not exist.
                _save(args.db, str(analysis_id), str(edit_token), totals.result, spool)
    finally:
        bar.close()
    for group in duplicates:
        copies = ", ".join(f"{c['article_id']}" + (f" ({c['source']})" if c.get("source") else "")
                           for c in group["copies"])
        print(f"duplicate: {copies} repeat(s) {group['kept']}; analysed and counted once "
              f"(--keep-duplicates to analyse every copy)", file=sys.stderr)
    print(f"{len(articles)} article(s), {totals.n_statements} statement(s)"
          + (f", {len(errors)} input(s) skipped" if errors else ""), file=sys.stderr)
    if analysis_id is not None:
        print(f"saved analysis {analysis_id} (edit token, keep it private: {edit_token})", file=sys.stderr)
        print(f"open it in the app at /?analysis={analysis_id} "
              f"(e.g. http://localhost:8501/?analysis={analysis_id})", file=sys.stderr)
        if args.out != "-":
            print(analysis_id)
    return 0


class _Spool:
    """The rows of a run on disk until they are saved: memory stays flat, and the database is
    written in one short transaction at the end instead of one held open (SQLite: locked for every
    other writer) for the whole run."""

    def __init__(self) -> None:
        import tempfile

        self.file = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115 - closed by rows()

    def write(self, rows: list[dict[str, Any]]) -> None:
        self.file.writelines(jsonl_line(r) for r in rows)

    def rows(self, batch: int = 2000) -> Iterator[list[dict[str, Any]]]:
        self.file.seek(0)
        out: list[dict[str, Any]] = []
        for line in self.file:
            out.append(json.loads(line))
            if len(out) >= batch:
                yield out
                out = []
        if out:
            yield out
        self.file.close()


def _save(db_url: str, analysis_id: str, edit_token: str, result: Any, spool: _Spool) -> None:
    """Save the analysis (articles and actors from ``result``, rows from ``spool``) in one transaction."""
    from .store import analysis_writer

    with analysis_writer(db_url, analysis_id=analysis_id, edit_token=edit_token) as db:
        if db.analysis_id != analysis_id:  # a fresh 128-bit id already taken: never in practice
            raise InputError(f"analysis id {analysis_id} is already in {db_url}; run again.")
        db.add(result.articles, [])
        for rows in spool.rows():
            db.add([], rows)
        db.finish(result)


def _chunks(args: argparse.Namespace, articles: list[Any], targets: list[str],
            overrides: dict[str, Any] | None) -> Iterator[Any]:
    """The analysis of the prepared ``articles``, chunk by chunk (the Ray engine: one chunk)."""
    if args.engine == "ray":
        if args.workers < 1:
            raise InputError("--workers must be at least 1.")
        try:
            from .engine_ray import analyze_with_ray
        except ImportError as exc:
            raise InputError(f"--engine ray needs Ray: pip install 'ray[data]' ({exc}).") from exc
        yield analyze_with_ray(articles, targets, sentiment_id=args.model_sentiment,
                               stance_id=args.model_stance, address=args.ray_address,
                               workers=args.workers, batch_size=args.batch_size,
                               overrides=overrides, keep_duplicates=True)
        return
    from .models import load_sentiment_model, load_stance_model
    from .pipeline import analyze_in_chunks

    yield from analyze_in_chunks(articles, targets, chunk_articles=args.chunk_articles,
                                 sentiment_model=load_sentiment_model(args.model_sentiment),
                                 stance_model=load_stance_model(args.model_stance) if targets else None,
                                 batch_size=args.batch_size, overrides=overrides, keep_duplicates=True)
