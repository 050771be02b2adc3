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
from urllib.parse import urlsplit
from collections.abc import Iterator
from dataclasses import dataclass
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


def bundled_models_present() -> bool:
    return all((REPO / "analysis" / "bundled" / t / "stancemap.json").exists() for t in ("sentiment", "stance"))


def _tiny_model(folder: Path, id2label: dict[int, str]) -> str:
    """A 2-layer random BERT with the MiniLM tokenizer: exercises the real model code path."""
    from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

    from analysis.models import base_encoder_dir

    tokenizer = AutoTokenizer.from_pretrained(base_encoder_dir())
    config = BertConfig(vocab_size=tokenizer.vocab_size, hidden_size=32, num_hidden_layers=2,
                        num_attention_heads=2, intermediate_size=64, num_labels=len(id2label),
                        id2label=id2label, label2id={v: k for k, v in id2label.items()})
    BertForSequenceClassification(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return str(folder)


@pytest.fixture(scope="session")
def e2e_models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The bundled models when trained, else tiny random local models (same code path, meaningless
    scores): the browser flows then still run end to end."""
    if bundled_models_present():
        return {"sentiment": "bundled:sentiment", "stance": "bundled:stance"}
    return {"sentiment": _tiny_model(tmp_path_factory.mktemp("sent"), {0: "negative", 1: "neutral", 2: "positive"}),
            "stance": _tiny_model(tmp_path_factory.mktemp("stance"), {0: "FAVOR", 1: "AGAINST", 2: "NONE"})}


@dataclass(frozen=True)
class AppServer:
    """The app under test: its URL, its process (for CPU checks) and its log file."""

    url: str
    process: subprocess.Popen
    log: Path


@pytest.fixture(scope="session")
def app_url(app_server: AppServer) -> str:
    return app_server.url


@pytest.fixture(scope="session")
def app_server(e2e_db: str, e2e_models: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    """A ``streamlit run serve.py`` server (app.py behind the not-found middleware) on a free port, using a fresh database."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not found (apt-get install chromium); browser tests skipped")
    pytest.importorskip("playwright.sync_api")
    port = _free_port()
    log = (tmp_path_factory.mktemp("e2e-log") / "streamlit.log").open("w")
    env = {**os.environ, "STANCEMAP_DB": e2e_db, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
           "STANCEMAP_SENTIMENT_MODEL": e2e_models["sentiment"], "STANCEMAP_STANCE_MODEL": e2e_models["stance"]}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "serve.py", "--server.headless", "true",
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
        yield AppServer(url, proc, Path(log.name))
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


LOCAL_HOSTS = ("127.0.0.1", "localhost")


@pytest.fixture
def new_page(browser: object) -> Iterator[object]:
    """A factory of pages, each in a fresh browser context (no shared cookies or storage).

    Every JavaScript dialog (alert/confirm) is recorded on ``page.dialogs`` and dismissed. Every
    request that would leave the machine (a font CDN, a map tile, an analytics beacon) is
    refused and recorded, and the test fails at teardown if there was any: no page of the app
    may ask a third party for anything.
    """
    contexts = []
    off_machine: list[str] = []

    def refuse_remote(route: object) -> None:
        url = route.request.url  # type: ignore[attr-defined]
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob", "about") or parts.hostname in LOCAL_HOSTS:
            route.continue_()  # type: ignore[attr-defined]
        else:
            off_machine.append(url)
            route.abort()  # type: ignore[attr-defined]

    def make() -> object:
        ctx = browser.new_context(viewport={"width": 1400, "height": 1800})  # type: ignore[attr-defined]
        ctx.route("**/*", refuse_remote)
        contexts.append(ctx)
        page = ctx.new_page()
        page.dialogs = []
        page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
        page.set_default_timeout(60_000)
        return page

    yield make
    for ctx in contexts:
        ctx.close()
    assert off_machine == [], f"requests that would leave the machine: {sorted(set(off_machine))}"

