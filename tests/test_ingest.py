"""Ingestion: every input format, metadata, encodings, and malformed input of every kind."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from analysis import ingest
from analysis.errors import ExtractionFailed, InputError, StancemapError, UnsupportedFile
from analysis.ingest import article_from_text, article_from_upload, load_inputs

FIXTURES = Path(__file__).parent / "fixtures" / "who"
EXAMPLE = Path(__file__).resolve().parents[1].parent / "shared" / "articles" / "ukraine-talks-2025-08-26.txt"


def _pdf_with_text(text: str) -> bytes:
    """A minimal one-page PDF whose content stream draws ``text`` (offsets computed)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> "
        b"/Contents 4 0 R >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{n} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for off in offsets:
        out.write(f"{off:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def _blank_pdf() -> bytes:
    from pypdf import PdfWriter

    w = PdfWriter()
    w.add_blank_page(width=612, height=792)
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


def _docx(paragraphs: list[str], title: str | None = None) -> bytes:
    from docx import Document

    doc = Document()
    for p in paragraphs:
        doc.add_paragraph(p)
    if title:
        doc.core_properties.title = title
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


# --- pasted text and metadata -------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "published"),
    [
        ("date 2025-08-26\nTrump said talks went well.", "2025-08-26"),
        ("Published: 26 August 2025\n\nTrump said talks went well.", "2025-08-26"),
        ("Updated on Aug 26, 2025\n\nTrump said talks went well.", "2025-08-26"),
        ("2025-08-26\nTrump said talks went well.", "2025-08-26"),
        ("Trump said talks went well on July 16, 2018.", None),  # a date in the body is no dateline
        ("WASHINGTON, Sept. 26, 2025 (Reuters) - Trump said talks went well.", "2025-09-26"),
        ("BERLIN (Reuters) - Merz said talks went well.", None),
    ],
)
def test_pasted_text_reads_a_dateline(text: str, published: str | None) -> None:
    assert article_from_text(text).published == published


def test_wire_dateline_gives_the_source() -> None:
    a = article_from_text("BERLIN (Reuters) - Merz said talks went well.")
    assert a.source == "Reuters"
    assert article_from_text("Merz said talks went well.", source="Example").source == "Example"


def test_pasted_text_keeps_offsets_and_id() -> None:
    a = article_from_text("\n\nTrump said talks went well.\n", "mine")
    assert a.article_id == "mine"
    assert a.text == "Trump said talks went well."


@pytest.mark.parametrize("text", ["", "   \n\n\t  "])
def test_empty_pasted_text_is_a_clear_error(text: str) -> None:
    with pytest.raises(ExtractionFailed, match="empty"):
        article_from_text(text)


@pytest.mark.skipif(not EXAMPLE.exists(), reason="../shared/articles not present")
def test_example_article_date_and_id() -> None:
    articles, errors = load_inputs([str(EXAMPLE)])
    assert errors == []
    assert articles[0].article_id == "ukraine-talks-2025-08-26"
    assert articles[0].published == "2025-08-26"


# --- files --------------------------------------------------------------------------------

def test_html_main_text_and_metadata() -> None:
    [a] = article_from_upload("article.html", (FIXTURES / "article.html").read_bytes())
    assert a.article_id == "article"
    assert a.title == "Ministers back ceasefire talks"
    assert a.source == "Example News"
    assert a.published == "2025-03-14"
    assert "Tajani told reporters" in a.text
    assert "Copyright" not in a.text and "Home" not in a.text.split("\n")[0]


def test_broken_html_still_gives_its_text_or_a_clear_error() -> None:
    data = (FIXTURES / "broken.html").read_bytes()
    try:
        [a] = article_from_upload("broken.html", data)
    except ExtractionFailed as exc:
        assert "broken" in str(exc)
    else:
        assert "paragraph" in a.text


def test_html_without_text_is_extraction_failed() -> None:
    with pytest.raises(ExtractionFailed, match="no article text"):
        article_from_upload("nav.html", b"<html><body><script>var x=1;</script></body></html>")


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1", "utf-16", "utf-8-sig"])
def test_text_encodings_are_detected(encoding: str) -> None:
    text = "The café owner said the new tax would hurt small businesses in Zürich this summer, naïvely."
    if encoding == "cp1252":
        text = text.replace("new tax", "new \u201ctax\u201d")
    [a] = article_from_upload("note.txt", text.encode(encoding))
    assert a.text == text


def test_cp1252_fixture_with_curly_quotes() -> None:
    [a] = article_from_upload("cp1252.txt", (FIXTURES / "cp1252.txt").read_bytes())
    assert "café" in a.text and "“tourist tax”" in a.text
    assert a.published == "2025-08-26"


def test_pdf_text_layer() -> None:
    [a] = article_from_upload("report.pdf", _pdf_with_text("Trump said the talks went well."))
    assert a.article_id == "report"
    assert "Trump said the talks went well." in a.text


def test_scanned_pdf_without_text_is_a_clear_error() -> None:
    with pytest.raises(ExtractionFailed, match="no text layer"):
        article_from_upload("scan.pdf", _blank_pdf())


