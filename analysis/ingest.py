"""Ingestion: pasted text, files, folders, URLs and stdin -> :class:`~analysis.records.Article`.

Supported inputs (README, "Who said what: inputs ..."):

=============  ====================================================================
``.txt .md``   plain text; the encoding is detected (UTF-8, UTF-16, cp1252, latin-1 ...)
``.html .htm`` main text, title, site name and date via trafilatura
``.pdf``       text layer via pypdf (a scanned PDF without one is an error)
``.docx``      paragraphs via python-docx; title and date from the document properties
``.csv``       one article per row: ``text`` (required), ``title``, ``source``, ``published``,
               ``url``, ``id`` (aliases such as ``body``, ``publisher``, ``date`` are accepted)
``.jsonl``     one JSON object per line with the same fields as the CSV columns
folder         every supported file inside it (recursively), in name order
URL            fetched and extracted with trafilatura (offline: a clear error)
``-``          standard input, read as plain text
=============  ====================================================================

Every input larger than :data:`MAX_INPUT_BYTES` is refused. Per-input failures come back as
:class:`~analysis.records.FileError` from :func:`load_inputs`, so the other inputs still go
through. An article from a file has ``article_id`` = the file name without extension (made
unique within one call by a ``-2``, ``-3`` ... suffix).

>>> article_from_text("date 2025-08-26\\nTrump said talks went well.").published
'2025-08-26'
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from .errors import ExtractionFailed, InputError, StancemapError, UnsupportedFile
from .records import Article, FileError

# 25 MB: far above any news article or a CSV of a few thousand of them, small enough that a
# wrong file (a video, a database dump) is refused before it fills memory.
MAX_INPUT_BYTES: int = 25 * 1024 * 1024

TEXT_SUFFIXES: frozenset[str] = frozenset({".txt", ".md", ".markdown", ".text"})
HTML_SUFFIXES: frozenset[str] = frozenset({".html", ".htm", ".xhtml"})
TABLE_SUFFIXES: frozenset[str] = frozenset({".csv", ".jsonl", ".ndjson"})
SUPPORTED_SUFFIXES: frozenset[str] = (
    TEXT_SUFFIXES | HTML_SUFFIXES | TABLE_SUFFIXES | frozenset({".pdf", ".docx"})
)

# Column names accepted in CSV / JSONL inputs, first match wins (compared case-insensitively).
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "text": ("text", "body", "content", "article", "article_text", "full_text"),
    "title": ("title", "headline"),
    "source": ("source", "publisher", "outlet", "site", "sitename"),
    "published": ("published", "date", "publication_date", "published_at", "pubdate"),
    "url": ("url", "link"),
    "article_id": ("id", "article_id", "filename", "doc_id"),
}

# "date 2025-08-26", "Published: 26 August 2025", "Updated on Aug 26, 2025" near the top of a text.
_DATE_LINE = re.compile(
    r"(?im)^\s*(?:date|published(?:\s+on)?|updated(?:\s+on)?|posted(?:\s+on)?|dated?)\s*[:\-]?\s*"
    r"(?P<value>\d{4}-\d{2}-\d{2}|\d{1,2}\s+[A-Z][a-z]+\.?\s+\d{4}|[A-Z][a-z]+\.?\s+\d{1,2},?\s+\d{4})"
)
_ISO_LINE = re.compile(r"(?m)^\s*(?P<value>\d{4}-\d{2}-\d{2})\s*$")
# A wire dateline: "WASHINGTON, Aug. 26, 2025 (Reuters) -" (the date needs its year to count).
_WIRE_DATELINE = re.compile(
    r"(?m)^\s*[A-Z][A-Z .'-]{2,40},\s+(?P<value>[A-Z][a-z]{2,8}\.?\s+\d{1,2},?\s+\d{4})?\s*"
    r"(?:\((?P<agency>[A-Za-z .]{2,30})\))?\s*[-—–]"
)
_URL = re.compile(r"^https?://", re.I)


def megabytes(n: int) -> str:
    """A size as the upload box writes it (MiB, shown as "MB"), so messages and limits agree."""
    return f"{n / 2**20:.1f} MB" if n % 2**20 else f"{n // 2**20} MB"


# A .docx is a zip: its XML may inflate far beyond the upload (a 513 KB file can inflate to
# 203 MB). The members' declared sizes are summed before anything is inflated, and zipfile never
# reads past a member's declared size, so a file that lies about them cannot get past this.
MAX_DOCX_INFLATED: int = 2 * MAX_INPUT_BYTES


def _check_size(n: int, name: str) -> None:
    if n > MAX_INPUT_BYTES:
        raise InputError(
            f"{name} is {megabytes(n)}; the limit is {megabytes(MAX_INPUT_BYTES)} per input. "
            "Split it into smaller files (for example one CSV per month)."
        )


def normalize_date(value: Any) -> str | None:
    """An ISO date (YYYY-MM-DD) from a date-like value, or None when it cannot be read.

    >>> normalize_date("Aug 26, 2025"), normalize_date("2025-08-26T10:00:00Z"), normalize_date("soon")
    ('2025-08-26', '2025-08-26', None)
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = re.sub(r"\bSept\b", "Sep", str(value).strip())
    if not text:
        return None
    m = re.match(r"(\d{4})-(\d{2})-(\d{2})", text)
    if m:
        try:
            return date(int(m[1]), int(m[2]), int(m[3])).isoformat()
        except ValueError:
            return None
    for fmt in ("%d %B %Y", "%d %b %Y", "%B %d, %Y", "%b %d, %Y", "%B %d %Y", "%b %d %Y",
                "%b. %d, %Y", "%d/%m/%Y", "%Y/%m/%d"):
        try:
            return datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    return None


