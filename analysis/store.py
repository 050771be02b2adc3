"""Persistence of analyses (ARCHITECTURE.md, "Persistence and share links").

One SQLAlchemy 2 schema that runs on SQLite (default) and PostgreSQL (by URL alone):

    analyses     one row per saved analysis: id, title, created, targets, models, settings,
                 per-file errors, headline counts, and the *hash* of its edit token
    articles     the article texts (stored so share links keep working; never rendered as HTML)
    statements   one row per statement: the contract row as JSON plus indexed columns
                 (article, speaker, country, kind) for SQL users
    actors       canonical actors (name, type, country, role, aliases)
    corrections  user corrections of speaker / country / stance, applied on load
    analysis_frames  the same statements as three columnar (Parquet) tables the dashboard reads:
                 statements, stance scores per (statement, target), mention edges; written with
                 the analysis and kept in step by every edit, so a corpus of 300,000 statements
                 opens without decoding 300,000 JSON rows (issue 12, point 6)

Where the database lives: ``STANCEMAP_DB`` (any SQLAlchemy URL, e.g.
``postgresql+psycopg://user:pw@host/db``) wins; otherwise a SQLite file ``stancemap.db`` in
``STANCEMAP_DATA_DIR`` (default ``data/`` under the repository root).

Ids and tokens: an analysis id is ``secrets.token_urlsafe(16)`` (128 random bits) and is all a
share link carries. Editing (rename, delete, corrections) needs a separate edit token, returned
once by :func:`save_analysis`; only its SHA-256 is stored. A plain hash (no salt/KDF) is enough
because the token itself has 128 random bits — there is no dictionary to attack.

>>> analysis_id, edit_token = save_analysis(result)          # doctest: +SKIP
>>> load_analysis(analysis_id).rows[0]["speaker"]             # doctest: +SKIP
'Donald Trump'
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import hmac
import io
import os
import random
import re
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Engine,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    cast,
    create_engine,
    delete,
    event,
    func,
    inspect,
    select,
)
from sqlalchemy.exc import DBAPIError
import pandas as pd
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from . import aggregate as ag
from .errors import InputError, NotFound, StancemapError
from .labels import CountryEvidence
from .records import Actor, AnalysisResult, Article, FileError

REPO_ROOT = Path(__file__).resolve().parents[1]
DB_FILENAME = "stancemap.db"
# token_urlsafe(16) gives 22 url-safe characters. Longer ids (e.g. a caller's own 32-byte token)
# are accepted; anything shorter than 22 characters cannot carry 128 bits and is refused.
ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{22,64}$")
CORRECTABLE_FIELDS: tuple[str, ...] = ("speaker", "country", "stance")
MAX_TITLE_CHARS = 200
# Article and statement ids are Text, not String(n): they come from file names and CSV/JSONL "id"
# columns (any length), and a statement id is "<article id>:<n>". SQLite ignores VARCHAR lengths
# but PostgreSQL enforces them, so a 240-character file name saved on SQLite and failed on
# PostgreSQL ("value too long for type character varying(200)"). On PostgreSQL text and varchar
# perform the same. (create_all does not alter tables that exist already.)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class AnalysisRow(Base):
    __tablename__ = "analyses"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(String(MAX_TITLE_CHARS))
    created: Mapped[str] = mapped_column(String(40), index=True)
    edit_token_sha256: Mapped[str] = mapped_column(String(64))
    targets: Mapped[list[Any]] = mapped_column(JSON)
    models: Mapped[dict[str, Any]] = mapped_column(JSON)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON)
    errors: Mapped[list[Any]] = mapped_column(JSON)
    n_articles: Mapped[int] = mapped_column(Integer)
    n_statements: Mapped[int] = mapped_column(Integer)
    n_speakers: Mapped[int] = mapped_column(Integer)
    n_countries: Mapped[int] = mapped_column(Integer)


class ArticleRow(Base):
    __tablename__ = "articles"

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    analysis_id: Mapped[str] = mapped_column(ForeignKey("analyses.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    article_id: Mapped[str] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text, nullable=True)
    source: Mapped[str | None] = mapped_column(Text, nullable=True)
    published: Mapped[str | None] = mapped_column(String(40), nullable=True)
    url: Mapped[str | None] = mapped_column(Text, nullable=True)
    text: Mapped[str] = mapped_column(Text)


class StatementRow(Base):
    __tablename__ = "statements"

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    analysis_id: Mapped[str] = mapped_column(ForeignKey("analyses.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    statement_id: Mapped[str] = mapped_column(Text, index=True)
    article_id: Mapped[str] = mapped_column(Text, index=True)
    speaker: Mapped[str | None] = mapped_column(Text, nullable=True, index=True)
    speaker_country: Mapped[str | None] = mapped_column(String(16), nullable=True, index=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    row: Mapped[dict[str, Any]] = mapped_column(JSON)


class ActorRow(Base):
    __tablename__ = "actors"

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    analysis_id: Mapped[str] = mapped_column(ForeignKey("analyses.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(Text)
    type: Mapped[str] = mapped_column(String(40))
    country: Mapped[str | None] = mapped_column(String(16), nullable=True)
    role: Mapped[str | None] = mapped_column(Text, nullable=True)
    aliases: Mapped[list[Any]] = mapped_column(JSON)
    country_evidence: Mapped[str | None] = mapped_column(String(40), nullable=True)


class FrameRow(Base):
    """One columnar table of an analysis (``name``: statements / stance / edges) as Parquet."""

    __tablename__ = "analysis_frames"

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    analysis_id: Mapped[str] = mapped_column(ForeignKey("analyses.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(40))
    data: Mapped[bytes] = mapped_column(LargeBinary)


class CorrectionRow(Base):
    __tablename__ = "corrections"

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    analysis_id: Mapped[str] = mapped_column(ForeignKey("analyses.id", ondelete="CASCADE"), index=True)
    statement_id: Mapped[str] = mapped_column(Text)
    field: Mapped[str] = mapped_column(String(40))
    target: Mapped[str | None] = mapped_column(Text, nullable=True)
    value: Mapped[dict[str, Any]] = mapped_column(JSON)  # {"value": ...} so None is storable
    created: Mapped[str] = mapped_column(String(40))


# ---------------------------------------------------------------------------------------------
# Engine


def data_dir() -> Path:
    """The data directory: ``STANCEMAP_DATA_DIR`` or ``data/`` under the repository root."""
    raw = os.environ.get("STANCEMAP_DATA_DIR")
    return Path(raw).expanduser() if raw else REPO_ROOT / "data"


def default_db_url() -> str:
    """``STANCEMAP_DB`` when set, else the SQLite file in :func:`data_dir`."""
    url = os.environ.get("STANCEMAP_DB", "").strip()
    if url:
        return url
    return f"sqlite:///{data_dir() / DB_FILENAME}"


_ENGINES: dict[str, Engine] = {}
_ENGINES_LOCK = threading.Lock()


def get_engine(db_url: str | None = None) -> Engine:
    """An engine per URL (created once per process), with the schema created if missing."""
    url = db_url or default_db_url()
    with _ENGINES_LOCK:
        engine = _ENGINES.get(url)
        if engine is not None:
            return engine
        if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
            Path(url[len("sqlite:///"):]).expanduser().parent.mkdir(parents=True, exist_ok=True)
        try:
            # SQLite: wait up to 30 s for another writer's lock instead of failing at once
            # ("database is locked" when several CLI runs save into one file).
            engine = create_engine(url, connect_args={"timeout": 30} if url.startswith("sqlite") else {})
        except Exception as exc:  # bad URL, missing driver ...
            raise StancemapError(
                f"Cannot open the database {url!r}: {exc}. Set STANCEMAP_DB to a SQLAlchemy URL "
                f"(sqlite:///path/to/file.db or postgresql+psycopg://user:pw@host/db)."
            ) from exc
        if engine.dialect.name == "sqlite":
            @event.listens_for(engine, "connect")
            def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
                cur = dbapi_conn.cursor()
                cur.execute("PRAGMA foreign_keys=ON")
                cur.execute("PRAGMA journal_mode=WAL")  # readers (the app) never block the CLI
                cur.close()
        _create_schema(engine)
        _ENGINES[url] = engine
        return engine


def _create_schema(engine: Engine, attempts: int = 8) -> None:
    """Create missing tables, safely when several processes open a fresh database at once.

    ``create_all`` checks, then creates: two processes can both see no table and both create
    it, and the loser fails ("table analyses already exists" on SQLite, a UniqueViolation on
    ``pg_type`` on PostgreSQL) after all its work. The loser's failure means the tables exist
    now, so it checks again; a PostgreSQL transaction-level advisory lock also serialises them.
    """
    for attempt in range(attempts):
        try:
            with engine.begin() as conn:
                if engine.dialect.name == "postgresql":
                    conn.exec_driver_sql("SELECT pg_advisory_xact_lock(5173601)")  # "stancemap schema"
                Base.metadata.create_all(conn)
                _add_missing_columns(conn)
            return
        except DBAPIError:
            if attempt == attempts - 1:
                raise
            time.sleep(0.05 * (attempt + 1) + random.random() * 0.1)


# Columns added after the first release: {table: {column: SQL type}}. ``create_all`` never alters
# a table that exists, so a database saved by an older version gets them here (nullable, so old
# rows read as "not recorded").
ADDED_COLUMNS: dict[str, dict[str, str]] = {"actors": {"country_evidence": "VARCHAR(40)"}}


def _add_missing_columns(conn: Any) -> None:
    for table, columns in ADDED_COLUMNS.items():
        have = {c["name"] for c in inspect(conn).get_columns(table)}
        for column, sql_type in columns.items():
            if column not in have:
                conn.exec_driver_sql(f"ALTER TABLE {table} ADD COLUMN {column} {sql_type}")


# ---------------------------------------------------------------------------------------------
# Ids and tokens


def new_analysis_id() -> str:
    """A fresh, unguessable analysis id (128 random bits, 22 url-safe characters)."""
    return secrets.token_urlsafe(16)


def is_valid_id(analysis_id: object) -> bool:
    """Whether ``analysis_id`` has the shape of an analysis id (checked before any query)."""
    return isinstance(analysis_id, str) and bool(ID_PATTERN.match(analysis_id))


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _not_found(analysis_id: object) -> NotFound:
    shown = analysis_id if isinstance(analysis_id, str) and len(analysis_id) <= 80 else "<invalid>"
    return NotFound(
        f"No analysis with id {shown!r}. Check that the link was copied whole; analyses are "
        f"listed in the Library."
    )


# ---------------------------------------------------------------------------------------------
# Save / load


def _default_title(result: AnalysisResult) -> str:
    for article in result.articles:
        if article.title and article.title.strip():
            title = article.title.strip()
            if len(result.articles) > 1:
                title += f" (+{len(result.articles) - 1} more)"
            return title[:MAX_TITLE_CHARS]
    return f"Analysis of {len(result.articles)} article(s)"


def new_edit_token() -> str:
    """A fresh edit token (192 random bits). Callers that must show it before the save commits
    (so a crash right after the commit cannot leave an analysis nobody can edit) draw it here
    and pass it to :func:`save_analysis`."""
    return secrets.token_urlsafe(24)


def save_analysis(result: AnalysisResult, db_url: str | None = None, *,
                  edit_token: str | None = None) -> tuple[str, str]:
    """Save ``result`` in one transaction; return ``(analysis_id, edit_token)``.

    ``edit_token``: one drawn with :func:`new_edit_token` and already shown to the user;
    a new one is drawn otherwise.

    The result's own ``analysis_id`` is kept when it is a well-formed id not yet stored;
    otherwise a new one is drawn. Every row's ``analysis_id`` is set to the saved id, and
    ``result.analysis_id`` / ``created`` / ``title`` are filled in place.
    """
    rows = [dict(r) for r in result.rows]
    with analysis_writer(db_url, analysis_id=result.analysis_id, edit_token=edit_token) as writer:
        writer.add(result.articles, rows)
        writer.finish(result)
    result.rows = rows
    return writer.analysis_id, writer.edit_token


class AnalysisWriter:
    """Saves one analysis a chunk of articles and rows at a time, inside the one transaction of
    :func:`analysis_writer` (a corpus streams into the database with flat memory; a crash or kill
    leaves the analysis whole or absent, as :func:`save_analysis` always has)."""

    def __init__(self, session: Session, analysis_id: str, edit_token: str) -> None:
        self.session = session
        self.analysis_id = analysis_id
        self.edit_token = edit_token
        self.n_articles = 0
        self.n_rows = 0
        self.speakers: set[str] = set()
        self.countries: set[str] = set()
        self.finished = False
        # The columnar tables, a chunk at a time (a few percent of the rows' size).
        self.frames: dict[str, list[pd.DataFrame]] = {name: [] for name in FRAME_NAMES}

    def add(self, articles: list[Article], rows: list[dict[str, Any]]) -> None:
        """Store ``articles`` and ``rows`` (each row's ``analysis_id`` is set, in place)."""
        for r in rows:
            r["analysis_id"] = self.analysis_id
            if r.get("speaker"):
                self.speakers.add(r["speaker"])
            if r.get("speaker_country"):
                self.countries.add(r["speaker_country"])
        self.session.add_all(
            ArticleRow(analysis_id=self.analysis_id, position=self.n_articles + i, article_id=a.article_id,
                       title=a.title, source=a.source, published=a.published, url=a.url, text=a.text)
            for i, a in enumerate(articles))
        self.session.add_all(
            StatementRow(analysis_id=self.analysis_id, position=self.n_rows + i,
                         statement_id=str(r.get("statement_id", self.n_rows + i)),
                         article_id=str(r.get("article_id", "")), speaker=r.get("speaker"),
                         speaker_country=(r.get("speaker_country") or None),
                         kind=str(r.get("kind", "")), row=_jsonable(r))
            for i, r in enumerate(rows))
        self.frames["statements"].append(ag.statements_frame(rows))
        self.frames["stance"].append(ag.stance_scores_frame(rows, offset=self.n_rows))
        self.frames["edges"].append(ag.mention_edges(rows))
        self.n_articles += len(articles)
        self.n_rows += len(rows)
        self.session.flush()
        self.session.expunge_all()  # written; the session must not keep every row in memory

    def finish(self, result: AnalysisResult) -> None:
        """The analysis's own record (title, targets, models, settings, errors, counts) and its
        actors, from ``result`` (whose rows are not read: they came through :meth:`add`).
        ``result.analysis_id`` / ``created`` / ``title`` are filled in place."""
        created = result.created or _now()
        title = (result.title or _default_title(result)).strip()[:MAX_TITLE_CHARS] or "Untitled analysis"
        record = self.session.get(AnalysisRow, self.analysis_id)
        assert record is not None
        record.title, record.created = title, created
        record.targets, record.models = list(result.targets), dict(result.models)
        record.settings = _jsonable(dict(result.settings))
        record.errors = [e.to_dict() for e in result.errors]
        record.n_articles, record.n_statements = self.n_articles, self.n_rows
        record.n_speakers, record.n_countries = len(self.speakers), len(self.countries)
        self.session.add_all(
            ActorRow(analysis_id=self.analysis_id, position=i, name=a.name, type=str(a.type),
                     country=a.country, role=a.role, aliases=list(a.aliases),
                     country_evidence=a.country_evidence)
            for i, a in enumerate(result.actors))
        self.session.add_all(FrameRow(analysis_id=self.analysis_id, name=name, data=_parquet(_concat(parts, name)))
                             for name, parts in self.frames.items())
        self.frames = {}
        self.finished = True
        result.analysis_id, result.created, result.title = self.analysis_id, created, title


@contextlib.contextmanager
def analysis_writer(db_url: str | None = None, *, analysis_id: str | None = None,
                    edit_token: str | None = None) -> Iterator[AnalysisWriter]:
    """One transaction that saves an analysis chunk by chunk: ``add`` each chunk, then ``finish``
    once; it commits when the block ends after ``finish`` and rolls back otherwise.

    ``analysis_id`` is kept when it is a well-formed id not yet stored (a new one is drawn
    otherwise); ``edit_token`` as in :func:`save_analysis`.
    """
    engine = get_engine(db_url)
    if edit_token is not None and len(edit_token) < 32:
        raise InputError("An edit token needs at least 32 characters (use store.new_edit_token()).")
    edit_token = edit_token or new_edit_token()
    with Session(engine) as session, session.begin():
        if not is_valid_id(analysis_id) or session.get(AnalysisRow, analysis_id) is not None:
            analysis_id = new_analysis_id()
        assert analysis_id is not None
        # The parent row first, so foreign keys hold on PostgreSQL too; finish() fills it in.
        session.add(AnalysisRow(id=analysis_id, title="", created=_now(), edit_token_sha256=_hash_token(edit_token),
                                targets=[], models={}, settings={}, errors=[], n_articles=0, n_statements=0,
                                n_speakers=0, n_countries=0))
        session.flush()
        writer = AnalysisWriter(session, analysis_id, edit_token)
        yield writer
        if not writer.finished:
            raise RuntimeError("analysis_writer: the analysis was never finished; nothing is saved")


def _jsonable(value: Any) -> Any:
    """Plain JSON types only (numpy floats and tuples from scorers become float / list)."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (str, int, bool)) or value is None:
        return value
    if isinstance(value, float):
        return value
    if hasattr(value, "item"):  # numpy scalar
        return value.item()
    return str(value)


def _article(a: Any) -> Article:
    """An :class:`Article` from an ``articles`` row, or from a selection of its columns without
    ``text`` (then blank)."""
    return Article(article_id=a.article_id, text=getattr(a, "text", ""), title=a.title, source=a.source,
                   published=a.published, url=a.url)


def _actors(session: Session, analysis_id: str) -> list[Actor]:
    return [Actor(name=a.name, type=a.type, country=a.country, role=a.role, aliases=tuple(a.aliases or ()),
                  country_evidence=a.country_evidence)
            for a in session.scalars(select(ActorRow).where(ActorRow.analysis_id == analysis_id)
                                     .order_by(ActorRow.position))]


def load_analysis(analysis_id: str, db_url: str | None = None, *, apply_corrections: bool = True,
                  with_rows: bool = True) -> AnalysisResult:
    """Load a saved analysis, with user corrections applied to its rows.

    ``with_rows=False`` leaves ``rows`` empty (``rows_loaded`` False) and the articles' ``text``
    blank: the dashboard of a corpus reads :func:`load_frames` and fetches the rows and texts it
    shows with :func:`load_statement_rows` and :func:`load_articles`.
    Raises :class:`NotFound` for a malformed id (never sent to the database) or an unknown one.
    """
    if not is_valid_id(analysis_id):
        raise _not_found(analysis_id)
    engine = get_engine(db_url)
    with Session(engine) as session:
        head = session.get(AnalysisRow, analysis_id)
        if head is None:
            raise _not_found(analysis_id)
        # Without rows, without article texts too (evidence fetches the few it shows).
        fields = [ArticleRow.article_id, ArticleRow.title, ArticleRow.source, ArticleRow.published, ArticleRow.url]
        articles = [
            _article(a)
            for a in session.execute(select(*fields, *([ArticleRow.text] if with_rows else []))
                                     .where(ArticleRow.analysis_id == analysis_id).order_by(ArticleRow.position))
        ]
        rows = [dict(s.row) for s in session.scalars(
            select(StatementRow).where(StatementRow.analysis_id == analysis_id).order_by(StatementRow.position))
        ] if with_rows else []
        actors = _actors(session, analysis_id)
        corrections = _corrections(session, analysis_id) if apply_corrections else []
        result = AnalysisResult(
            articles=articles, rows=rows, actors=actors, targets=list(head.targets or []),
            models=dict(head.models or {}), errors=[FileError(**e) for e in head.errors or []],
            settings=dict(head.settings or {}), analysis_id=head.id, created=head.created,
            title=head.title, rows_loaded=with_rows, n_statements=head.n_statements,
        )
    if corrections:
        result.rows = apply_corrections_to_rows(result.rows, corrections, result.actors)
    return result


# ---------------------------------------------------------------------------------------------
# Columnar tables (what the dashboard reads)

FRAME_NAMES: tuple[str, ...] = ("statements", "stance", "edges")
_FRAME_COLUMNS: dict[str, tuple[str, ...]] = {"statements": ag.STATEMENT_COLUMNS, "stance": ag.SCORE_COLUMNS,
                                              "edges": ag.EDGE_COLUMNS}


def _concat(parts: list[pd.DataFrame], name: str) -> pd.DataFrame:
    parts = [p for p in parts if len(p)]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=list(_FRAME_COLUMNS[name]))


def _parquet(df: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    df.to_parquet(buf, index=False, compression="zstd")
    return buf.getvalue()


def _unparquet(data: bytes, name: str) -> pd.DataFrame:
    # Only today's columns are read: tables saved by an earlier version may hold more.
    return ag._plain_strings(pd.read_parquet(io.BytesIO(data), columns=list(_FRAME_COLUMNS[name])))


@dataclass(frozen=True)
class AnalysisFrames:
    """What the dashboard charts an analysis from, with its corrections applied:
    ``statements`` (:func:`analysis.aggregate.statements_frame`), ``stance`` (the long
    :func:`~analysis.aggregate.stance_frame`, in the analysis's target order) and ``edges``
    (:func:`~analysis.aggregate.mention_edges`)."""

    statements: pd.DataFrame
    stance: pd.DataFrame
    edges: pd.DataFrame


def frames_of(result: AnalysisResult) -> AnalysisFrames:
    """The frames of an analysis in memory (rows already corrected, if they should be)."""
    statements = ag.statements_frame(result.rows)
    return AnalysisFrames(statements=statements,
                          stance=ag.join_stance(statements, ag.stance_scores_frame(result.rows, result.targets),
                                                result.targets),
                          edges=ag.mention_edges(result.rows))


def load_frames(analysis_id: str, db_url: str | None = None) -> AnalysisFrames:
    """The frames of a saved analysis, read from its columnar tables, with corrections applied
    to the statements they touch (only those rows are decoded). An analysis saved before these
    tables existed is loaded whole and computed. Raises :class:`NotFound`."""
    if not is_valid_id(analysis_id):
        raise _not_found(analysis_id)
    with Session(get_engine(db_url)) as session:
        head = session.get(AnalysisRow, analysis_id)
        if head is None:
            raise _not_found(analysis_id)
        stored = {f.name: f.data for f in session.scalars(select(FrameRow).where(FrameRow.analysis_id == analysis_id))}
        if set(stored) != set(FRAME_NAMES):
            return frames_of(load_analysis(analysis_id, db_url))
        targets = list(head.targets or [])
        statements, scores, edges = (_unparquet(stored[n], n) for n in FRAME_NAMES)
        corrections = _corrections(session, analysis_id)
        positions, fixed = _corrected_rows(session, analysis_id, [c["statement_id"] for c in corrections],
                                           corrections)
        if fixed:
            statements = pd.concat([statements.drop(index=positions),
                                    ag.statements_frame(fixed).set_axis(positions)]).sort_index()
            new_scores = ag.stance_scores_frame(fixed, targets)
            new_scores["_i"] = [positions[i] for i in new_scores["_i"]]
            scores = pd.concat([scores[~scores["_i"].isin(positions)], new_scores], ignore_index=True)
            edges = pd.concat([edges[~edges["statement_id"].isin([str(r["statement_id"]) for r in fixed])],
                               ag.mention_edges(fixed)], ignore_index=True)
    return AnalysisFrames(statements=statements, stance=ag.join_stance(statements, scores, targets), edges=edges)


def _store_frame(session: Session, analysis_id: str, name: str, df: pd.DataFrame) -> None:
    session.execute(delete(FrameRow).where(FrameRow.analysis_id == analysis_id, FrameRow.name == name))
    session.add(FrameRow(analysis_id=analysis_id, name=name, data=_parquet(df)))


def _stored_frame(session: Session, analysis_id: str, name: str) -> pd.DataFrame | None:
    data = session.scalar(select(FrameRow.data).where(FrameRow.analysis_id == analysis_id, FrameRow.name == name))
    return None if data is None else _unparquet(data, name)


def _corrected_rows(session: Session, analysis_id: str, statement_ids: Sequence[Any],
                    corrections: list[dict[str, Any]]) -> tuple[list[int], list[dict[str, Any]]]:
    """Positions and rows (corrections applied) of some statements, in the analysis's order."""
    ids = list(dict.fromkeys(str(i) for i in statement_ids))
    found: list[StatementRow] = []
    for k in range(0, len(ids), 500):   # bounded IN lists
        found.extend(session.scalars(select(StatementRow).where(StatementRow.analysis_id == analysis_id,
                                                                StatementRow.statement_id.in_(ids[k:k + 500]))))
    found.sort(key=lambda r: r.position)
    rows = [dict(r.row) for r in found]
    wanted = set(ids)
    mine = [c for c in corrections if str(c["statement_id"]) in wanted]
    if mine:
        rows = apply_corrections_to_rows(rows, mine, _actors(session, analysis_id))
    return [r.position for r in found], rows


def load_statement_rows(analysis_id: str, statement_ids: Sequence[str], db_url: str | None = None) -> list[dict[str, Any]]:
    """The contract rows of some statements of a saved analysis (in the analysis's order, with
    corrections applied): evidence for a chart element without loading the whole analysis."""
    if not statement_ids or not is_valid_id(analysis_id):
        return []
    with Session(get_engine(db_url)) as session:
        return _corrected_rows(session, analysis_id, statement_ids, _corrections(session, analysis_id))[1]


def search_statement_ids(analysis_id: str, query: str, db_url: str | None = None) -> list[str]:
    """Ids of the statements of a saved analysis whose text contains ``query`` (case-insensitive;
    SQLite folds ASCII case only), in the analysis's order. Searched in the database, so the
    Statements page of a corpus need not hold every text to find one."""
    query = query.strip()
    if not query or not is_valid_id(analysis_id):
        return []
    pattern = "%" + re.sub(r"([\\%_])", r"\\\1", query.lower()) + "%"
    text = func.lower(StatementRow.row["text"].as_string())
    wanted = [StatementRow.analysis_id == analysis_id]
    engine = get_engine(db_url)
    if query.isascii() and query.isprintable() and not any(c in query for c in '"\\'):
        # First the row's stored JSON as it is (the text appears in it verbatim when the query
        # has nothing JSON escapes): a plain scan, 3x cheaper than extracting every text.
        blob = cast(StatementRow.row, Text)
        wanted.append(blob.like(pattern, escape="\\") if engine.dialect.name == "sqlite"   # ASCII-case-blind
                      else blob.ilike(pattern, escape="\\"))
    wanted.append(text.like(pattern, escape="\\"))
    with Session(engine) as session:
        return list(session.scalars(select(StatementRow.statement_id).where(*wanted)
                                    .order_by(StatementRow.position)))


def load_articles(analysis_id: str, article_ids: Sequence[str], db_url: str | None = None) -> dict[str, Article]:
    """Some articles of a saved analysis, by article id (texts included)."""
    ids = list(dict.fromkeys(str(i) for i in article_ids))
    if not ids or not is_valid_id(analysis_id):
        return {}
    with Session(get_engine(db_url)) as session:
        return {a.article_id: _article(a)
                for a in session.scalars(select(ArticleRow).where(ArticleRow.analysis_id == analysis_id,
                                                                  ArticleRow.article_id.in_(ids)))}


def list_analyses(db_url: str | None = None, limit: int = 500) -> list[dict[str, Any]]:
    """Saved analyses, newest first: id, title, created, counts, targets."""
    engine = get_engine(db_url)
    with Session(engine) as session:
        heads = session.scalars(select(AnalysisRow).order_by(AnalysisRow.created.desc()).limit(limit))
        return [
            {"analysis_id": h.id, "title": h.title, "created": h.created, "articles": h.n_articles,
             "statements": h.n_statements, "speakers": h.n_speakers, "countries": h.n_countries,
             "targets": list(h.targets or [])}
            for h in heads
        ]


def _check_token(session: Session, analysis_id: str, edit_token: str | None) -> AnalysisRow:
    if not is_valid_id(analysis_id):
        raise _not_found(analysis_id)
    head = session.get(AnalysisRow, analysis_id)
    if head is None:
        raise _not_found(analysis_id)
    if not edit_token or not hmac.compare_digest(_hash_token(edit_token.strip()), head.edit_token_sha256):
        raise InputError(
            "Wrong or missing edit token. Editing needs the token shown once when the analysis "
            "was saved (the share link does not carry it)."
        )
    return head


def revision(analysis_id: str, db_url: str | None = None) -> str:
    """A fingerprint of everything an edit changes (title, targets, models, corrections).

    Viewers' caches are keyed by it, so a rename, a correction, an added target or a delete made
    in one browser shows in every other browser on its next rerun (one indexed query, ~1 ms).
    Raises :class:`NotFound` for a malformed, unknown or deleted analysis.
    """
    if not is_valid_id(analysis_id):
        raise _not_found(analysis_id)
    with Session(get_engine(db_url)) as session:
        head = session.execute(select(AnalysisRow.title, AnalysisRow.targets, AnalysisRow.models)
                               .where(AnalysisRow.id == analysis_id)).first()
        if head is None:
            raise _not_found(analysis_id)
        n, last = session.execute(select(func.count(CorrectionRow.pk), func.max(CorrectionRow.pk))
                                  .where(CorrectionRow.analysis_id == analysis_id)).one()
    blob = repr((head.title, head.targets, sorted((head.models or {}).items()), n, last))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


def save_added_targets(result: AnalysisResult, new_targets: list[str], edit_token: str,
                       db_url: str | None = None) -> None:
    """Store stance toward ``new_targets`` (scored by :func:`analysis.pipeline.add_targets` on
    ``result``) into the saved analysis ``result.analysis_id``; needs its edit token."""
    if not new_targets:
        return
    stance = {str(r.get("statement_id")): {t: r["stance"][t] for t in new_targets}
              for r in result.rows if all(t in (r.get("stance") or {}) for t in new_targets)}
    with Session(get_engine(db_url)) as session, session.begin():
        head = _check_token(session, str(result.analysis_id), edit_token)
        have = {t.casefold() for t in head.targets or []}
        added = [t for t in new_targets if t.casefold() not in have]
        if not added:
            return
        head.targets = [*(head.targets or []), *added]
        head.models = {**(head.models or {}), "stance": result.models.get("stance")}
        for srow in session.scalars(select(StatementRow).where(StatementRow.analysis_id == head.id)):
            scores = stance.get(srow.statement_id)
            if scores is None:
                continue
            row = dict(srow.row)
            row["stance"] = {**(row.get("stance") or {}), **_jsonable({t: scores[t] for t in added})}
            row["models"] = {**(row.get("models") or {}), "stance": result.models.get("stance")}
            srow.row = row
        scores = _stored_frame(session, head.id, "stance")
        if scores is not None:
            # result.rows are the saved rows in their order (load_analysis): positions agree.
            _store_frame(session, head.id, "stance",
                         _concat([scores, ag.stance_scores_frame(result.rows, added)], "stance"))


def remove_targets(analysis_id: str, targets: list[str], edit_token: str, db_url: str | None = None) -> list[str]:
    """Take ``targets`` out of a saved analysis (needs its edit token): its tab, its stance
    scores on every statement and the stance corrections made toward it. Returns those removed.
    An analysis keeps at least one target only if it had one: removing every target leaves the
    statements, speakers and sentiment, and a target can be added again later."""
    wanted = {" ".join(t.split()).casefold() for t in targets}
    with Session(get_engine(db_url)) as session, session.begin():
        head = _check_token(session, str(analysis_id), edit_token)
        removed = [t for t in head.targets or [] if t.casefold() in wanted]
        if not removed:
            return []
        head.targets = [t for t in head.targets or [] if t not in removed]
        settings = dict(head.settings or {})
        if settings.get("proposed_targets"):
            settings["proposed_targets"] = [t for t in settings["proposed_targets"] if t not in removed]
            head.settings = settings
        for srow in session.scalars(select(StatementRow).where(StatementRow.analysis_id == head.id)):
            stance = srow.row.get("stance") or {}
            if any(t in stance for t in removed):
                srow.row = {**srow.row, "stance": {k: v for k, v in stance.items() if k not in removed}}
        session.execute(delete(CorrectionRow).where(CorrectionRow.analysis_id == head.id,
                                                    CorrectionRow.field == "stance",
                                                    CorrectionRow.target.in_(removed)))
        scores = _stored_frame(session, head.id, "stance")
        if scores is not None:
            _store_frame(session, head.id, "stance", scores[~scores["target"].isin(removed)].reset_index(drop=True))
    return removed


def verify_edit_token(analysis_id: str, edit_token: str | None, db_url: str | None = None) -> bool:
    """Whether ``edit_token`` unlocks editing of ``analysis_id`` (False for unknown ids)."""
    try:
        with Session(get_engine(db_url)) as session:
            _check_token(session, analysis_id, edit_token)
        return True
    except StancemapError:
        return False


def rename_analysis(analysis_id: str, title: str, edit_token: str, db_url: str | None = None) -> None:
    """Rename a saved analysis (needs its edit token)."""
    title = (title or "").strip()
    if not title:
        raise InputError("A title cannot be empty.")
    with Session(get_engine(db_url)) as session, session.begin():
        head = _check_token(session, analysis_id, edit_token)
        head.title = title[:MAX_TITLE_CHARS]


def delete_analysis(analysis_id: str, edit_token: str, db_url: str | None = None) -> None:
    """Delete a saved analysis and everything in it (needs its edit token)."""
    with Session(get_engine(db_url)) as session, session.begin():
        _check_token(session, analysis_id, edit_token)
        # Explicit deletes: do not rely on ON DELETE CASCADE being honoured by every backend.
        for table in (CorrectionRow, FrameRow, StatementRow, ActorRow, ArticleRow):
            session.execute(delete(table).where(table.analysis_id == analysis_id))
        session.execute(delete(AnalysisRow).where(AnalysisRow.id == analysis_id))


# ---------------------------------------------------------------------------------------------
# Corrections


def save_correction(
    analysis_id: str,
    statement_id: str,
    field: str,
    value: Any,
    edit_token: str,
    db_url: str | None = None,
) -> None:
    """Record a correction of one statement; it is applied every time the analysis loads.

    ``field`` is ``"speaker"`` (value: a name or None), ``"country"`` (an ISO 3166-1 alpha-3 code
    or None) or ``"stance"`` (value: ``{"target": <one of the analysis' targets>, "label":
    "favor"|"against"|"none"}``). A later correction of the same field wins.
    """
    from .labels import STANCE_LABELS

    if field not in CORRECTABLE_FIELDS:
        raise InputError(f"Cannot correct {field!r}; correctable fields are {', '.join(CORRECTABLE_FIELDS)}.")
    target: str | None = None
    with Session(get_engine(db_url)) as session, session.begin():
        head = _check_token(session, analysis_id, edit_token)
        exists = session.scalar(select(func.count()).select_from(StatementRow).where(
            StatementRow.analysis_id == analysis_id, StatementRow.statement_id == str(statement_id)))
        if not exists:
            raise NotFound(f"Analysis {analysis_id!r} has no statement {statement_id!r}.")
        if field == "speaker":
            value = (str(value).strip() or None) if value is not None else None
        elif field == "country":
            value = normalise_country(value)
        else:
            if not isinstance(value, dict) or "target" not in value or "label" not in value:
                raise InputError('A stance correction is {"target": ..., "label": "favor"|"against"|"none"}.')
            target, label = str(value["target"]), str(value["label"]).lower()
            if target not in (head.targets or []):
                raise InputError(f"Unknown target {target!r}; this analysis has {head.targets}.")
            if label not in STANCE_LABELS:
                raise InputError(f"Unknown stance {label!r}; use one of {', '.join(STANCE_LABELS)}.")
            value = label
        session.add(CorrectionRow(analysis_id=analysis_id, statement_id=str(statement_id), field=field,
                                  target=target, value={"value": value}, created=_now()))


def undo_correction(analysis_id: str, correction_id: int, edit_token: str, db_url: str | None = None) -> None:
    """Remove one recorded correction (its ``id`` from :func:`list_corrections`); the model's
    value, or an earlier correction of the same field, applies again. Needs the edit token."""
    with Session(get_engine(db_url)) as session, session.begin():
        _check_token(session, analysis_id, edit_token)
        row = session.get(CorrectionRow, int(correction_id))
        if row is None or row.analysis_id != analysis_id:
            raise NotFound(f"This analysis has no correction {correction_id!r} (already undone?).")
        session.delete(row)


def normalise_country(value: Any) -> str | None:
    """An ISO 3166-1 alpha-3 code from a code or country name; None clears the country."""
    if value is None or str(value).strip() == "":
        return None
    import pycountry

    raw = str(value).strip()
    hit = pycountry.countries.get(alpha_3=raw.upper()) if len(raw) == 3 else None
    if hit is None:
        try:
            hit = pycountry.countries.lookup(raw)
        except LookupError:
            hit = None
    if hit is None:
        raise InputError(f"Unknown country {raw!r}; give an ISO 3166-1 alpha-3 code (e.g. USA, UKR) or a country name.")
    return str(hit.alpha_3)


def _corrections(session: Session, analysis_id: str) -> list[dict[str, Any]]:
    return [
        {"id": c.pk, "statement_id": c.statement_id, "field": c.field, "target": c.target,
         "value": (c.value or {}).get("value"), "created": c.created}
        for c in session.scalars(select(CorrectionRow).where(CorrectionRow.analysis_id == analysis_id)
                                 .order_by(CorrectionRow.pk))
    ]


def list_corrections(analysis_id: str, db_url: str | None = None) -> list[dict[str, Any]]:
    """The corrections recorded for an analysis, oldest first."""
    if not is_valid_id(analysis_id):
        raise _not_found(analysis_id)
    with Session(get_engine(db_url)) as session:
        return _corrections(session, analysis_id)


def apply_corrections_to_rows(
    rows: list[dict[str, Any]], corrections: list[dict[str, Any]], actors: list[Actor] | None = None
) -> list[dict[str, Any]]:
    """Rows with corrections applied (copies; later corrections win).

    A corrected speaker that matches a known actor also takes that actor's type and country,
    unless the country itself was corrected.
    """
    by_name = {a.name: a for a in actors or []}
    out = [copy.deepcopy(r) for r in rows]
    index = {str(r.get("statement_id")): r for r in out}
    country_fixed: set[str] = set()
    for c in corrections:
        row = index.get(str(c["statement_id"]))
        if row is None:
            continue
        what = c["field"] if c["field"] != "stance" else f"stance:{c.get('target')}"
        row["corrected"] = [*[w for w in row.get("corrected") or [] if w != what], what]
        if c["field"] == "speaker":
            row["speaker"] = c["value"]
            # A known actor brings its type and country; an unknown name leaves them unknown
            # (the old speaker's country would be wrong) until the country is corrected too.
            actor = by_name.get(c["value"]) if c["value"] else None
            row["speaker_type"] = str(actor.type) if actor else None
            if str(c["statement_id"]) not in country_fixed:
                row["speaker_country"] = actor.country if actor else None
                row["speaker_country_evidence"] = actor.country_evidence if actor else None
        elif c["field"] == "country":
            row["speaker_country"] = c["value"]
            row["speaker_country_evidence"] = CountryEvidence.OVERRIDE.value if c["value"] else None
            country_fixed.add(str(c["statement_id"]))
        elif c["field"] == "stance" and c.get("target"):
            # The label becomes the user's; the scores stay the model's (marked as such), never
            # made-up probabilities. Aggregates count a corrected label as certain.
            old = dict((row.get("stance") or {}).get(c["target"]) or {})
            stance = dict(row.get("stance") or {})
            stance[c["target"]] = {"label": str(c["value"]), "scores": old.get("scores") or {},
                                   "corrected": True, "model_label": old.get("model_label", old.get("label"))}
            row["stance"] = stance
    return out