def test_corrupt_pdf_is_a_clear_error() -> None:
    with pytest.raises(ExtractionFailed, match="not a readable PDF"):
        article_from_upload("bad.pdf", b"%PDF-1.4\n garbage that is not a pdf")


def test_docx_paragraphs_and_title() -> None:
    data = _docx(["Ministers meet in Rome.", "Tajani said Italy was ready to help."], title="Rome talks")
    [a] = article_from_upload("memo.docx", data)
    assert a.title == "Rome talks"
    assert a.text == "Ministers meet in Rome.\n\nTajani said Italy was ready to help."


def test_docx_that_is_not_a_zip_is_a_clear_error() -> None:
    with pytest.raises(ExtractionFailed, match="not a readable .docx"):
        article_from_upload("memo.docx", b"this is plain text, not a word document")


def test_empty_docx_is_a_clear_error() -> None:
    with pytest.raises(ExtractionFailed, match="no text"):
        article_from_upload("empty.docx", _docx([]))


def test_csv_one_article_per_row_with_aliases() -> None:
    arts = article_from_upload("articles.csv", (FIXTURES / "articles.csv").read_bytes())
    assert [a.article_id for a in arts] == ["a1", "a2"]
    assert arts[0].source == "Example News" and arts[0].url == "https://example.org/a1"
    assert arts[0].published == "2025-08-26" and arts[1].published == "2025-08-27"
    assert arts[0].text.startswith("Trump said a deal was in sight.")


def test_jsonl_one_article_per_line() -> None:
    arts = article_from_upload("articles.jsonl", (FIXTURES / "articles.jsonl").read_bytes())
    assert [a.article_id for a in arts] == ["j1", "j2"]
    assert arts[0].title == "Rubio call" and arts[0].published == "2025-08-25"
    assert arts[1].title is None


@pytest.mark.parametrize(
    ("name", "data", "error", "message"),
    [
        ("empty.txt", b"", ExtractionFailed, "empty"),
        ("blank.csv", b"   \n", ExtractionFailed, "empty"),
        ("junk.txt", bytes(range(256)) * 40, ExtractionFailed, "binary|not text"),
        ("nulls.md", b"\x00\x01\x02\x03" * 500, ExtractionFailed, "binary|not text"),
        ("photo.png", b"\x89PNG\r\n\x1a\n....", UnsupportedFile, "not supported"),
        ("noext", b"some text", UnsupportedFile, "not supported"),
        ("no_text.csv", b"title,date\nHello,2025-01-01\n", InputError, "no text column"),
        ("row.csv", b"text,title\n,empty row\n", InputError, "row 1 has no article text"),
        ("bad.jsonl", b'{"text": "ok"}\n{not json}\n', InputError, "line 2 is not valid JSON"),
        ("list.jsonl", b'["text"]\n', InputError, "line 1 is not a JSON object"),
        ("notext.jsonl", b'{"title": "x"}\n', InputError, "row 1 has no article text"),
        ("header_only.csv", b"text,title\n", ExtractionFailed, "no rows"),
        ("empty.html", b"", ExtractionFailed, "empty"),
        ("empty.pdf", b"", ExtractionFailed, "empty"),
        ("empty.docx", b"", ExtractionFailed, "empty"),
        ("junk.html", bytes(range(256)) * 40, ExtractionFailed, "binary|not text"),
        ("junk.csv", bytes(range(256)) * 40, ExtractionFailed, "binary|not text"),
    ],
)
def test_malformed_uploads_raise_clear_errors(name: str, data: bytes, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        article_from_upload(name, data)


def test_oversize_input_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ingest, "MAX_INPUT_BYTES", 1000)
    with pytest.raises(InputError, match="limit is"):
        article_from_upload("big.txt", b"word " * 400)


def test_oversize_file_in_load_inputs_is_a_per_file_error(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ingest, "MAX_INPUT_BYTES", 1000)
    big = tmp_path / "big.txt"
    big.write_text("word " * 400, encoding="utf-8")
    small = tmp_path / "small.txt"
    small.write_text("Trump said talks went well.", encoding="utf-8")
    articles, errors = load_inputs([str(big), str(small)])
    assert [a.article_id for a in articles] == ["small"]
    assert "limit is" in errors[0].error


def test_max_input_bytes_is_25_mb_and_messages_say_25_mb() -> None:
    assert ingest.MAX_INPUT_BYTES == 25 * 1024 * 1024
    # The upload box says "25 MB"; a refusal must say the same number, not "26 MB" (10^6 bytes).
    with pytest.raises(InputError, match=r"is 26 MB; the limit is 25 MB per input"):
        article_from_upload("big.txt", b"a" * (26 * 2**20))


def test_docx_zip_bomb_is_refused_before_it_inflates() -> None:
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", b"<w:document>" + b" " * (60 * 2**20) + b"</w:document>")
    assert len(buf.getvalue()) < 100_000  # a 60 MB document in under 100 KB
    with pytest.raises(InputError, match=r"inflates to 60\.0 MB \(the limit is 50 MB\)"):
        article_from_upload("bomb.docx", buf.getvalue())