def find_published(text: str) -> str | None:
    """The publication date stated near the top of a text ("date 2025-08-26"), if any."""
    head = text[:2000]
    for pattern in (_DATE_LINE, _ISO_LINE, _WIRE_DATELINE):
        m = pattern.search(head)
        if m and m.group("value"):
            found = normalize_date(m.group("value").replace(".", ""))
            if found:
                return found
    return None


def find_agency(text: str) -> str | None:
    """The news agency of a wire dateline ("BERLIN (Reuters) -" -> "Reuters"), if any."""
    m = _WIRE_DATELINE.search(text[:2000]) or re.search(
        r"(?m)^\s*[A-Z][A-Z .'-]{2,40}\s*\((?P<agency>[A-Za-z .]{2,30})\)\s*[-—–]", text[:2000])
    return m.group("agency").strip() if m and m.group("agency") else None


def guess_title(text: str) -> str | None:
    """The headline of a plain text: its first headline-like paragraph above the body, if any
    (see :func:`analysis.segment.segment`), without a final period."""
    from .segment import segment

    for seg in segment(text[:5000]):
        if seg.section == "headline":
            return seg.text.rstrip(".").strip() or None
        if seg.section == "body":
            return None
    return None


def decode_bytes(data: bytes, name: str = "input") -> str:
    """Text from bytes: BOMs and UTF-8 first, then charset-normalizer's best guess.

    Binary junk (NUL bytes outside UTF-16, or no plausible encoding) raises ExtractionFailed.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
        if best is None:
            raise ExtractionFailed(
                f"{name}: the bytes are not text in any encoding we can detect "
                "(is it a binary file with a text extension?)."
            ) from None
        text = str(best)
        # Short texts leave single-byte code pages ambiguous (cp1250, cp1252, cp775 differ in a
        # few letters). Mostly-ASCII text with a few accents and curly quotes is cp1252 (Windows
        # Western) far more often, so it wins whenever the bytes are valid cp1252; text that is
        # mostly non-ASCII (Cyrillic, Greek ...) keeps the detector's choice.
        try:
            western = data.decode("cp1252")
        except UnicodeDecodeError:
            western = None
        if western is not None and not (best.encoding or "").startswith(("utf", "gb", "big5", "shift", "euc")):
            letters = [ch for ch in western if ch.isalpha()]
            non_ascii = sum(1 for ch in letters if ord(ch) > 127)
            if letters and non_ascii / len(letters) < 0.2:
                text = western
    # Text files do not hold control characters other than whitespace; many of them means junk.
    controls = sum(1 for ch in text[:20000] if ord(ch) < 32 and ch not in "\t\n\r\f")
    if controls > max(3, len(text[:20000]) // 100):
        raise ExtractionFailed(f"{name}: looks like binary data, not text.")
    return text


def _clean_text(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    return text.strip("\n")


def _require_text(text: str | None, name: str, what: str) -> str:
    if text is None or not text.strip():
        raise ExtractionFailed(f"{name}: {what}")
    return text


def article_from_text(text: str, article_id: str = "pasted", *, title: str | None = None,
                      source: str | None = None, published: str | None = None,
                      url: str | None = None) -> Article:
    """An Article from pasted text. The date is read from a line such as "date 2025-08-26".

    Raises ExtractionFailed for empty text.
    """
    text = _clean_text(text)
    _require_text(text, article_id, "the text is empty; paste or upload an article.")
    _check_size(len(text.encode("utf-8")), article_id)
    if not title:
        title = guess_title(text)
    if not source:
        source = find_agency(text)
    return Article(
        article_id=article_id,
        text=text,
        title=title,
        source=source,
        published=normalize_date(published) or find_published(text),
        url=url,
    )


def _from_html(html: str | bytes, article_id: str, url: str | None = None) -> Article:
    import trafilatura

    try:
        doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, favor_recall=True,
                                          include_comments=False, include_tables=False)
    except Exception as exc:  # trafilatura/lxml raise many kinds on broken markup
        raise ExtractionFailed(f"{article_id}: the HTML could not be parsed ({exc}).") from exc
    if doc is None:
        raise ExtractionFailed(f"{article_id}: no article text found in the HTML "
                               "(empty page, or only navigation/scripts).")
    meta = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    body = meta.get("text") or ""
    # trafilatura separates paragraphs by one newline; a blank line keeps them apart for segmenting.
    body = "\n\n".join(p.strip() for p in body.split("\n") if p.strip())
    _require_text(body, article_id, "no article text found in the HTML.")
    return article_from_text(body, article_id, title=meta.get("title"),
                             source=meta.get("sitename") or meta.get("hostname"),
                             published=meta.get("date"), url=url or meta.get("url"))


def _from_pdf(data: bytes, article_id: str) -> Article:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
        meta = reader.metadata
    except (PdfReadError, ValueError, KeyError, OSError, TypeError) as exc:
        raise ExtractionFailed(f"{article_id}: not a readable PDF ({exc}).") from exc
    text = "\n\n".join(p.strip() for p in pages if p.strip())
    _require_text(text, article_id, "the PDF has no text layer (a scanned document?); "
                  "run OCR on it first or paste its text.")
    title = getattr(meta, "title", None) if meta else None
    created = getattr(meta, "creation_date", None) if meta else None
    return article_from_text(text, article_id, title=title or None,
                             published=normalize_date(created) or find_published(text))


def _from_docx(data: bytes, article_id: str) -> Article:
    import zipfile

    from docx import Document  # python-docx

    try:
        inflated = sum(info.file_size for info in zipfile.ZipFile(io.BytesIO(data)).infolist())
        if inflated > MAX_DOCX_INFLATED:
            raise InputError(
                f"{article_id}: the .docx inflates to {megabytes(inflated)} (the limit is "
                f"{megabytes(MAX_DOCX_INFLATED)}); save its text as .txt or split the document.")
        doc = Document(io.BytesIO(data))
    except InputError:
        raise
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ExtractionFailed(f"{article_id}: not a readable .docx file ({exc}).") from exc
    except Exception as exc:  # python-docx raises its own PackageNotFoundError etc.
        raise ExtractionFailed(f"{article_id}: not a readable .docx file ({exc}).") from exc
    text = "\n\n".join(p.text.strip() for p in doc.paragraphs if p.text.strip())
    _require_text(text, article_id, "the document has no text.")
    props = doc.core_properties
    return article_from_text(text, article_id, title=props.title or None,
                             published=normalize_date(props.created) or find_published(text))


def _pick(row: dict[str, Any], field: str) -> Any:
    """The row's value for ``field`` (any of its column aliases) as text, or None.

    Only strings and numbers are values: a JSON object or list where a title or URL belongs
    is ignored, never carried into the analysis (it failed at save, after all the work)."""
    lowered = {str(k).strip().lower(): v for k, v in row.items() if k is not None}
    for alias in COLUMN_ALIASES[field]:
        value = lowered.get(alias)
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            continue
        if str(value).strip():
            return str(value)
    return None


def _rows_to_articles(rows: Iterable[tuple[int, dict[str, Any]]], stem: str) -> list[Article]:
    articles: list[Article] = []
    for n, row in rows:
        text = _pick(row, "text")
        if text is None or not str(text).strip():
            raise InputError(
                f"{stem}: row {n} has no article text. Each row needs a 'text' column "
                f"(or one of {', '.join(COLUMN_ALIASES['text'][1:])})."
            )
        raw_id = _pick(row, "article_id")
        article_id = str(raw_id) if raw_id is not None else f"{stem}-{n}"
        title = _pick(row, "title")
        source = _pick(row, "source")
        articles.append(article_from_text(
            str(text), article_id, title=str(title) if title is not None else None,
            source=str(source) if source is not None else None,
            published=_pick(row, "published"), url=_pick(row, "url"),
        ))
    if not articles:
        raise ExtractionFailed(f"{stem}: the table has no rows.")
    return articles


def _csv_fields(text: str, dialect: Any) -> list[str]:
    header = next(csv.reader(io.StringIO(text), dialect=dialect), [])
    return [f.strip().lower() for f in header if f]


def _from_csv(text: str, stem: str) -> list[Article]:
    # RFC 4180 (commas, quotes doubled inside quoted fields: what Excel and Python's csv.writer
    # write) first; the sniffer only when the header does not parse that way (";" or tab
    # separated exports). The sniffer alone misreads doubled quotes in long article texts.
    dialect: Any = csv.excel
    if not any(a in _csv_fields(text, dialect) for a in COLUMN_ALIASES["text"]):
        try:
            sample = text[:5000]
            dialect = csv.Sniffer().sniff(sample, delimiters=",;\t") if sample.strip() else csv.excel
        except csv.Error:
            dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    fields = [f.strip().lower() for f in (reader.fieldnames or []) if f]
    if not any(a in fields for a in COLUMN_ALIASES["text"]):
        raise InputError(
            f"{stem}: the CSV has no text column (found: {', '.join(fields) or 'nothing'}). "
            "Name the article column 'text'; 'title', 'source', 'published', 'url', 'id' are optional."
        )
    try:
        rows = list(enumerate(reader, start=1))
    except csv.Error as exc:
        raise InputError(f"{stem}: malformed CSV ({exc}).") from exc
    return _rows_to_articles(rows, stem)


def _from_jsonl(text: str, stem: str) -> list[Article]:
    rows: list[tuple[int, dict[str, Any]]] = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{stem}: line {n} is not valid JSON ({exc.msg}).") from exc
        except RecursionError as exc:  # "[[[[..." nested 100,000 deep
            raise InputError(f"{stem}: line {n} nests too deeply to be an article.") from exc
        if not isinstance(obj, dict):
            raise InputError(f"{stem}: line {n} is not a JSON object with a 'text' field.")
        rows.append((n, obj))
    return _rows_to_articles(rows, stem)


def article_from_upload(filename: str, data: bytes) -> list[Article]:
    """Articles from an uploaded file's name and bytes (CSV/JSONL may hold many).

    Raises UnsupportedFile for an unknown extension, ExtractionFailed for a file without usable
    text, InputError for a malformed table or an oversize file.
    """
    name = Path(filename).name or "upload"
    stem = Path(name).stem or "upload"
    suffix = Path(name).suffix.lower()
    _check_size(len(data), name)
    if suffix not in SUPPORTED_SUFFIXES:
        raise UnsupportedFile(
            f"{name}: '{suffix or 'no extension'}' files are not supported; use one of "
            f"{', '.join(sorted(SUPPORTED_SUFFIXES))}."
        )
    if not data.strip():
        raise ExtractionFailed(f"{name}: the file is empty.")
    if suffix == ".pdf":
        return [_from_pdf(data, stem)]
    if suffix == ".docx":
        return [_from_docx(data, stem)]
    text = decode_bytes(data, name)
    if suffix in HTML_SUFFIXES:
        return [_from_html(text, stem)]
    if suffix == ".csv":
        return _from_csv(text, stem)
    if suffix in (".jsonl", ".ndjson"):
        return _from_jsonl(text, stem)
    return [article_from_text(text, stem)]


def article_from_url(url: str) -> Article:
    """Fetch a web page and extract its article (needs network access)."""
    import trafilatura

    try:
        downloaded = trafilatura.fetch_url(url)
    except Exception as exc:  # network errors surface in many shapes
        raise ExtractionFailed(f"{url}: could not fetch the page ({exc}).") from exc
    if not downloaded:
        raise ExtractionFailed(
            f"{url}: could not fetch the page (no network access, or the site refused). "
            "Save the page as .html and load the file instead."
        )
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", url.split("://", 1)[-1]).strip("-")[:80] or "url"
    return _from_html(downloaded, stem, url=url)


def _expand(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.rglob("*")
                      if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES
                      and not any(part.startswith(".") for part in p.relative_to(path).parts))
    return [path]


def unique_article_ids(articles: list[Article]) -> list[Article]:
    """The articles with duplicate ids renamed ``id-2``, ``id-3`` ... (first one unchanged)."""
    return _unique_ids(articles)


def _unique_ids(articles: list[Article]) -> list[Article]:
    seen: dict[str, int] = {}
    out: list[Article] = []
    for a in articles:
        n = seen.get(a.article_id, 0) + 1
        seen[a.article_id] = n
        if n > 1:
            new_id = f"{a.article_id}-{n}"
            while new_id in seen:
                n += 1
                new_id = f"{a.article_id}-{n}"
            seen[new_id] = 1
            a = Article(new_id, a.text, a.title, a.source, a.published, a.url)
        out.append(a)
    return out


def load_inputs(paths: list[str]) -> tuple[list[Article], list[FileError]]:
    """Articles from files, folders, URLs and ``-`` (stdin), plus one FileError per failed input.

    A failing input never stops the others. Article ids are unique within the call.
    """
    articles: list[Article] = []
    errors: list[FileError] = []
    for raw in paths:
        try:
            if raw == "-":
                data = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
                _check_size(len(data), "standard input")
                articles.append(article_from_text(decode_bytes(data, "stdin"), "stdin"))
                continue
            if _URL.match(raw):
                articles.append(article_from_url(raw))
                continue
            path = Path(raw)
            if not path.exists():
                raise InputError(f"{raw}: no such file or folder.")
            files = _expand(path)
            if path.is_dir() and not files:
                raise ExtractionFailed(
                    f"{raw}: the folder holds no supported files ({', '.join(sorted(SUPPORTED_SUFFIXES))})."
                )
            for file in files:
                try:
                    _check_size(file.stat().st_size, str(file))
                    articles.extend(article_from_upload(file.name, file.read_bytes()))
                except StancemapError as exc:
                    errors.append(FileError(str(file), str(exc)))
                except OSError as exc:
                    errors.append(FileError(str(file), f"{file}: cannot read the file ({exc.strerror})."))
        except StancemapError as exc:
            errors.append(FileError(raw, str(exc)))
        except OSError as exc:
            errors.append(FileError(raw, f"{raw}: cannot read ({exc.strerror or exc})."))
    return _unique_ids(articles), errors
