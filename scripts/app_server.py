"""Start ``streamlit run serve.py`` on a free 127.0.0.1 port and wait until it answers: shared by
the scripts that drive the real app (``bench_app.py``, ``check_run_cancel.py``). The browser
tests keep their own fixture (``tests/e2e/conftest.py``), which fails the test run instead."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import IO, Any

REPO = Path(__file__).resolve().parents[1]
OFFLINE = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_app(env: dict[str, str], log: IO[Any] | int = subprocess.DEVNULL) -> tuple[subprocess.Popen[bytes], str]:
    """The app server (offline, ``env`` on top of this process's environment) and its URL."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "serve.py", "--server.headless", "true",
                             "--server.port", str(port), "--server.address", "127.0.0.1"],
                            cwd=REPO, env={**os.environ, **OFFLINE, **env}, stdout=log, stderr=subprocess.STDOUT)
    return proc, f"http://127.0.0.1:{port}"


def wait_healthy(url: str, timeout: float = 120.0) -> None:
    """Block until ``/_stcore/health`` answers (polled every 50 ms); TimeoutError after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{url} did not answer within {timeout:.0f} s") from None
            time.sleep(0.05)
