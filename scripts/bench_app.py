#!/usr/bin/env python
"""Benchmark the dashboard as a user meets it (README, "Dashboard ... measured figures").

Measures, against a real ``streamlit run`` on 127.0.0.1 driven by headless Debian chromium:

1. cold start: process launch -> ``/_stcore/health`` -> the Analyze page interactive;
2. paste -> dashboard, warm: paste the example article, one target (or none with --no-target: the proposed ones), click Analyze, until the
   dashboard's choropleth and six charts are drawn. One untimed run first loads the models (and
   the browser's plotly bundle); the timed runs go back to Analyze through the sidebar in the
   same tab, as a user does. Needs the bundled models (or --model-*) and ../shared/articles;
3. a filter change on an analysis of ~1,000 statements: the example article's analysis (or the
   test suite's hand-built one when the models are missing) replicated under new article ids,
   saved, opened; the target is switched by its tab, and "minimum statements per bar" moves
   between 1 and a value that drops the smaller speakers (every stance chart changes), the
   statement-kind filter moves between all kinds and direct quotes, and the dashboard switches
   to another section and back. Each is timed from the browser's input event to the last DOM
   change of the page. The minimum change is also timed server-side only (script run, AppTest).

Prints figures; asserts nothing. Usage: ``.venv/bin/python scripts/bench_app.py [--statements 1000]``
"""

from __future__ import annotations

import argparse
from collections import Counter
import os
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "scripts")]
from app_server import start_app, wait_healthy  # noqa: E402
EXAMPLE = REPO.parent / "shared" / "articles" / "ukraine-talks-2025-08-26.txt"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]
TARGET = "a ceasefire in Ukraine"


def models_present() -> bool:
    return all((REPO / "analysis" / "bundled" / t / "stancemap.json").exists() for t in ("sentiment", "stance"))


def base_result(sentiment_id: str | None = None, stance_id: str | None = None):
    """The example article analysed by the real pipeline, or the tests' hand-built analysis."""
    if (models_present() or sentiment_id or stance_id) and EXAMPLE.exists():
        from analysis.ingest import load_inputs
        from analysis.models import load_sentiment_model, load_stance_model
        from analysis.pipeline import analyze

        articles, _ = load_inputs([str(EXAMPLE)])
        result = analyze(articles, [TARGET, "sanctions on Russia"],
                         sentiment_model=load_sentiment_model(sentiment_id or "bundled:sentiment"),
                         stance_model=load_stance_model(stance_id or "bundled:stance"))
        return result, "example article, real pipeline"
    sys.path.insert(0, str(REPO / "tests"))
    from conftest import sample_result  # type: ignore[import-not-found]

    return sample_result(), "hand-built test analysis (bundled models missing)"