def test_csv_written_by_python_csv_writer_always_reads() -> None:
    """Doubled quotes inside quoted fields (RFC 4180) are read as such, never re-sniffed away."""
    import csv
    import random

    rng = random.Random(7)
    words = ("the minister said we will win; critics replied 'no' and \"yes\" but, however, it is over. "
             "Blair: \"fine\", Howard").split()
    for trial in range(60):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(20, 300)))
        text = ('"' + text) if trial % 2 else text
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(["title", "text", "source"] if trial % 3 else ["text"])
        writer.writerow(["A title", text, "BBC"] if trial % 3 else [text])
        [article] = article_from_upload("one.csv", buf.getvalue().encode("utf-8"))
        assert article.text.split() == article_from_text(text, "x").text.split(), trial


def test_semicolon_csv_still_reads() -> None:
    [article] = article_from_upload("semi.csv", b'title;text\nTalks;"Trump said talks; went well."\n')
    assert article.title == "Talks" and "went well" in article.text


def test_jsonl_nested_too_deep_is_a_clear_error_and_odd_field_types_are_dropped() -> None:
    with pytest.raises(InputError, match="line 1 nests too deeply"):
        article_from_upload("deep.jsonl", b"[" * 100_000 + b"]" * 100_000)
    [article] = article_from_upload("odd.jsonl", b'{"text": "Trump said hi.", "url": {"a": 1}, "title": ["x"]}')
    assert article.url is None and article.title != "['x']" and "Trump said hi." in article.text


# --- load_inputs: folders, stdin, URLs, per-file errors -------------------------------------

def test_folder_loads_every_supported_file_and_reports_failures(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Trump said talks went well.", encoding="utf-8")
    (tmp_path / "b.md").write_text("# Note\n\nPutin said nothing.", encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "image.png").write_bytes(b"\x89PNG")  # unsupported: ignored inside folders
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "a.txt").write_text("Zelensky said Ukraine would defend itself.", encoding="utf-8")
    articles, errors = load_inputs([str(tmp_path)])
    ids = [a.article_id for a in articles]
    assert ids == ["a", "b", "a-2"]  # unique ids within the analysis
    assert [Path(e.source).name for e in errors] == ["empty.txt"]
    assert "empty" in errors[0].error


def test_missing_and_unsupported_paths_do_not_stop_the_others(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text("Trump said talks went well.", encoding="utf-8")
    bad = tmp_path / "x.exe"
    bad.write_bytes(b"MZ\x90\x00")
    articles, errors = load_inputs([str(tmp_path / "nope.txt"), str(bad), str(good)])
    assert [a.article_id for a in articles] == ["good"]
    assert len(errors) == 2
    assert "no such file" in errors[0].error and "not supported" in errors[1].error


def test_empty_folder_is_an_error(tmp_path: Path) -> None:
    articles, errors = load_inputs([str(tmp_path)])
    assert articles == [] and "no supported files" in errors[0].error


def test_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    class FakeStdin:
        buffer = io.BytesIO("date 2025-01-02\nPutin said nothing.".encode())

    monkeypatch.setattr(sys, "stdin", FakeStdin())
    articles, errors = load_inputs(["-"])
    assert errors == [] and articles[0].article_id == "stdin" and articles[0].published == "2025-01-02"


def test_url_offline_is_a_clear_per_input_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import trafilatura

    monkeypatch.setattr(trafilatura, "fetch_url", lambda url, *a, **k: None)
    articles, errors = load_inputs(["https://example.org/news/1"])
    assert articles == []
    assert "could not fetch" in errors[0].error


def test_url_fetched_html_is_extracted(monkeypatch: pytest.MonkeyPatch) -> None:
    import trafilatura

    html = (FIXTURES / "article.html").read_text(encoding="utf-8")
    monkeypatch.setattr(trafilatura, "fetch_url", lambda url, *a, **k: html)
    articles, errors = load_inputs(["https://example.org/news/ministers"])
    assert errors == []
    assert articles[0].url == "https://example.org/news/ministers"
    assert articles[0].published == "2025-03-14"


def test_every_error_is_a_stancemap_error() -> None:
    for exc in (ExtractionFailed, InputError, UnsupportedFile):
        assert issubclass(exc, StancemapError)


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("Ministers back ceasefire talks\n\n" + "The ministers said on Friday that the talks would go on. " * 4,
         "Ministers back ceasefire talks"),
        ("Trump said the talks went well and that he would meet Putin again soon in Alaska.", None),
    ],
)
def test_title_from_a_headline_above_the_body(text: str, title: str | None) -> None:
    assert article_from_text(text).title == title


@pytest.mark.skipif(not EXAMPLE.exists(), reason="../shared/articles not present")
def test_example_article_title() -> None:
    [a], _ = load_inputs([str(EXAMPLE)])
    assert a.title == "Trump calls Putin, says talks “good” but fumes at Kyiv strikes"
