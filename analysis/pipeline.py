"""The analysis pipeline: articles -> statements with speakers, countries, sentiment and stance.

Stages, each reported through ``progress(stage, done, total)``:

``statements``  rules (:mod:`analysis.quotes`): segmentation, quotes, speakers, actors,
                countries; the attribution tagger (:mod:`analysis.attribution_model`, one small
                token model, a few passes per article) adds what the rules miss.
``sentiment``   ONE batched call to the sentiment model for every statement (whole text) and
                every actor/country mention (target-dependent, the mention's span marked).
``stance``      ONE batched call to the stance model for every (statement, target) pair.

>>> result = analyze([article_from_text("Trump said the deal was good.")], ["the deal"],
...                  sentiment_model=fake, stance_model=fake)   # doctest: +SKIP
>>> result.rows[0]["speaker"]                                     # doctest: +SKIP
'Trump'
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timezone
from typing import Any, Protocol

from .actors import Mention, combine
from .errors import InputError
from .labels import ActorType, StatementKind
from .quotes import Statement, blank_format_chars, extract_statements
from .records import MAX_TARGET_CHARS, Actor, AnalysisResult, Article, FileError, MentionRow, Score, StatementRow
from .stance_context import context_for_statement

Progress = Callable[[str, int, int], None]
log = logging.getLogger(__name__)

# Row fields of the CLI contract (ARCHITECTURE.md), in output order; extra fields follow.
CONTRACT_FIELDS: tuple[str, ...] = (
    "analysis_id", "article_id", "article_title", "published", "source", "statement_id", "start",
    "end", "text", "kind", "speaker", "speaker_type", "speaker_country", "speaker_mention", "cue",
    "mentions", "sentiment", "stance", "models",
)
EXTRA_FIELDS: tuple[str, ...] = ("speaker_role", "speaker_country_evidence", "confidence", "section")
MAX_TARGETS = 20
# How many targets a run without typed ones scores stance toward (the app's first run, and the CLI
# without --targets): the main actors and issues of the text (suggest_targets).
PROPOSED_TARGETS = 5

# Words never suggested as targets on their own (function words and news filler).
STOPWORDS: frozenset[str] = frozenset("""
a about above after again against all also am an and any are as at be because been before being
below between both but by can could did do does doing down during each few for from further had has
have having he her here hers herself him himself his how i if in into is it its itself just me more
most my myself no nor not now of off on once only or other our ours out over own same she should so
some such than that the their theirs them themselves then there these they this those through to too
under until up very was we were what when where which while who whom why will with would you your
said says say told tells according added asked called last week year years monday tuesday wednesday
thursday friday saturday sunday january february march april may june july august september october
november december mr mrs ms new one two three first since still however also like get got going
yes back well much many even way time day days people think know make made want wanted told according
following including during despite amid among within without across toward towards tomorrow today
yesterday tonight night morning evening afternoon ago later earlier another every
""".split())


class SentimentScorer(Protocol):
    model_id: str

    def score(self, texts: Sequence[str], spans: Sequence[tuple[int, int] | None] | None = None, *,
              batch_size: int = 32, progress: Callable[[int, int], None] | None = None) -> list[Any]: ...


class StanceScorer(Protocol):
    model_id: str

    def score(self, texts: Sequence[str], targets: Sequence[str], *,
              contexts: Sequence[str | None] | None = None, batch_size: int = 32,
              progress: Callable[[int, int], None] | None = None) -> list[Any]: ...


def normalize_targets(targets: Sequence[str] | None) -> list[str]:
    """Stripped, de-duplicated targets (order kept); at most MAX_TARGETS of MAX_TARGET_CHARS each."""
    out: list[str] = []
    for t in targets or []:
        t = re.sub(r"\s+", " ", str(t)).strip()
        if len(t) > MAX_TARGET_CHARS:
            raise InputError(f"A target is {len(t)} characters long ({t[:40]!r}...); at most "
                             f"{MAX_TARGET_CHARS} are allowed. Name what stance is about in a few words.")
        if t and t.lower() not in {o.lower() for o in out}:
            out.append(t)
    if len(out) > MAX_TARGETS:
        raise InputError(f"{len(out)} targets given; at most {MAX_TARGETS} are allowed per analysis.")
    return out


def _runtime_of(model: Any) -> str | None:
    """The runtime a scorer reports (``PairScorer.runtime``; the one-pass model's own), if any."""
    runtime = getattr(getattr(model, "scorer", model), "runtime", None)
    return runtime if isinstance(runtime, str) and runtime else None


def _stage(progress: Progress | None, stage: str) -> Callable[[int, int], None] | None:
    if progress is None:
        return None
    return lambda done, total: progress(stage, done, total)


def prepare_articles(articles: Sequence[Article], keep_duplicates: bool = False
                     ) -> tuple[list[Article], list[dict[str, Any]]]:
    """Articles as an analysis takes them, for every engine: ids made unique (statement ids
    derive from them) and, unless ``keep_duplicates``, one copy of each duplicate story
    (:mod:`analysis.dedup`); returns them with the duplicate groups for ``settings``."""
    from .dedup import find_duplicates
    from .ingest import unique_article_ids

    prepared = unique_article_ids(list(articles))
    if keep_duplicates:
        return prepared, []
    kept, groups = find_duplicates(prepared)
    return kept, [g.to_dict() for g in groups]


def analyze(
    articles: list[Article],
    targets: list[str],
    *,
    sentiment_model: SentimentScorer | None = None,
    stance_model: StanceScorer | None = None,
    batch_size: int = 32,
    progress: Progress | None = None,
    overrides: dict[str, Any] | None = None,
    keep_duplicates: bool = False,
    tagger: Any = "default",
) -> AnalysisResult:
    """Statements of ``articles`` with speakers, countries, sentiment and stance toward ``targets``.

    Models default to the bundled ones (loaded once per process). ``overrides`` maps actor names
    to countries (see :func:`analysis.countries.normalize_overrides`); they win over the text
    and the gazetteer. Identical and near-identical articles (the same wire story in several
    outlets, :mod:`analysis.dedup`) are analysed and counted once, the first copy in input order;
    the others are listed in ``settings["duplicates"]`` ("also published by"), unless
    ``keep_duplicates``. ``tagger``: the attribution tagger that adds the statements the rules
    miss (:mod:`analysis.attribution_model`; ``"default"`` loads the bundled one unless
    ``STANCEMAP_ATTRIBUTION_TAGGER=off``; None for rules only). Raises ModelUnavailable when a
    model cannot be loaded.
    """
    # One chunk holding every article: the chunked analysis is the one implementation.
    return next(analyze_in_chunks(articles, targets, chunk_articles=max(1, len(articles)),
                                  sentiment_model=sentiment_model, stance_model=stance_model,
                                  batch_size=batch_size, progress=progress, overrides=overrides,
                                  keep_duplicates=keep_duplicates, tagger=tagger))


def analyze_in_chunks(
    articles: list[Article],
    targets: list[str],
    *,
    chunk_articles: int = 128,
    sentiment_model: SentimentScorer | None = None,
    stance_model: StanceScorer | None = None,
    batch_size: int = 32,
    progress: Progress | None = None,
    overrides: dict[str, Any] | None = None,
    keep_duplicates: bool = False,
    tagger: Any = "default",
) -> Iterator[AnalysisResult]:
    """The analysis of :func:`analyze`, ``chunk_articles`` articles at a time (issue 12: a corpus
    streams through with flat memory; the caller writes each chunk's rows and drops them).

    Duplicates are found over the whole corpus first (only texts are compared), so a wire story is
    analysed once whichever chunk its copies fall in. Each yielded result holds one chunk's
    articles, rows, actors and errors; its ``settings`` carry the corpus's duplicate groups.
    :class:`AnalysisTotals` joins the chunks into what the whole analysis knows besides its rows.
    Articles are resolved on their own, so the rows are exactly those :func:`analyze` gives (the
    score cache answers a statement repeated in a later chunk without another model pass).
    """
    from .countries import normalize_overrides

    if chunk_articles < 1:
        raise InputError("chunk_articles must be at least 1.")
    targets = normalize_targets(targets)
    norm_overrides = normalize_overrides(overrides) if overrides else None
    articles, duplicates = prepare_articles(articles, keep_duplicates)
    tagger = _resolve_tagger(tagger)
    for start in range(0, max(1, len(articles)), chunk_articles):  # no articles: one empty chunk
        chunk = _analyze_prepared(articles[start:start + chunk_articles], targets,
                                  sentiment_model=sentiment_model, stance_model=stance_model,
                                  batch_size=batch_size, progress=progress, norm_overrides=norm_overrides,
                                  tagger=tagger)
        if duplicates:
            chunk.settings["duplicates"] = duplicates
        yield chunk


class AnalysisTotals:
    """What a chunked analysis knows besides its rows: every article, the actors merged by
    identical name (as :func:`analyze` merges them), errors, models, settings and counts."""

    def __init__(self, targets: Sequence[str]) -> None:
        self.result = AnalysisResult(articles=[], rows=[], actors=[], targets=list(targets), models={},
                                     created=datetime.now(timezone.utc).isoformat(timespec="seconds"))
        self._actors: dict[str, Actor] = {}
        self.n_statements = 0

    def add(self, chunk: AnalysisResult) -> None:
        self.result.articles.extend(chunk.articles)
        self.result.errors.extend(chunk.errors)
        self.result.models = dict(chunk.models)
        self.result.settings = dict(chunk.settings)
        for actor in chunk.actors:
            self._actors[actor.name] = combine(self._actors[actor.name], actor) if actor.name in self._actors else actor
        self.result.actors = list(self._actors.values())
        self.n_statements += len(chunk.rows)


def _resolve_tagger(tagger: Any) -> Any:
    if tagger == "default":
        from .attribution_model import default_tagger

        return default_tagger()
    return tagger


def _analyze_prepared(
    articles: list[Article],
    targets: list[str],
    *,
    sentiment_model: SentimentScorer | None,
    stance_model: StanceScorer | None,
    batch_size: int,
    progress: Progress | None,
    norm_overrides: dict[str, Any] | None,
    tagger: Any,
) -> AnalysisResult:
    """Stages 1-4 over articles already prepared (unique ids, duplicates dropped) and a tagger
    already loaded (or None): statements, rows, sentiment, stance."""
    # 1. statements, speakers, actors (rules + the attribution tagger)
    per_article: list[tuple[Article, list[Statement], list[Mention], dict[str, Actor]]] = []
    errors: list[FileError] = []
    total = len(articles)
    for i, article in enumerate(articles, start=1):
        try:
            tagged = tagger.tag(blank_format_chars(article.text)) if tagger is not None else None
            statements, mentions, found = extract_statements(article, norm_overrides, tagged=tagged)
        except Exception as exc:  # noqa: BLE001 - one odd article must not stop a corpus run
            log.exception("statement extraction failed for %s", article.article_id)
            errors.append(FileError(article.article_id,
                                    f"{article.article_id}: could not split into statements ({exc!r}); skipped."))
            continue
        finally:
            if progress:
                progress("statements", i, total)
        per_article.append((article, statements, mentions, found))
    # Each article is resolved on its own: its rows take speaker type, country and role from its
    # own actor records, so they never depend on what else is in the batch ("Kim said" in one
    # article must not become "Erin Kim" from another). The analysis-wide actor list joins
    # records only under an identical name.
    actors: dict[str, Actor] = {}
    for _, _, _, article_actors in per_article:
        for name, actor in article_actors.items():
            actors[name] = combine(actors[name], actor) if name in actors else actor

    # 2. what each row will hold, and the sentiment inputs: the statement, then its mentions
    drafts: list[tuple[Article, Statement, Actor | None, list[tuple[Mention, Actor]]]] = []
    sent_texts: list[str] = []
    sent_spans: list[tuple[int, int] | None] = []
    for article, statements, mentions, own_actors in per_article:
        for st in statements:
            speaker_actor = own_actors.get(st.speaker) if st.speaker else None
            inside = [(m, own_actors[m.actor]) for m in mentions
                      if st.start <= m.start and m.end <= st.end and m.actor and m.actor in own_actors]
            drafts.append((article, st, speaker_actor, inside))
            sent_texts.append(st.text)
            sent_spans.append(None)
            for m, _ in inside:
                sent_texts.append(st.text)
                sent_spans.append((m.start - st.start, m.end - st.start))

    # 3. sentiment: one batched call for statements and mentions (in the order above)
    if sentiment_model is None:
        from .models import load_sentiment_model

        sentiment_model = load_sentiment_model()
    sent_scores: list[Score] = []
    if sent_texts:
        sent_scores = [Score.of(x) for x in sentiment_model.score(
            sent_texts, sent_spans, batch_size=batch_size, progress=_stage(progress, "sentiment"))]
    elif progress:
        progress("sentiment", 0, 0)

    # 4. stance: one batched call for every (statement, target) pair
    stance_id: str | None = getattr(stance_model, "model_id", None)
    stance_by_row: list[dict[str, Score]] = [{} for _ in drafts]
    if targets:
        if stance_model is None:
            from .models import load_stance_model

            stance_model = load_stance_model()
            stance_id = stance_model.model_id
        stance_by_row = stance_scores([(a, st.start, st.text) for a, st, _, _ in drafts], targets,
                                      stance_model, batch_size=batch_size, progress=progress)
    if progress and not targets:
        progress("stance", 0, 0)
    models = {"sentiment": sentiment_model.model_id, "stance": stance_id}

    # 5. the rows, each built once and complete
    rows: list[dict[str, Any]] = []
    scores = iter(sent_scores) if sent_scores else None
    for (article, st, speaker_actor, inside), stance in zip(drafts, stance_by_row, strict=True):
        sentiment = next(scores) if scores else None
        mention_rows = tuple(MentionRow(m.actor or a.name, a.type, a.country, m.start, m.end, m.text,
                                        next(scores) if scores else None) for m, a in inside)
        rows.append(StatementRow(
            article_id=article.article_id, article_title=article.title, published=article.published,
            source=article.source, statement_id=st.statement_id, start=st.start, end=st.end,
            text=st.text, kind=st.kind, speaker=st.speaker or None,
            speaker_type=speaker_actor.type if speaker_actor else None,
            speaker_country=speaker_actor.country if speaker_actor else None,
            speaker_mention=st.speaker_mention, cue=st.cue, mentions=mention_rows,
            sentiment=sentiment, stance=stance, models=models,
            speaker_role=speaker_actor.role if speaker_actor else None,
            speaker_country_evidence=speaker_actor.country_evidence if speaker_actor else None,
            confidence=round(st.confidence, 2), section=st.section,
        ).to_contract())
    used = {r["speaker"] for r in rows if r["speaker"]} | {m["actor"] for r in rows for m in r["mentions"]}
    actor_list = [a for name, a in actors.items() if name in used]
    return AnalysisResult(
        articles=[a for a, _, _, _ in per_article],
        rows=rows,
        actors=actor_list,
        targets=targets,
        # The stance id is None when no target was given (nothing was scored for stance).
        models=models,  # type: ignore[arg-type]
        errors=errors,
        settings={"batch_size": batch_size, "overrides": norm_overrides or {},
                  # Which attribution tagger added statements (None: the rules alone).
                  "attribution_tagger": getattr(tagger, "folder_name", None) if tagger is not None else None,
                  # What ran the models (ONNX Runtime int8 on CPU by default; README "Runtime").
                  "runtime": {task: rt for task, m in (("sentiment", sentiment_model), ("stance", stance_model),
                                                       ("attribution", tagger))
                              if m is not None and (rt := _runtime_of(m))},
                  **({"stance_confusion": stance_model.confusion}
                     if targets and getattr(stance_model, "confusion", None) else {})},
        created=datetime.now(timezone.utc).isoformat(timespec="seconds"),
    )


def stance_scores(statements: Sequence[tuple[Article | None, int, str]], targets: Sequence[str],
                  stance_model: StanceScorer, *, batch_size: int = 32,
                  progress: Progress | None = None) -> list[dict[str, Score]]:
    """The stance of each ``(article, start, text)`` statement toward every target: one batched
    call for all pairs.

    Each statement is read with what a reader has read before it (the title and about three
    sentences, :func:`analysis.stance_context.context_for_statement`), so "it", "the plans", "he"
    can be resolved; the CLI's ``stance --in`` accepts the same context.
    """
    if not statements or not targets:
        return [{} for _ in statements]
    contexts = [context_for_statement(a.text, start, a.title) if a is not None else None
                for a, start, _ in statements]
    scores = stance_model.score([text for _, _, text in statements for _ in targets],
                                [t for _ in statements for t in targets],
                                contexts=[c for c in contexts for _ in targets], batch_size=batch_size,
                                progress=_stage(progress, "stance"))
    it = iter(scores)
    return [{t: Score.of(next(it)) for t in targets} for _ in statements]


def score_stance(rows: list[dict[str, Any]], articles: Sequence[Article], targets: Sequence[str],
                 stance_model: StanceScorer, *, batch_size: int = 32, progress: Progress | None = None) -> None:
    """Add the stance toward ``targets`` to contract rows already made (a stored analysis that
    gains a target): ``row["stance"][target]`` for every row and target."""
    by_id = {a.article_id: a for a in articles}
    found = stance_scores([(by_id.get(r["article_id"]), r["start"], r["text"]) for r in rows], targets,
                          stance_model, batch_size=batch_size, progress=progress)
    for r, stance in zip(rows, found, strict=True):
        r["stance"] = {**(r.get("stance") or {}), **{t: s.to_dict() for t, s in stance.items()}}


def add_targets(result: AnalysisResult, targets: Sequence[str], *, stance_model: StanceScorer | None = None,
                batch_size: int = 32, progress: Progress | None = None) -> list[str]:
    """Score stance toward further ``targets`` on an analysis already made, in place.

    Only the stance stage runs (statements, speakers and sentiment stay as they are), so a
    target thought of after the run costs one pass per statement. Returns the targets that were
    new (a target the analysis already has, compared case-insensitively, is skipped).
    """
    have = {t.casefold() for t in result.targets}
    new = [t for t in normalize_targets(list(targets)) if t.casefold() not in have]
    if not new:
        return []
    if stance_model is None:
        from .models import load_stance_model

        stance_model = load_stance_model()
    score_stance(result.rows, result.articles, new, stance_model, batch_size=batch_size, progress=progress)
    stance_id = getattr(stance_model, "model_id", None)
    for r in result.rows:
        r.setdefault("models", {})["stance"] = stance_id
    result.models = {**result.models, "stance": stance_id}
    result.targets = [*result.targets, *new]
    return new


def statement_counts(result: AnalysisResult) -> dict[str, int]:
    """How many statements of each kind a result holds (for summaries and logs)."""
    c = Counter(r["kind"] for r in result.rows)
    return {k.value: c.get(k.value, 0) for k in StatementKind}


# A recurring phrase counts as an issue only if it once starts or ends a run of content words
# that stands where a noun phrase can: after an article, a possessive or a preposition ("on security
# guarantees", "for a ceasefire", "against the new tariffs"). That keeps verb fragments ("to help
# fight terror", "to distract attention") and adverb runs out without a tagger.
NOUN_PHRASE_LEFT: frozenset[str] = frozenset("""
a an the its their his her our your this these those any no of on for against about over
with without toward towards into from by between under amid
""".split())


def _content_word(word: str) -> bool:
    return len(word) >= 3 and word.islower() and word not in STOPWORDS and "'" not in word and "’" not in word


def suggest_targets(articles: list[Article], limit: int = 8) -> list[str]:
    """Targets worth scoring stance toward: the main actors and the issues they argue about.

    About half the suggestions are the people, organisations and countries most often speaking
    or mentioned; the rest are lower-case noun phrases of two or three words that recur in noun
    position (:data:`NOUN_PHRASE_LEFT`), longest first among equals ("security guarantees",
    "negotiated settlement"). Capitalised words are names, which the actors cover; fragments
    under three letters ("ID") are never suggested.
    """
    if not articles or limit <= 0:
        return []
    actor_counts: Counter[str] = Counter()
    actor_words: set[str] = set()
    for article in articles:
        statements, mentions, actors = extract_statements(article)
        kinds = (ActorType.PERSON.value, ActorType.ORGANIZATION.value, ActorType.COUNTRY.value)
        for m in mentions:
            if m.actor and m.actor in actors and actors[m.actor].type in kinds:
                actor_counts[m.actor] += 1
                actor_words.update(w.lower() for w in re.findall(r"\w+", m.text))
        for st in statements:  # a speaker is a main actor even when named once
            if st.speaker and st.speaker in actors and actors[st.speaker].type in kinds:
                actor_counts[st.speaker] += 1
    phrase_counts: Counter[str] = Counter()
    headed: set[str] = set()  # phrases seen at least once as the head of a noun phrase
    for article in articles:
        for sentence in re.split(r"[.!?;:\n\"“”()]+", f"{article.title or ''}\n{article.text}"):
            words = re.findall(r"[A-Za-z][A-Za-z\-'’]*", sentence)
            i = 0
            while i < len(words):  # maximal runs of lower-case content words
                j = i
                while j < len(words) and _content_word(words[j]):
                    j += 1
                if j == i:
                    i += 1
                    continue
                run, noun_position = words[i:j], i > 0 and words[i - 1].lower() in NOUN_PHRASE_LEFT
                for n in (3, 2):
                    for k in range(len(run) - n + 1):
                        gram = run[k:k + n]
                        if gram[-1].endswith("ly") or all(w in actor_words for w in gram):
                            continue
                        phrase = " ".join(gram)
                        phrase_counts[phrase] += 1
                        if noun_position and (k == 0 or k + n == len(run)):
                            headed.add(phrase)
                i = j
    for name in list(actor_counts):  # extraction fragments ("Thousands of") are no targets
        if name.split()[-1].lower() in STOPWORDS:
            del actor_counts[name]
    n_actors = max(1, limit // 2)
    out = [name for name, _ in actor_counts.most_common(n_actors)]
    phrases = [(n, len(p.split()), p) for p, n in phrase_counts.items() if n >= 2 and p in headed]
    phrases.sort(key=lambda x: (-x[0], -x[1], x[2]))
    for _, _, p in phrases:
        if len(out) >= limit:
            break
        if any(p in o.lower() or o.lower() in p for o in out):
            continue
        out.append(p)
    for name, _ in actor_counts.most_common():
        if len(out) >= limit:
            break
        if name not in out:
            out.append(name)
    return out[:limit]


def contract_row(row: dict[str, Any]) -> dict[str, Any]:
    """The row with the contract fields first, then the extra fields, in a stable order."""
    out = {k: row.get(k) for k in CONTRACT_FIELDS}
    for k in EXTRA_FIELDS:
        if k in row:
            out[k] = row[k]
    return out
