"""Shared, generic fixtures: paths to ../shared, a temporary database, a hand-built analysis.

``sample_result()`` builds an :class:`AnalysisResult` by hand with exactly the contract row
fields (ARCHITECTURE.md, CLI), so store / aggregate / chart / page tests do not depend on the
pipeline or on trained weights.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from analysis.records import Actor, AnalysisResult, Article

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
EXAMPLE_ARTICLE = SHARED / "articles" / "ukraine-talks-2025-08-26.txt"

TARGETS = ["a ceasefire in Ukraine", "sanctions on Russia"]
_ACTORS = {
    "Donald Trump": ("person", "USA"),
    "Antonio Tajani": ("person", "ITA"),
    "Volodymyr Zelensky": ("person", "UKR"),
    "Vladimir Putin": ("person", "RUS"),
    "Kremlin": ("organization", "RUS"),
}


def _probs(label: str, labels: tuple[str, ...], p: float = 0.8) -> dict[str, float]:
    rest = (1.0 - p) / (len(labels) - 1)
    return {k: (p if k == label else rest) for k in labels}


def make_row(
    article: Article, i: int, sentence: str, *, speaker: str | None, kind: str,
    sentiment: str, stances: dict[str, str], mentions: tuple[str, ...] = (), conf: float = 0.8,
) -> dict[str, Any]:
    """One contract row whose offsets point at ``sentence`` inside ``article.text``."""
    start = article.text.index(sentence)
    stype, country = _ACTORS.get(speaker, (None, None)) if speaker else (None, None)
    ments = []
    for name in mentions:
        pos = sentence.find(name.split()[-1])
        ments.append({"actor": name, "country": _ACTORS[name][1], "start": start + max(pos, 0),
                      "end": start + max(pos, 0) + len(name.split()[-1]),
                      "sentiment": {"label": sentiment,
                                    "scores": _probs(sentiment, ("negative", "neutral", "positive"))}})
    return {
        "analysis_id": None, "article_id": article.article_id, "article_title": article.title,
        "published": article.published, "source": article.source,
        "statement_id": f"{article.article_id}:{i}", "start": start, "end": start + len(sentence),
        "text": sentence, "kind": kind, "speaker": speaker, "speaker_type": stype,
        "speaker_country": country,
        "speaker_mention": ({"start": start, "end": start + len(speaker.split()[-1]), "text": speaker.split()[-1]}
                            if speaker and speaker.split()[-1] in sentence else None),
        "cue": {"start": start, "end": start + 4, "text": sentence[:4]} if kind != "narrative" else None,
        "mentions": ments,
        "sentiment": {"label": sentiment, "scores": _probs(sentiment, ("negative", "neutral", "positive"), conf)},
        "stance": {t: {"label": lab, "scores": _probs(lab, ("favor", "against", "none"), conf)}
                   for t, lab in stances.items()},
        "models": {"sentiment": "fake:sentiment", "stance": "fake:stance"},
    }


def sample_result(copies: int = 1, title: str | None = "Talks on Ukraine") -> AnalysisResult:
    """A small but realistic analysis: two dated articles from two outlets, five speakers.

    ``copies`` > 1 repeats the articles under new ids (for scale tests), 9 statements each.
    """
    articles: list[Article] = []
    rows: list[dict[str, Any]] = []
    for c in range(copies):
        a1 = Article(
            article_id=f"a{c}-talks", title="Trump calls Putin, says talks good",
            source="Reuters", published="2025-08-26",
            text=('"Every conversation I have with him is a good conversation," Trump said. '
                  'Tajani said Italy backs a ceasefire in Ukraine. '
                  'Zelensky said sanctions on Russia must be tightened. '
                  'The Kremlin said there are no plans for talks. '
                  'Putin avoids Zelensky, Trump claimed.'),
        )
        a2 = Article(
            article_id=f"a{c}-rome", title="Rome hosts <b>allies</b> & *friends*",
            source="ANSA", published="2025-08-27",
            text=('Tajani told reporters that Rome wants peace now. '
                  '"We will never accept this," Zelensky said. '
                  'Trump said sanctions were not needed. '
                  'Talks continued late into the night.'),
        )
        articles += [a1, a2]
        T0, T1 = TARGETS
        spec = [
            (a1, '"Every conversation I have with him is a good conversation," Trump said.', "Donald Trump",
             "direct_quote", "positive", {T0: "favor", T1: "none"}, ("Vladimir Putin",)),
            (a1, "Tajani said Italy backs a ceasefire in Ukraine.", "Antonio Tajani", "indirect_quote",
             "positive", {T0: "favor", T1: "none"}, ()),
            (a1, "Zelensky said sanctions on Russia must be tightened.", "Volodymyr Zelensky", "indirect_quote",
             "negative", {T0: "none", T1: "favor"}, ()),
            (a1, "The Kremlin said there are no plans for talks.", "Kremlin", "indirect_quote", "negative",
             {T0: "against", T1: "none"}, ()),
            (a1, "Putin avoids Zelensky, Trump claimed.", "Donald Trump", "indirect_quote", "negative",
             {T0: "none", T1: "none"}, ("Vladimir Putin", "Volodymyr Zelensky")),
            (a2, "Tajani told reporters that Rome wants peace now.", "Antonio Tajani", "indirect_quote",
             "positive", {T0: "favor", T1: "none"}, ()),
            (a2, '"We will never accept this," Zelensky said.', "Volodymyr Zelensky", "direct_quote", "negative",
             {T0: "against", T1: "favor"}, ()),
            (a2, "Trump said sanctions were not needed.", "Donald Trump", "indirect_quote", "neutral",
             {T0: "none", T1: "against"}, ()),
            (a2, "Talks continued late into the night.", None, "narrative", "neutral", {T0: "none", T1: "none"}, ()),
        ]
        counters: dict[str, int] = {}
        for art, sentence, speaker, kind, sent, stances, ments in spec:
            i = counters.get(art.article_id, 0)
            counters[art.article_id] = i + 1
            rows.append(make_row(art, i, sentence, speaker=speaker, kind=kind, sentiment=sent,
                                 stances=stances, mentions=ments))
    actors = [Actor(name=n, type=t, country=c) for n, (t, c) in _ACTORS.items()]
    return AnalysisResult(articles=articles, rows=rows, actors=actors, targets=list(TARGETS),
                          models={"sentiment": "fake:sentiment", "stance": "fake:stance"},
                          settings={"batch_size": 32}, title=title)


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """A fresh SQLite database per test."""
    return f"sqlite:///{tmp_path / 'stancemap-test.db'}"


@pytest.fixture
def result() -> AnalysisResult:
    return sample_result()


@pytest.fixture
def make_result() -> Any:
    """The :func:`sample_result` builder, for tests that need several or bigger analyses."""
    return sample_result


# ---------------------------------------------------------------------------------------------
# A live PostgreSQL server for the store tests (tests/test_store.py, tests/test_store_postgres.py)
#
# ``STANCEMAP_TEST_PG_URL`` (a SQLAlchemy URL, e.g. postgresql+psycopg://user:pw@host/db) points
# the tests at an existing server; otherwise a throwaway server is started from the PostgreSQL
# binaries on this machine (initdb + postgres, Debian's /usr/lib/postgresql/*/bin or PATH) in a
# temporary directory, listening on a unix socket there only, and stopped at the end of the
# session (as 'nobody' when run as root: initdb refuses root). Either way the tests work in a
# schema of their own (dropped at the end), never in the database's existing tables. When no
# server can be had the PostgreSQL tests skip with a one-line reason.

PG_URL_ENV = "STANCEMAP_TEST_PG_URL"


def _pg_bindir() -> Path | None:
    import shutil

    on_path = shutil.which("initdb")
    candidates = [Path(on_path).resolve().parent] if on_path else []
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"),
                         key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0, reverse=True)
    for d in candidates:
        if (d / "initdb").is_file() and (d / "postgres").is_file():
            return d
    return None


def _devnull_problem(uid: int, gid: int) -> str | None:
    """Why ``/dev/null`` breaks initdb for ``uid``, or None.

    initdb runs shell commands with ``> /dev/null``; where /dev/null is a regular file that the
    server's user cannot write they fail after "performing post-bootstrap initialization". This
    project once caused that itself (``analyze --out /dev/null`` renamed its output over the
    device; fixed in analysis/outfiles.py), so the tests say so instead of failing obscurely.
    """
    import stat

    try:
        st = os.stat("/dev/null")
    except OSError as exc:
        return f"/dev/null is missing ({exc})"
    if stat.S_ISCHR(st.st_mode):
        return None
    bit = 0o200 if st.st_uid == uid else 0o020 if st.st_gid == gid else 0o002
    if st.st_mode & bit:
        return None
    return (f"/dev/null is a regular file (mode {stat.S_IMODE(st.st_mode):o}, owner uid {st.st_uid}) "
            f"that uid {uid} cannot write, so initdb's '> /dev/null' fails")


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start_throwaway_pg() -> tuple[str, Any]:
    """Start a PostgreSQL server in a temporary directory: ``(url, stop)``; skip when impossible."""
    import pwd
    import shutil
    import subprocess
    import tempfile
    import time

    bindir = _pg_bindir()
    if bindir is None:
        pytest.skip(f"PostgreSQL: no server binaries (initdb, postgres) on PATH or in "
                    f"/usr/lib/postgresql/*/bin, and {PG_URL_ENV} is not set")
    # initdb and postgres refuse to run as root: run them as 'nobody' then.
    as_root = os.geteuid() == 0
    if as_root:
        try:
            nobody = pwd.getpwnam("nobody")
        except KeyError:
            pytest.skip("PostgreSQL: running as root and there is no 'nobody' user to run initdb as")
        uid, gid = nobody.pw_uid, nobody.pw_gid
        user_kw: dict[str, Any] = {"user": uid, "group": gid, "extra_groups": []}
    else:
        uid, gid, user_kw = os.getuid(), os.getgid(), {}
    problem = _devnull_problem(uid, gid)
    if problem:
        pytest.skip(f"PostgreSQL: {problem}")

    root = Path(tempfile.mkdtemp(prefix="stancemap-pg-"))
    port = _free_port()
    if len(str(root)) + len(f"/.s.PGSQL.{port}") > 100:  # unix socket paths are limited to ~107 bytes
        shutil.rmtree(root, ignore_errors=True)
        pytest.skip(f"PostgreSQL: temporary directory {root} is too long for a unix socket path")
    if as_root:
        os.chown(root, uid, gid)
    data, log = root / "data", root / "server.log"
    empty = root / "stdin"  # the server's stdin: an empty file of our own rather than /dev/null
    empty.touch()

    init_cmd = [str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
                "-E", "UTF8", "--locale=C", "--no-sync"]
    with empty.open("rb") as stdin:
        init = subprocess.run(init_cmd, stdin=stdin, capture_output=True, text=True, cwd=root,
                              timeout=180, **user_kw)
    if init.returncode != 0:
        shutil.rmtree(root, ignore_errors=True)
        lines = [ln.strip() for ln in (init.stderr + init.stdout).splitlines() if ln.strip()]
        why = next((ln for ln in reversed(lines) if "removing" not in ln and "exit code" not in ln), "")
        pytest.skip(f"PostgreSQL: initdb failed (exit {init.returncode}): {why[:200]}")

    with empty.open("rb") as stdin, log.open("wb") as out:
        proc = subprocess.Popen(
            [str(bindir / "postgres"), "-D", str(data), "-k", str(root), "-p", str(port),
             "-c", "listen_addresses=", "-c", "fsync=off", "-c", "full_page_writes=off",
             "-c", "synchronous_commit=off", "-c", "max_connections=40"],
            stdin=stdin, stdout=out, stderr=subprocess.STDOUT, cwd=root, **user_kw)

    def stop() -> None:
        if proc.poll() is None:
            proc.send_signal(2)  # SIGINT: fast shutdown (SIGTERM would wait for idle clients)
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        shutil.rmtree(root, ignore_errors=True)

    import psycopg

    deadline = time.monotonic() + 60
    while True:
        if proc.poll() is not None:
            tail = log.read_text(errors="replace").strip().splitlines()[-1:] or ["(no log)"]
            stop()
            pytest.skip(f"PostgreSQL: the server exited at start: {tail[0][:200]}")
        try:
            with psycopg.connect(host=str(root), port=port, user="postgres", dbname="postgres",
                                 connect_timeout=2, autocommit=True) as conn:
                conn.execute("CREATE DATABASE stancemap_test")
            break
        except psycopg.OperationalError as exc:
            if time.monotonic() > deadline:
                stop()
                pytest.skip(f"PostgreSQL: the server did not accept connections within 60 s: {exc}")
            time.sleep(0.2)
    return f"postgresql+psycopg://postgres@/stancemap_test?host={root}&port={port}", stop


@pytest.fixture(scope="session")
def pg_url() -> Any:
    """A SQLAlchemy URL into an empty schema of a live PostgreSQL server (skips when none).

    The URL carries ``options=-csearch_path=<schema>``, so every table the store creates lives in
    that schema, which is dropped at the end of the session.
    """
    import secrets

    from sqlalchemy import create_engine, make_url, text

    try:
        import psycopg  # noqa: F401
    except ImportError:
        pytest.skip("PostgreSQL: the driver psycopg is not installed (pip install 'psycopg[binary]')")
    base = os.environ.get(PG_URL_ENV, "").strip()
    stop = None
    if not base:
        base, stop = _start_throwaway_pg()
    schema = f"stancemap_test_{secrets.token_hex(6)}"
    admin = create_engine(base)
    try:
        try:
            with admin.begin() as conn:
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        except Exception as exc:  # an unreachable STANCEMAP_TEST_PG_URL
            pytest.skip(f"PostgreSQL: cannot create a schema through {make_url(base)!r}: "
                        f"{str(exc).splitlines()[0][:200]}")
        url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
        from analysis import store

        for key in [k for k in store._ENGINES if schema in k]:  # close pooled connections first
            store._ENGINES.pop(key).dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    finally:
        admin.dispose()
        if stop is not None:
            stop()


@pytest.fixture
def pg_db_url(pg_url: str) -> str:
    """:func:`pg_url` with the store's tables created and emptied: a fresh database per test."""
    from sqlalchemy import text

    from analysis import store

    engine = store.get_engine(pg_url)
    names = ", ".join(t.name for t in store.Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    return pg_url
