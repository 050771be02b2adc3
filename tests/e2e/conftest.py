"""Browser end-to-end fixtures: ``streamlit run`` on 127.0.0.1 + Debian chromium via Playwright.

Follows Streamlit's own e2e pattern: start the server on a free port, wait on
``/_stcore/health``, drive headless chromium. Chromium comes from Debian (``apt-get install
chromium``; never ``playwright install``); without it every test here skips. The browser runs
with name resolution disabled for everything but 127.0.0.1, so a chart that needed the internet
would fail to draw.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("STANCEMAP_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def e2e_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'stancemap.db'}"


@pytest.fixture(scope="session")
def app_url(e2e_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A ``streamlit run app.py`` server on a free port, using a fresh database."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not found (apt-get install chromium); browser tests skipped")
    pytest.importorskip("playwright.sync_api")
    port = _free_port()
    log = (tmp_path_factory.mktemp("e2e-log") / "streamlit.log").open("w")
    env = {**os.environ, "STANCEMAP_DB": e2e_db, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1"],
        cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"streamlit did not start; see {log.name}")
            time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="session")
def browser(app_url: str) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def new_page(browser: object) -> Iterator[object]:
    """A factory of pages, each in a fresh browser context (no shared cookies or storage).

    Every JavaScript dialog (alert/confirm) is recorded on ``page.dialogs`` and dismissed.
    """
    contexts = []

    def make() -> object:
        ctx = browser.new_context(viewport={"width": 1400, "height": 1800})  # type: ignore[attr-defined]
        contexts.append(ctx)
        page = ctx.new_page()
        page.dialogs = []
        page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
        page.set_default_timeout(60_000)
        return page

    yield make
    for ctx in contexts:
        ctx.close()