def replicate(result, n_statements: int):
    """``result`` repeated under new article ids (dates and outlets varied) to ~n statements."""
    from analysis.records import AnalysisResult

    copies = max(1, -(-n_statements // max(1, len(result.rows))))
    articles, rows = [], []
    outlets = ["Reuters", "AP", "ANSA", "BBC", "Le Monde"]
    for c in range(copies):
        ids = {}
        for a in result.articles:
            new_id = f"{a.article_id}-{c}"
            ids[a.article_id] = new_id
            articles.append(replace(a, article_id=new_id, source=outlets[c % len(outlets)],
                                    published=f"2025-08-{1 + c % 28:02d}"))
        for r in result.rows:
            rows.append({**r, "article_id": ids[r["article_id"]], "statement_id": f"{r['statement_id']}-{c}",
                         "source": outlets[c % len(outlets)], "published": f"2025-08-{1 + c % 28:02d}"})
    return AnalysisResult(articles=articles, rows=rows[:max(n_statements, len(result.rows))],
                          actors=result.actors, targets=result.targets, models=result.models,
                          title=f"Benchmark: {len(rows)} statements")


# Records the time of the user's last input event (mousedown / keydown, as the browser received
# it, so the driver's own overhead is not counted) and of the last DOM change in the app's main
# area and sidebar, so a benchmark can take "input -> the page stopped changing" without guessing
# at Streamlit's status indicator.
OBSERVE_JS = """() => {
  window.__stLast = performance.now();
  window.__stInput = null;
  for (const ev of ['mousedown', 'keydown']) {
    document.addEventListener(ev, () => { window.__stInput = performance.now(); }, true);
  }
  const obs = new MutationObserver(() => { window.__stLast = performance.now(); });
  for (const sel of ['[data-testid="stMain"]', '[data-testid="stSidebar"]']) {
    const el = document.querySelector(sel);
    if (el) obs.observe(el, {subtree: true, childList: true, attributes: true, characterData: true});
  }
}"""


def settle(page, quiet_ms: int = 800) -> float:
    """Seconds from the last input event to the last DOM change before a quiet spell."""
    page.wait_for_function(f"performance.now() - window.__stLast > {quiet_ms}", polling=50, timeout=120_000)
    return page.evaluate("(window.__stLast - window.__stInput) / 1000")


def _mark_input(page) -> None:
    page.evaluate("window.__stInput = null")


def wait_idle(page, appear_timeout: float = 1.5) -> None:
    """Until Streamlit's "running" indicator has come and gone."""
    try:
        page.wait_for_selector('[data-testid="stStatusWidget"]', state="attached", timeout=appear_timeout * 1000)
    except Exception:  # the run may finish before the indicator shows
        return
    page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=120_000)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--statements", type=int, default=1000)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--no-paste", action="store_true",
                    help="skip paste -> dashboard (measure opening and filtering a big analysis only)")
    ap.add_argument("--no-target", action="store_true",
                    help="paste -> dashboard as a new user does it: no target typed, the app proposes them")
    ap.add_argument("--model-sentiment", default=None, help="app default sentiment model (id or folder)")
    ap.add_argument("--model-stance", default=None, help="app default stance model (id or folder)")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    from analysis import store

    tmp = Path(tempfile.mkdtemp(prefix="stancemap-bench-"))
    db = f"sqlite:///{tmp / 'bench.db'}"
    env = {"STANCEMAP_DB": db}
    for task, chosen in (("SENTIMENT", args.model_sentiment), ("STANCE", args.model_stance)):
        if chosen:
            env[f"STANCEMAP_{task}_MODEL"] = chosen
    custom = bool(args.model_sentiment or args.model_stance)
    print(f"cpus={os.cpu_count()} statements={args.statements} db={db}")

    pw = sync_playwright().start()
    browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)  # before t0: not part of the app's start
    page = browser.new_page(viewport={"width": 1400, "height": 1800})
    page.set_default_timeout(300_000)
    t0 = time.perf_counter()
    proc, url = start_app(env)
    try:
        wait_healthy(url)
        t_health = time.perf_counter() - t0
        page.goto(url)
        page.get_by_role("button", name="Analyze", exact=True).wait_for()
        t_first = time.perf_counter() - t0
        print(f"cold start: health {t_health:.2f} s, Analyze page interactive {t_first:.2f} s "
              f"(server process launch -> Analyze button visible in an already running chromium)")

        if args.no_paste:
            print("paste -> dashboard: skipped (--no-paste)")
        elif (models_present() or custom) and EXAMPLE.exists():
            text = EXAMPLE.read_text(encoding="utf-8")
            times = []
            for i in range(args.repeats + 1):  # the first run loads the models: not counted
                if i == 0:
                    page.goto(url)
                else:  # warm: same tab, back to Analyze through the sidebar (no page reload)
                    page.locator('[data-testid="stSidebarNav"] a', has_text="Analyze").click()
                box = page.get_by_role("textbox", name="Paste article text")
                # A different text every run: the process-wide score cache (model, text, target)
                # must not turn the models' work into look-ups.
                box.fill(text.replace(". ", f". Run {i}: ") if i else text)
                box.press("Tab")
                if not args.no_target:
                    sel = page.locator('[data-testid="stMultiSelect"]').filter(has_text="Targets").locator("input")
                    sel.fill(TARGET)
                    sel.press("Enter")
                    page.keyboard.press("Escape")
                wait_idle(page)
                start = time.perf_counter()
                page.get_by_role("button", name="Analyze", exact=True).click()
                page.wait_for_selector(".js-plotly-plot .choroplethlocation", state="attached")
                page.wait_for_function("document.querySelectorAll('.js-plotly-plot').length >= 3")
                if i:
                    times.append(time.perf_counter() - start)
            used = (env.get("STANCEMAP_SENTIMENT_MODEL", "bundled:sentiment") + " / "
                    + env.get("STANCEMAP_STANCE_MODEL", "bundled:stance"))
            print(f"paste -> dashboard ({'no target typed: the proposed ones' if args.no_target else 'one target'}; "
                  f"example article, models loaded, new text each run so no cached "
                  f"scores; models {used}): median "
                  f"{statistics.median(times):.2f} s, min {min(times):.2f} s, max {max(times):.2f} s "
                  f"over {len(times)} runs")
        else:
            print("paste -> dashboard: skipped (bundled models or ../shared/articles missing)")

        base, what = base_result(args.model_sentiment, args.model_stance)
        big = replicate(base, args.statements)
        analysis_id, _ = store.save_analysis(big, db)
        print(f"filter-change analysis: {len(big.rows)} statements, {len(big.articles)} articles ({what})")
        # What the dashboard's first run reads from the database, the old way and today's.
        start = time.perf_counter()
        old_way = store.frames_of(store.load_analysis(analysis_id, db))
        t_rows = time.perf_counter() - start
        start = time.perf_counter()
        store.load_analysis(analysis_id, db, with_rows=False)
        new_way = store.load_frames(analysis_id, db)
        t_frames = time.perf_counter() - start
        assert len(new_way.stance) == len(old_way.stance)
        del old_way, new_way
        print(f"load for the dashboard, in this process: every row + frames computed {t_rows:.2f} s; "
              f"head + stored frames {t_frames:.2f} s ({t_rows / t_frames:.1f}x)")
        # Opening its link: first with nothing of it in the server's caches (as after a restart),
        # then in a second, fresh browser context (another user; the server has it cached).
        for who in ("first viewer, server cache cold", "second viewer, fresh browser context"):
            viewer = browser.new_page(viewport={"width": 1400, "height": 1800}) if who.startswith("second") else page
            start = time.perf_counter()
            viewer.goto(f"{url}/dashboard?analysis={analysis_id}")
            viewer.wait_for_selector(".js-plotly-plot .choroplethlocation", state="attached")
            viewer.wait_for_function("document.querySelectorAll('.js-plotly-plot').length >= 3")
            print(f"open the link of the {len(big.rows)}-statement analysis ({who}): "
                  f"{time.perf_counter() - start:.2f} s (goto -> map and three charts drawn)")
            if viewer is not page:
                viewer.close()
        # The Statements page of the same analysis: before, it loaded every row (at least the
        # row load above); now its first page of rows, then a text search run in the database.
        viewer = browser.new_page(viewport={"width": 1400, "height": 1800})
        start = time.perf_counter()
        viewer.goto(f"{url}/statements?analysis={analysis_id}")
        viewer.wait_for_selector("[data-testid='stDataFrame']", state="attached")
        viewer.get_by_text(f"of {len(big.rows):,} statements").first.wait_for()
        t_open = time.perf_counter() - start
        wait_idle(viewer)
        start = time.perf_counter()
        box = viewer.get_by_label("Search text")
        phrase = "security guarantees"
        n_found = sum(phrase in (r.get("text") or "").lower() for r in big.rows)
        box.fill(phrase)
        box.press("Enter")
        viewer.get_by_text(f"{n_found:,} of {len(big.rows):,} statements").first.wait_for()
        print(f"Statements page of the {len(big.rows)}-statement analysis: open {t_open:.2f} s (the old page "
              f"loaded every row: at least {t_rows:.2f} s); text search {time.perf_counter() - start:.2f} s")
        viewer.close()
        wait_idle(page)
        page.evaluate(OBSERVE_JS)
        targets = list(big.targets)
        # A minimum that changes what is drawn: above the smaller speakers' counts, below the larger.
        per_speaker = sorted(Counter(r["speaker"] for r in big.rows if r.get("speaker")).values())
        cut = min(per_speaker[len(per_speaker) // 2], 1000)   # the box takes at most 1,000
        switch, minimum, kind, section = [], [], [], []
        kinds = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').filter(has_text="kind")
        for i in range(args.repeats + 1):
            # 1) switch the target: click the other target's tab
            tgt = targets[(i + 1) % len(targets)]
            _mark_input(page)
            page.get_by_role("tab", name=tgt, exact=True).click()
            page.wait_for_function("t => new URLSearchParams(location.search).get('target') === t", arg=tgt)
            took = settle(page)
            # 2) change "minimum statements per bar" between 1 and ``cut``: bars come and go on
            #    every stance chart, the heatmap and the sentiment chart
            value = str(cut if i % 2 == 0 else 1)
            box = page.locator('[data-testid="stNumberInput"] input')
            box.fill(value)
            _mark_input(page)
            box.press("Enter")
            page.wait_for_function("v => (new URLSearchParams(location.search).get('min') || '1') === v", arg=value)
            took_min = settle(page)
            # 3) the "statement kind" filter: direct quotes only, then all kinds again (every
            #    chart changes, network / trend / outlets included)
            if i % 2 == 0:
                kinds.click()
                option = page.get_by_role("option", name="direct quote", exact=True)
                option.wait_for()
                _mark_input(page)
                option.click()
                want = "direct_quote"
            else:
                _mark_input(page)
                kinds.get_by_role("button", name="Clear all").click()
                want = ""
            page.wait_for_function("k => (new URLSearchParams(location.search).get('kind') || '') === k", arg=want)
            took_kind = settle(page)
            page.keyboard.press("Escape")
            # 4) another section of the dashboard and back (its charts are drawn when opened)
            took_sec = []
            for name, key in (("Sentiment and mentions", "mentions"), ("Stance by actor and country", "")):
                _mark_input(page)
                page.get_by_role("tab", name=name, exact=True).click()
                page.wait_for_function("s => (new URLSearchParams(location.search).get('section') || '') === s",
                                       arg=key)
                took_sec.append(settle(page))
            if i:  # the first round fills the process-wide per-filter caches: reported apart
                switch.append(took)
                minimum.append(took_min)
                kind.append(took_kind)
                section.extend(took_sec)
            else:
                print(f"first use of each setting (nothing cached yet): target switch {took:.2f} s, minimum "
                      f"{cut} {took_min:.2f} s, direct quotes only {took_kind:.2f} s, section switch "
                      f"{took_sec[0]:.2f} s / back {took_sec[1]:.2f} s")
        for name, times in (("target switch (tab)", switch), (f"minimum statements 1 <-> {cut}", minimum),
                            ("statement kind all <-> direct quotes", kind),
                            ("section switch (Stance <-> Sentiment and mentions)", section)):
            print(f"filter change in the browser, {name} ({len(big.rows)} statements): median "
                  f"{statistics.median(times):.2f} s, max {max(times):.2f} s over {len(times)} changes "
                  f"(input event -> last DOM change of the page)")
    finally:
        browser.close()
        pw.stop()
        proc.terminate()
        proc.wait(timeout=20)

    os.environ["STANCEMAP_DB"] = db
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=120)
    at.query_params["analysis"] = analysis_id
    at.switch_page("pages/dashboard.py")
    at.run()
    fresh, seen = [], []
    for i in range(args.repeats):  # a minimum never used before: aggregates sliced, figures built
        start = time.perf_counter()
        at.sidebar.number_input(key="dashboard_min").set_value(cut + 1 + i if cut + 1 + i <= 1000 else cut - 1 - i).run()
        fresh.append(time.perf_counter() - start)
    for i in range(args.repeats + 2):  # 1 <-> cut again: figures come from the cache
        start = time.perf_counter()
        at.sidebar.number_input(key="dashboard_min").set_value(cut if i % 2 else 1).run()
        if i >= 2:
            seen.append(time.perf_counter() - start)
    for name, times in (("a new minimum", fresh), (f"minimum 1 <-> {cut}, seen before", seen)):
        print(f"filter change, server-side script run only (AppTest), {name}: median "
              f"{statistics.median(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
