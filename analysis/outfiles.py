"""Writing result files from the command line: whole or not at all, and never over a device."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def write_atomically(path: str | Path, write: Callable[[str], None]) -> None:
    """Have ``write(p)`` fill a file that then becomes ``path`` in one step.

    ``write`` fills a temporary file beside ``path``, which then replaces it, so a reader (or an
    interrupted run) sees the old file or the whole new one, never half of it. A target that
    exists but is not a regular file (``/dev/null``, a FIFO, ``/dev/stdout``) is written
    directly: renaming a temporary file onto it would replace the device itself with a file
    (``analyze --out /dev/null`` once turned /dev/null into a root-only file that way).
    """
    target = Path(path)
    if target.exists() and not target.is_file():
        write(str(target))
        return
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=str(target.parent))
    os.close(fd)
    try:
        write(tmp)
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
