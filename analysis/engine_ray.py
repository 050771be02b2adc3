"""The Ray engine: the same analysis as :func:`analysis.pipeline.analyze`, spread over a cluster.

``python -m analysis analyze FILES --engine ray [--ray-address ADDR] [--workers N]``

How it divides the work. Everything that needs the whole corpus happens once, on the driver:
reading the inputs and finding duplicate articles (a wire story is analysed once, whichever
worker would have got its copies). The articles then go to Ray Data as a dataset of dicts and
``map_batches`` sends batches of articles to a pool of actors; each actor loads the two models
once (``__init__``) and runs the local pipeline on its batch. Articles are resolved on their own
(speakers never leak between articles), so a batch's rows are exactly the rows the local engine
gives those articles; the driver puts them back in input order and merges the actor records.

Without ``--ray-address`` a local Ray instance is started with ``--workers`` CPUs (a test and a
laptop); with it (``ray://host:10001`` or ``auto`` on a cluster node) the actors run on the
cluster, which must have the project installed (the same ``requirements.txt``) and its bundled
models (they ship in the package folder). Nothing is downloaded at run time.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

from .actors import combine
from .pipeline import analyze, normalize_targets, prepare_articles
from .records import Actor, AnalysisResult, Article, FileError


def _normalized(overrides: dict[str, Any] | None) -> dict[str, Any]:
    from .countries import normalize_overrides

    return normalize_overrides(overrides) if overrides else {}


class _Analyzer:
    """A Ray actor: models loaded once, then the local pipeline on each batch of articles."""

    def __init__(self, targets: list[str], sentiment_id: str, stance_id: str | None, batch_size: int,
                 overrides: dict[str, Any] | None) -> None:
        from .models import load_sentiment_model, load_stance_model

        self.targets = targets
        self.batch_size = batch_size
        self.overrides = overrides
        self.sentiment = load_sentiment_model(sentiment_id)
        self.stance = load_stance_model(stance_id) if (targets and stance_id) else None

    def __call__(self, batch: dict[str, Any]) -> dict[str, list[Any]]:
        articles = [Article(**json.loads(a)) for a in batch["article"]]
        result = analyze(articles, self.targets, sentiment_model=self.sentiment, stance_model=self.stance,
                         batch_size=self.batch_size, overrides=self.overrides, keep_duplicates=True)
        rows_by_article: dict[str, list[dict[str, Any]]] = {}
        for r in result.rows:
            rows_by_article.setdefault(r["article_id"], []).append(r)
        return {
            "index": [int(i) for i in batch["index"]],
            "rows": [json.dumps(rows_by_article.get(a.article_id, [])) for a in articles],
            # Every batch reports its actors and errors once, on its first article's line.
            "actors": [json.dumps([a.to_dict() for a in result.actors]) if k == 0 else "[]"
                       for k in range(len(articles))],
            "errors": [json.dumps([e.to_dict() for e in result.errors]) if k == 0 else "[]"
                       for k in range(len(articles))],
            "models": [json.dumps(result.models)] * len(articles),
            "settings": [json.dumps({k: v for k, v in result.settings.items() if k in ("stance_confusion", "attribution_tagger", "runtime")})]
            * len(articles),
        }


def analyze_with_ray(articles: Sequence[Article], targets: Sequence[str], *, sentiment_id: str,
                     stance_id: str | None, address: str | None = None, workers: int = 2,
                     batch_articles: int = 8, batch_size: int = 32, overrides: dict[str, Any] | None = None,
                     keep_duplicates: bool = False) -> AnalysisResult:
    """The analysis of ``articles`` on Ray, with the same rows as the local engine."""
    import ray

    targets = normalize_targets(list(targets))
    articles, duplicates = prepare_articles(articles, keep_duplicates)
    started_here = not ray.is_initialized()
    if started_here:
        if address:
            ray.init(address=address, log_to_driver=False)
        else:
            ray.init(num_cpus=max(1, workers), include_dashboard=False, log_to_driver=False,
                     configure_logging=False)
    try:
        ctx = ray.data.DataContext.get_current()
        ctx.enable_progress_bars = False
        items = [{"index": i, "article": json.dumps(a.to_dict())} for i, a in enumerate(articles)]
        rows: list[dict[str, Any]] = []
        actors: dict[str, Actor] = {}
        errors: list[FileError] = []
        models: dict[str, Any] = {"sentiment": sentiment_id, "stance": stance_id if targets else None}
        settings_extra: dict[str, Any] = {}
        if items:
            ds = ray.data.from_items(items).map_batches(
                _Analyzer, fn_constructor_args=(targets, sentiment_id, stance_id, batch_size, overrides),
                batch_size=batch_articles, concurrency=max(1, workers), num_cpus=1)
            out = sorted(ds.take_all(), key=lambda r: int(r["index"]))
            for r in out:
                rows.extend(json.loads(r["rows"]))
                for a in json.loads(r["actors"]):
                    actor = Actor(**{**a, "aliases": tuple(a.get("aliases") or ())})
                    actors[actor.name] = combine(actors[actor.name], actor) if actor.name in actors else actor
                errors.extend(FileError(**e) for e in json.loads(r["errors"]))
                models = json.loads(r["models"])
                settings_extra = json.loads(r["settings"]) or settings_extra
    finally:
        if started_here:
            ray.shutdown()
    return AnalysisResult(
        articles=list(articles), rows=rows, actors=list(actors.values()), targets=targets, models=models,
        errors=errors,
        settings={"batch_size": batch_size, "overrides": _normalized(overrides), "engine": "ray", "workers": workers,
                  **settings_extra, **({"duplicates": duplicates} if duplicates else {})},
        created=datetime.now(timezone.utc).isoformat(timespec="seconds"))
