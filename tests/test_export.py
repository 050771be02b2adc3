"""Exports: statements CSV / JSONL / Parquet, standalone chart HTML, the escaped HTML report."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest

from analysis import aggregate as ag
from analysis import charts, export
from analysis.records import Article


def test_jsonl_keeps_contract_rows(result):
    lines = export.statements_bytes(result.rows, result.targets, "jsonl").decode().splitlines()
    assert [json.loads(x) for x in lines] == result.rows


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_tables_flatten_stance_per_target(result, fmt):
    data = export.statements_bytes(result.rows, result.targets, fmt)
    df = pd.read_csv(io.BytesIO(data)) if fmt == "csv" else pd.read_parquet(io.BytesIO(data))
    assert len(df) == len(result.rows)
    assert "stance[a ceasefire in Ukraine]" in df and "stance[sanctions on Russia]" in df
    assert df.loc[1, "speaker"] == "Antonio Tajani" and df.loc[1, "stance[a ceasefire in Ukraine]"] == "favor"
    # The contract's fields, nothing dropped: mentions keep actor, country and sentiment scores.
    assert {"confidence", "section", "speaker_role", "corrected"} <= set(df.columns)
    assert json.loads(df.loc[0, "mentions"])[0]["actor"] == "Vladimir Putin"
    assert json.loads(df.loc[0, "stance"])["a ceasefire in Ukraine"]["scores"]["favor"] == pytest.approx(0.8)
    if fmt == "csv":
        assert data.startswith("\ufeff".encode("utf-8"))  # Excel reads it as UTF-8


def test_the_dashboard_and_the_cli_write_one_statements_layout(result, tmp_path):
    from analysis.cli_analyze import write_rows

    write_rows(result.rows, "csv", str(tmp_path / "cli.csv"), result.targets)
    cli = pd.read_csv(tmp_path / "cli.csv", encoding="utf-8-sig")
    app = pd.read_csv(io.BytesIO(export.statements_bytes(result.rows, result.targets, "csv")), encoding="utf-8-sig")
    assert list(cli.columns) == list(app.columns) and cli.equals(app)


def test_corrected_rows_are_flagged_and_keep_the_models_scores(result):
    from analysis.store import apply_corrections_to_rows

    fixed = apply_corrections_to_rows(result.rows, [
        {"statement_id": "a0-talks:0", "field": "stance", "target": "a ceasefire in Ukraine", "value": "against"},
        {"statement_id": "a0-talks:0", "field": "speaker", "target": None, "value": "Antonio Tajani"}])
    df = pd.read_csv(io.BytesIO(export.statements_bytes(fixed, result.targets, "csv")), encoding="utf-8-sig")
    assert df.loc[0, "corrected"] == "stance:a ceasefire in Ukraine; speaker"
    assert pd.isna(df.loc[1, "corrected"])
    stance = json.loads(df.loc[0, "stance"])["a ceasefire in Ukraine"]
    # The label is the user's; the scores stay the model's (not a made-up 1.0 / 0.0), marked so.
    assert stance["label"] == "against" and stance["corrected"] is True and stance["model_label"] == "favor"
    assert stance["scores"]["favor"] == pytest.approx(0.8)


def test_unknown_format_is_refused(result):
    with pytest.raises(ValueError, match="csv, jsonl, parquet"):
        export.statements_bytes(result.rows, result.targets, "xlsx")


def test_chart_html_is_standalone_and_embeds_the_map_outline(result):
    long = ag.stance_frame(result.rows, result.targets)
    page = export.chart_html(charts.stance_map(ag.stance_by_country(long), title="m"), title="<map>")
    assert page.startswith("<!doctype html>") and "&lt;map&gt;" in page
    assert "window.PlotlyGeoAssets={topojson:{'world_110m':" in page and '"countries"' in page
    assert "cdn.plot.ly/plotly" not in page  # plotly.js itself is inline
    bars = export.chart_html(charts.stance_bars(ag.stance_by_actor(long), "speaker", title="b"))
    assert "{'world_110m':" not in bars


def test_report_escapes_article_text(result):
    evil = "<script>alert(1)</script> <img src=x onerror=alert(2)> **bold** [x](javascript:alert(3))"
    result.articles.append(Article(article_id="evil", text=evil, title="<b>t</b>"))
    result.rows.append({**result.rows[0], "article_id": "evil", "statement_id": "evil:0", "start": 0,
                        "end": 25, "text": evil[:25], "speaker": "<i>x</i>"})
    page = export.report_html(result, [("Actors", charts.stance_heatmap(
        ag.actor_target_matrix(ag.stance_frame(result.rows, result.targets))))], share_link="http://h/?a='x'")
    assert "<script>alert(1)" not in page and "<img src=x" not in page and "<i>x</i>" not in page
    assert "<mark>&lt;script&gt;alert(1)&lt;/script&gt;</mark>" in page
    assert "&lt;b&gt;t&lt;/b&gt;" in page and "http://h/?a=&#x27;x&#x27;" in page


@pytest.mark.parametrize(
    ("text", "spans", "expected"),
    [("a <b> c", [(2, 5)], "a <mark>&lt;b&gt;</mark> c"),
     ("abcdef", [(0, 2), (1, 4)], "<mark>ab</mark><mark>cd</mark>ef"),  # overlaps are clipped
     ("abc", [(5, 9)], "abc")],
)
def test_highlight_html(text, spans, expected):
    assert export.highlight_html(text, spans) == expected


HOSTILE_CELLS = ['=HYPERLINK("http://evil.example","click")', "+SUM(1,2)", "@SUM(A1:A2)", "-2+3+cmd|' /C calc'!A0"]


def test_csv_cells_never_start_a_spreadsheet_formula(result):
    rows = [dict(r) for r in result.rows]
    for r, bad in zip(rows, HOSTILE_CELLS, strict=False):
        r["article_id"] = r["article_title"] = r["source"] = bad
    df = pd.read_csv(io.BytesIO(export.statements_bytes(rows, result.targets, "csv")), dtype=str,
                     keep_default_na=False)
    cells = [c for col in df.columns for c in df[col]]
    assert not [c for c in cells if c.startswith(("=", "+", "@")) or (c.startswith("-") and not c[1:2].isdigit())]
    assert "'" + HOSTILE_CELLS[0] in set(df["article_title"])  # kept, shown as text


def test_cli_csv_cells_never_start_a_spreadsheet_formula(tmp_path):
    import csv

    from analysis.cli_analyze import write_rows

    row = {"article_id": "=1+1", "article_title": "@SUM(A1)", "source": "+cmd", "text": "-2+3",
           "stance": {"t": {"label": "favor"}}}
    write_rows([row], "csv", str(tmp_path / "out.csv"), ["t"])
    [read] = list(csv.DictReader((tmp_path / "out.csv").open(encoding="utf-8-sig")))
    assert (read["article_id"], read["article_title"], read["source"], read["text"]) == ("'=1+1", "'@SUM(A1)", "'+cmd", "'-2+3")


def test_chart_file_names_are_plain():
    assert export.file_slug("Stance by actor — a ceasefire (Ukraine) × NATO") == "stance-by-actor-a-ceasefire-ukraine-nato"
    assert export.file_slug("Über Zelensky's «plan»") == "uber-zelensky-s-plan"
    assert export.file_slug("—×()") == "chart"


def test_report_names_kinds_and_models_in_words_and_colours_each_trend(result):
    long = ag.stance_frame(result.rows, result.targets)
    trend = charts.trend(ag.stance_trend(long))
    page = export.report_html(result, [("Trend", trend)])
    assert "indirect speech" in page and ">indirect_quote<" not in page
    assert "models: sentiment fake:sentiment, stance fake:stance" in page and '{"sentiment"' not in page
    assert list(trend.layout.colorway[:2]) == charts.TARGET_COLOURS[:2]
