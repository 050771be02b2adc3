#!/usr/bin/env python
"""Does a run stop when its page is closed? (issue 11)

Starts ``streamlit run serve.py`` on a free port with a scratch database, pastes a long text (the
example article 25 times over, ~72,000 characters) in headless Debian chromium, presses Analyze,
closes the tab 15 s later, and prints how many cores the server process keeps busy every 5 s after
that, then how many analyses were saved (0: the run was stopped, not finished).

    .venv/bin/python scripts/check_run_cancel.py

Prints figures; asserts nothing. Needs /usr/bin/chromium, the bundled models and ../shared/articles.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "scripts")]
from app_server import start_app, wait_healthy  # noqa: E402
EXAMPLE = REPO.parent / "shared" / "articles" / "ukraine-talks-2025-08-26.txt"


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (``/proc/PID/stat``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().split(")")[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def busy(pid: int, seconds: float = 5.0) -> float:
    """Cores the process keeps busy over the next ``seconds``."""
    before = cpu_seconds(pid)
    time.sleep(seconds)
    return (cpu_seconds(pid) - before) / seconds


def main() -> int:
    from playwright.sync_api import sync_playwright

    from analysis import store

    scratch = tempfile.mkdtemp(prefix="stancemap-cancel-")
    db = f"sqlite:///{scratch}/cancel.db"
    with open(f"{scratch}/streamlit.log", "w") as log:
        server, url = start_app({"STANCEMAP_DB": db}, log)
    try:
        wait_healthy(url)
        article = EXAMPLE.read_text(encoding="utf-8")
        text = "\n\n".join(article.replace("Trump", f"Trump{i}") for i in range(25))
        print(f"paste: {len(text):,} characters")
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
            context = browser.new_context()
            page = context.new_page()
            page.goto(url)
            box = page.get_by_role("textbox", name="Paste article text")
            box.fill(text)
            box.press("Tab")
            page.get_by_role("button", name="Analyze", exact=True).click()
            time.sleep(15)
            print(f"while running: {busy(server.pid):.2f} cores busy")
            context.close()  # the user closes the tab
            closed = time.time()
            for _ in range(12):
                load = busy(server.pid)
                print(f"{time.time() - closed:5.0f} s after the tab closed: {load:.2f} cores busy", flush=True)
                if load < 0.05:
                    break
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"analyses saved: {len(store.list_analyses(db))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
