"""Writing result files from the command line: whole or not at all, and never over a device."""

from __future__ import annotations

import contextlib
import csv
import json
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any


def write_atomically(path: str | Path, write: Callable[[str], None]) -> None:
    """Have ``write(p)`` fill a file that then becomes ``path`` in one step (:func:`atomic_path`)."""
    with atomic_path(path) as tmp:
        write(tmp)


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[str]:
    """A path to fill that becomes ``path`` in one step when the block ends without an error.

    The block fills a temporary file beside ``path``, which then replaces it, so a reader (or an
    interrupted run) sees the old file or the whole new one, never half of it. A target that
    exists but is not a regular file (``/dev/null``, a FIFO, ``/dev/stdout``) is written
    directly: renaming a temporary file onto it would replace the device itself with a file
    (``analyze --out /dev/null`` once turned /dev/null into a root-only file that way).
    """
    target = Path(path)
    if target.exists() and not target.is_file():
        yield str(target)
        return
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=str(target.parent))
    os.close(fd)
    try:
        yield tmp
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


# A spreadsheet runs a cell that starts with one of these as a formula (=HYPERLINK(...),
# +SUM(1,2), @SUM(...), -2+3+cmd). Article ids, titles, sources and file names are user input.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> object:
    """A CSV cell a spreadsheet shows as text: strings that would start a formula get a leading
    apostrophe (OWASP's advice for CSV injection); numbers and other values pass unchanged.

    >>> spreadsheet_safe("=HYPERLINK(\\"http://x\\")"), spreadsheet_safe(-0.5), spreadsheet_safe("Trump")
    ('\\'=HYPERLINK("http://x")', -0.5, 'Trump')
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


# ---------------------------------------------------------------------------------------------
# The statements table: one layout for every CSV and Parquet the product writes (the CLI's
# --format csv/parquet and the dashboard's exports), so a file from either opens the same way.

NESTED_FIELDS: frozenset[str] = frozenset({"speaker_mention", "cue", "mentions", "sentiment", "stance", "models"})


def jsonl_line(row: dict[str, Any]) -> str:
    """One contract row as a JSONL line: the only JSONL layout (CLI output, the dashboard's
    export, the CLI's spool), UTF-8 text kept as it is."""
    return json.dumps(row, ensure_ascii=False) + "\n"


def table_columns(targets: Sequence[str]) -> list[str]:
    """The contract's fields, the extra fields, ``corrected``, then one label column per target."""
    from .pipeline import CONTRACT_FIELDS, EXTRA_FIELDS

    return [*CONTRACT_FIELDS, *EXTRA_FIELDS, "corrected", *(f"stance[{t}]" for t in targets)]


def table_row(row: dict[str, Any], targets: Sequence[str], *, spreadsheet: bool = False) -> dict[str, Any]:
    """One statement as a table row: nested fields as JSON text (README, CLI contract);
    ``corrected`` lists what a user corrected ("speaker; stance:<target>"), empty if nothing;
    ``stance[<target>]`` repeats each target's label for filtering in a spreadsheet. With
    ``spreadsheet``, every text cell is made safe to open in a spreadsheet (CSV)."""
    out: dict[str, Any] = {}
    for k in table_columns(()):
        v = row.get(k)
        if k == "corrected":
            v = "; ".join(v or [])
        elif k in NESTED_FIELDS and v is not None:
            v = json.dumps(v, ensure_ascii=False)
        out[k] = v
    for t in targets:
        out[f"stance[{t}]"] = ((row.get("stance") or {}).get(t) or {}).get("label")
    if spreadsheet:
        out = {k: spreadsheet_safe(v) for k, v in out.items()}
    return out


def statements_csv(rows: Sequence[dict[str, Any]], targets: Sequence[str], fh: IO[str], *, bom: bool) -> None:
    """The statements table as RFC 4180 CSV. ``bom``: a UTF-8 byte-order mark first, so Excel
    reads the file as UTF-8 (without it, curly quotes and accents come out garbled)."""
    RowWriter("csv", targets, stream=fh, bom=bom).write(rows)

class RowWriter:
    """Statement rows written as they come, chunk by chunk (``analyze`` streams a corpus through
    with flat memory): JSONL, or the statements table as CSV or Parquet.

    Give ``stream`` (an open text stream, e.g. stdout; not for Parquet) or ``path`` (a file this
    writer creates). Parquet gets a fixed schema (whole-number offsets, a float confidence, text
    for everything else) so every chunk's row group has the same columns and types.
    """

    def __init__(self, fmt: str, targets: Sequence[str], *, path: str | None = None,
                 stream: IO[str] | None = None, bom: bool = False) -> None:
        if (path is None) == (stream is None):
            raise ValueError("give either a path or a stream")
        self.fmt, self.targets = fmt, list(targets)
        self._own = stream is None
        self._parquet: Any = None
        self._csv: csv.DictWriter[str] | None = None
        if fmt == "parquet":
            if path is None:
                raise ValueError("Parquet needs a file")
            import pyarrow as pa
            import pyarrow.parquet as pq

            types = {"start": pa.int64(), "end": pa.int64(), "confidence": pa.float64()}
            self._schema = pa.schema([(c, types.get(c, pa.string())) for c in table_columns(self.targets)])
            self._parquet = pq.ParquetWriter(path, self._schema)
            self._fh: IO[str] | None = None
            return
        self._fh = stream if stream is not None else open(path, "w", encoding="utf-8", newline="")  # noqa: SIM115
        if fmt == "csv":
            if bom:
                self._fh.write("\ufeff")
            self._csv = csv.DictWriter(self._fh, fieldnames=table_columns(self.targets), extrasaction="ignore")
            self._csv.writeheader()

    def write(self, rows: Sequence[dict[str, Any]]) -> None:
        if self._parquet is not None:
            import pyarrow as pa

            table_rows = [table_row(r, self.targets) for r in rows]
            columns = {c: [tr.get(c) for tr in table_rows] for c in self._schema.names}
            self._parquet.write_table(pa.Table.from_pydict(columns, schema=self._schema))
        elif self._csv is not None:
            for r in rows:
                self._csv.writerow(table_row(r, self.targets, spreadsheet=True))
        else:
            assert self._fh is not None
            self._fh.writelines(jsonl_line(r) for r in rows)
        if self._fh is not None and not self._own:
            self._fh.flush()   # rows reach a pipe as each chunk is done

    def close(self) -> None:
        if self._parquet is not None:
            self._parquet.close()
        elif self._own and self._fh is not None:
            self._fh.close()
