"""Aggregates behind every chart: stance by actor / country / target, sentiment, network, trend.

Pure pandas (no streamlit). Input is the list of contract rows (ARCHITECTURE.md, CLI); every
aggregate keeps the ``statement_ids`` it was computed from, so a click on a bar, a country or a
heatmap cell can list its evidence.

Net stance and its interval
---------------------------
Each statement that takes a side on a target (labelled favor or against) contributes its
*expected vote* toward it, ``net = p(favor) - p(against)`` in [-1, 1] (probabilities rather than
argmax labels, so a 51/49 call does not count as a full vote). A group's net stance is the mean
over those statements; statements labelled "none" (about something else, or neutral reporting)
are counted beside it (``n_all``, ``on_target``) but are no votes, so an actor's one clear
position is not averaged away by everything else they said.

The 95% interval is a Wilson score interval computed on ``u = (net + 1) / 2`` in [0, 1] with
``sum(u)`` "successes" out of ``n``, mapped back to [-1, 1]. Why Wilson on fractional outcomes:
any variable bounded in [0, 1] with mean p has variance <= p(1 - p), so Wilson's binomial
variance is a conservative (never too narrow) bound; unlike a t-interval it is defined for
n = 1 (very wide), does not collapse to zero width when two statements agree, and never leaves
[-1, 1]. It is closed-form, so a filter change re-aggregates 1,000 statements in milliseconds
(a bootstrap would not). It does not model clustering (many statements by one speaker in one
article are treated as independent), so read it as "how much the evidence could move", not as
a survey margin.

>>> rows = [...]                                              # doctest: +SKIP
>>> stance_by_actor(stance_frame(rows, ["a ceasefire"]))     # doctest: +SKIP
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd

Z95 = 1.959963984540054
KINDS: tuple[str, ...] = ("direct_quote", "indirect_quote", "narrative")
KIND_NAMES: dict[str, str] = {"direct_quote": "direct quote", "indirect_quote": "indirect speech",
                              "narrative": "narrative"}
UNATTRIBUTED = "(unattributed)"

# No statement text: the charts never read it (evidence fetches its rows), and it is most of
# the bytes of a corpus's frames.
STATEMENT_COLUMNS: tuple[str, ...] = (
    "statement_id", "article_id", "article_title", "published", "source", "start", "end",
    "kind", "speaker", "speaker_type", "speaker_country", "sentiment", "sent_negative",
    "sent_neutral", "sent_positive", "sent_net", "sent_conf",
)
STANCE_COLUMNS: tuple[str, ...] = STATEMENT_COLUMNS + (
    "target", "stance", "p_favor", "p_against", "p_none", "net", "stance_conf",
)
AGG_COLUMNS: tuple[str, ...] = ("n", "net", "lo", "hi", "favor", "against", "none", "statement_ids")


def wilson_net_interval(u_sum: float, n: int, z: float = Z95) -> tuple[float, float]:
    """95% interval for a mean net stance in [-1, 1] from ``sum((net + 1) / 2)`` over ``n``.

    >>> lo, hi = wilson_net_interval(1.0, 1)    # one statement, fully in favour
    >>> round(lo, 2), hi
    (-0.59, 1.0)
    """
    if n <= 0:
        return (math.nan, math.nan)
    p = min(max(u_sum / n, 0.0), 1.0)
    z2 = z * z
    denom = 1.0 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denom
    return (max(-1.0, 2 * (centre - half) - 1), min(1.0, 2 * (centre + half) - 1))


def _sent_scores(row: dict[str, Any]) -> tuple[str | None, float, float, float]:
    sent = row.get("sentiment") or {}
    scores = sent.get("scores") or {}
    neg, neu, pos = (float(scores.get(k, 0.0) or 0.0) for k in ("negative", "neutral", "positive"))
    return sent.get("label"), neg, neu, pos


def statements_frame(rows: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """One row per statement with flat columns (see :data:`STATEMENT_COLUMNS`)."""
    records = []
    for r in rows:
        label, neg, neu, pos = _sent_scores(r)
        records.append({
            "statement_id": str(r.get("statement_id")), "article_id": r.get("article_id"),
            "article_title": r.get("article_title"), "published": r.get("published"),
            "source": r.get("source"), "start": r.get("start"), "end": r.get("end"),
            "kind": r.get("kind"), "speaker": r.get("speaker"),
            "speaker_type": r.get("speaker_type"), "speaker_country": r.get("speaker_country"),
            "sentiment": label, "sent_negative": neg, "sent_neutral": neu, "sent_positive": pos,
            "sent_net": pos - neg, "sent_conf": max(neg, neu, pos),
        })
    return _plain_strings(pd.DataFrame.from_records(records, columns=list(STATEMENT_COLUMNS)))


def _plain_strings(df: pd.DataFrame) -> pd.DataFrame:
    """Text columns as plain Python objects: pandas 3 infers Arrow-backed strings, whose
    factorisation makes the many small groupbys here ~40% slower (measured on 1,000 statements)."""
    text = [c for c in df.columns if pd.api.types.is_string_dtype(df[c]) and df[c].dtype != object]
    return df.astype({c: object for c in text}) if text else df


SCORE_COLUMNS: tuple[str, ...] = ("_i", "target", "stance", "p_favor", "p_against", "p_none", "net",
                                  "stance_conf")


def stance_scores_frame(rows: Sequence[dict[str, Any]], targets: Sequence[str] | None = None,
                        offset: int = 0) -> pd.DataFrame:
    """The stance half of :func:`stance_frame`: one row per (statement, target) with ``_i``, the
    statement's position (``offset`` + its index in ``rows``), and the stance columns only. The
    store keeps this beside the statements frame so a corpus opens without decoding its rows."""
    if targets is None:
        seen: dict[str, None] = {}
        for r in rows:
            for t in (r.get("stance") or {}):
                seen.setdefault(t, None)
        targets = list(seen)
    records = []
    for i, r in enumerate(rows):
        stance = r.get("stance") or {}
        for t in targets:
            s = stance.get(t)
            if not s:
                continue
            sc = s.get("scores") or {}
            if s.get("corrected"):  # a user's correction is certain; the model's scores are kept aside
                sc = {k: float(k == s.get("label")) for k in ("favor", "against", "none")}
            fav, ag, no = (float(sc.get(k, 0.0) or 0.0) for k in ("favor", "against", "none"))
            records.append({"_i": offset + i, "target": t, "stance": s.get("label"), "p_favor": fav,
                            "p_against": ag, "p_none": no, "net": fav - ag,
                            "stance_conf": max(fav, ag, no)})
    return pd.DataFrame.from_records(records, columns=list(SCORE_COLUMNS))


def join_stance(statements: pd.DataFrame, scores: pd.DataFrame,
                targets: Sequence[str] | None = None) -> pd.DataFrame:
    """:func:`stance_frame` from its two halves: the statements frame (row i = position i) and
    :func:`stance_scores_frame`, ordered by target as ``targets`` lists them (all when None)."""
    if targets is not None:
        order = {t: k for k, t in enumerate(targets)}
        scores = scores[scores["target"].isin(list(targets))]
        scores = (scores.assign(_o=scores["target"].map(order)).sort_values(["_i", "_o"], kind="stable")
                  .drop(columns="_o"))
    base = statements.iloc[scores["_i"].to_numpy()] if len(scores) else statements.iloc[0:0]
    out = pd.concat([base.reset_index(drop=True), scores.drop(columns="_i").reset_index(drop=True)], axis=1)
    return _plain_strings(out[list(STANCE_COLUMNS)])


def stance_frame(rows: Sequence[dict[str, Any]], targets: Sequence[str] | None = None) -> pd.DataFrame:
    """One row per (statement, target) with stance probabilities and ``net`` = favor - against.

    ``targets`` defaults to every target found in the rows. A statement without a score for a
    target (e.g. an older analysis) is left out for that target.
    """
    return join_stance(statements_frame(rows), stance_scores_frame(rows, targets))


def filter_frame(
    df: pd.DataFrame,
    *,
    targets: Iterable[str] | None = None,
    articles: Iterable[str] | None = None,
    speaker_types: Iterable[str] | None = None,
    kinds: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Rows matching every given filter (None or empty = no filter on that column).

    ``speaker_types`` may include ``"unattributed"`` for statements without a speaker.
    """
    mask = pd.Series(True, index=df.index)
    if targets and "target" in df:
        mask &= df["target"].isin(list(targets))
    if articles:
        mask &= df["article_id"].isin(list(articles))
    if kinds:
        mask &= df["kind"].isin(list(kinds))
    if speaker_types:
        types = list(speaker_types)
        m = df["speaker_type"].isin(types)
        if "unattributed" in types:
            m |= df["speaker"].isna()
        mask &= m
    return df[mask]


def _group_stance(df: pd.DataFrame, keys: list[str], min_n: int) -> pd.DataFrame:
    """Net stance per group over the statements that take a side on the target.

    An actor quoted eight times, once on the target, holds the position of that one statement,
    not an eighth of it: statements labelled "none" toward a target (about something else, or
    neutral reporting) are not votes. ``n`` counts the side-taking statements (what the net
    stance, its interval and ``statement_ids`` come from); ``n_all`` counts every statement of
    the group scored for the target, and ``on_target`` = n / n_all says how much of what the
    group said was about the target. ``favor`` / ``against`` / ``none`` count labels over all.
    Groups where nothing takes a side have no stance and are left out (no data, not "0").
    """
    cols = keys + list(AGG_COLUMNS) + ["n_all", "on_target"]
    if df.empty:
        return pd.DataFrame(columns=cols)
    # Only the columns used: every copy below would otherwise take all 25 (a third of the time
    # on 600,000 rows).
    df = df[list(dict.fromkeys([*keys, "net", "stance", "statement_id"]))]
    stance = df["stance"]
    work = df.assign(_u=(df["net"] + 1.0) / 2.0,
                     _f=(stance == "favor").astype(int),
                     _a=(stance == "against").astype(int),
                     _o=(stance == "none").astype(int))
    counts = work.groupby(keys, sort=False, dropna=True).agg(
        n_all=("net", "size"), favor=("_f", "sum"), against=("_a", "sum"), none=("_o", "sum")).reset_index()
    sided = work[(work["_f"] + work["_a"]) > 0]
    if sided.empty:
        return pd.DataFrame(columns=cols)
    out = sided.groupby(keys, sort=False, dropna=True).agg(
        n=("net", "size"), net=("net", "mean"), _usum=("_u", "sum"),
        statement_ids=("statement_id", list)).reset_index()
    out = out.merge(counts, on=keys, how="left")
    ci = [wilson_net_interval(u, int(n)) for u, n in zip(out["_usum"], out["n"], strict=True)]
    out["lo"] = [c[0] for c in ci]
    out["hi"] = [c[1] for c in ci]
    out["on_target"] = out["n"] / out["n_all"]
    out = out[out["n"] >= max(1, min_n)]
    return out[cols].sort_values(keys[:-1] + ["net"] if len(keys) > 1 else ["net"],
                                 ascending=True).reset_index(drop=True)


OTHERS_PREFIX = "Others"


def fold_small(agg: pd.DataFrame, key: str, min_n: int) -> pd.DataFrame:
    """Groups with fewer than ``min_n`` side-taking statements folded, per target, into one
    "Others (k)" row: their evidence still counts and can be opened, but no bar is drawn from
    one or two statements. The folded net stance is the mean over all their statements, with
    its own interval; ``statement_ids`` lists them all."""
    if agg.empty or min_n <= 1:
        return agg.reset_index(drop=True)
    big = agg[agg["n"] >= min_n]
    small = agg[agg["n"] < min_n]
    rows = []
    for target, part in small.groupby("target", sort=False):
        n = int(part["n"].sum())
        u_sum = float(((part["net"] + 1) / 2 * part["n"]).sum())
        lo, hi = wilson_net_interval(u_sum, n)
        row = {c: None for c in agg.columns}
        row.update({"target": target, key: f"{OTHERS_PREFIX} ({len(part)})", "n": n,
                    "net": float((part["net"] * part["n"]).sum() / n), "lo": lo, "hi": hi,
                    "favor": int(part["favor"].sum()), "against": int(part["against"].sum()),
                    "none": int(part["none"].sum()),
                    "statement_ids": [i for ids in part["statement_ids"] for i in ids]})
        if "n_all" in agg:
            row["n_all"] = int(part["n_all"].sum())
            row["on_target"] = n / row["n_all"] if row["n_all"] else None
        if key == "speaker_country" and "country_name" in agg:
            row["country_name"] = row[key]
        rows.append(row)
    # An "Others" bar is a bar too: drawn only when it reaches the minimum itself.
    rows = [r for r in rows if r["n"] >= min_n]
    out = pd.concat([big, pd.DataFrame(rows, columns=agg.columns)], ignore_index=True) if rows else big
    return out.reset_index(drop=True)


def stance_by_actor(df: pd.DataFrame, min_n: int = 1) -> pd.DataFrame:
    """Per (speaker, target): n, mean net stance, 95% interval, label counts, statement_ids.

    Statements without a speaker (the reporter's narrative) are not an actor's stance and are
    left out. Sorted by target, then net stance (most against first).
    """
    d = df[df["speaker"].notna()]
    out = _group_stance(d, ["target", "speaker"], min_n)
    if out.empty:
        return out.assign(speaker_country=pd.Series(dtype=object), speaker_type=pd.Series(dtype=object))
    meta = d.drop_duplicates("speaker").set_index("speaker")[["speaker_country", "speaker_type"]]
    return out.join(meta, on="speaker")


def stance_by_country(df: pd.DataFrame, min_n: int = 1) -> pd.DataFrame:
    """Per (speaker country ISO-3, target): n, net stance, interval, statement_ids, country name."""
    d = df[df["speaker_country"].notna() & (df["speaker_country"] != "")]
    out = _group_stance(d, ["target", "speaker_country"], min_n)
    out["country_name"] = [country_name(c) for c in out["speaker_country"]]
    return out


def stance_by_target(df: pd.DataFrame, min_n: int = 1) -> pd.DataFrame:
    """Per target over every attributed statement."""
    return _group_stance(df[df["speaker"].notna()].assign(_all="all"), ["_all", "target"], min_n).drop(columns="_all")


def actor_target_matrix(df: pd.DataFrame, min_n: int = 1) -> pd.DataFrame:
    """Long (speaker, target) table for the heatmap; same columns as :func:`stance_by_actor`."""
    return stance_by_actor(df, min_n=min_n)


def sentiment_by_actor(stmts: pd.DataFrame, min_n: int = 1) -> pd.DataFrame:
    """Per speaker: n, label counts and shares, mean net sentiment (pos - neg) with interval."""
    d = stmts[stmts["speaker"].notna()]
    cols = ["speaker", "n", "negative", "neutral", "positive", "net", "lo", "hi", "statement_ids"]
    if d.empty:
        return pd.DataFrame(columns=cols)
    work = d.assign(_u=(d["sent_net"] + 1) / 2,
                    **{f"_{k}": (d["sentiment"] == k).astype(int) for k in ("negative", "neutral", "positive")})
    out = work.groupby("speaker", sort=False).agg(
        n=("sent_net", "size"), net=("sent_net", "mean"), _usum=("_u", "sum"),
        negative=("_negative", "sum"), neutral=("_neutral", "sum"), positive=("_positive", "sum"),
        statement_ids=("statement_id", list)).reset_index()
    ci = [wilson_net_interval(u, int(n)) for u, n in zip(out["_usum"], out["n"], strict=True)]
    out["lo"], out["hi"] = [c[0] for c in ci], [c[1] for c in ci]
    out = out[out["n"] >= max(1, min_n)]
    return out[cols].sort_values("net").reset_index(drop=True)


EDGE_COLUMNS: tuple[str, ...] = ("source", "target", "net", "statement_id")


def mention_edges(rows: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """One row per (statement, actor it mentions other than its speaker): the speaker as
    ``source``, the mentioned actor as ``target``, the mention's net sentiment."""
    records = []
    for r in rows:
        speaker = r.get("speaker")
        if not speaker:
            continue
        sid = str(r.get("statement_id"))
        for m in r.get("mentions") or []:
            actor = m.get("actor")
            if not actor or actor == speaker:
                continue
            sc = (m.get("sentiment") or {}).get("scores") or {}
            net = float(sc.get("positive", 0.0) or 0.0) - float(sc.get("negative", 0.0) or 0.0)
            records.append({"source": speaker, "target": actor, "net": net, "statement_id": sid})
    return _plain_strings(pd.DataFrame.from_records(records, columns=list(EDGE_COLUMNS)))


def network_from_edges(edges: pd.DataFrame, keep: set[str] | None = None, min_n: int = 1) -> pd.DataFrame:
    """Edges speaker -> mentioned actor: n, mean net sentiment of the mentions, statement_ids
    (from :func:`mention_edges`; ``keep`` restricts to these statement ids)."""
    cols = ["source", "target", "n", "net", "label", "statement_ids"]
    d = edges if keep is None else edges[edges["statement_id"].isin(keep)]
    if d.empty:
        return pd.DataFrame(columns=cols)
    out = d.groupby(["source", "target"], sort=False).agg(
        n=("net", "size"), net=("net", "mean"),
        statement_ids=("statement_id", lambda s: list(dict.fromkeys(s)))).reset_index()
    # Same thresholds the sentiment model's argmax would roughly give on a 3-way split.
    out["label"] = ["positive" if v > 0.2 else "negative" if v < -0.2 else "neutral" for v in out["net"]]
    out = out[out["n"] >= max(1, min_n)]
    return out[cols].reset_index(drop=True)


def mention_network(rows: Sequence[dict[str, Any]], keep: set[str] | None = None, min_n: int = 1) -> pd.DataFrame:
    """Edges speaker -> mentioned actor: n, mean net sentiment of the mentions, statement_ids.

    ``keep`` restricts to these statement ids (the current filters). Self-mentions are dropped.
    """
    return network_from_edges(mention_edges(rows), keep, min_n)


def stance_trend(df: pd.DataFrame, min_n: int = 1) -> pd.DataFrame:
    """Per (target, published date): n, net stance, interval, statement_ids (dated rows only)."""
    d = df[df["published"].notna() & (df["published"] != "")]
    # to_datetime parses each distinct day once (its cache), however many rows share it.
    d = d.assign(date=pd.to_datetime(d["published"].astype(str).str[:10], errors="coerce", cache=True))
    d = d[d["date"].notna()]
    out = _group_stance(d, ["target", "date"], min_n)
    return out.sort_values(["target", "date"]).reset_index(drop=True)


def stance_by_outlet(df: pd.DataFrame, min_n: int = 1) -> pd.DataFrame:
    """Per (target, source outlet): every statement of the outlet's articles, narrative included."""
    d = df[df["source"].notna() & (df["source"] != "")]
    return _group_stance(d, ["target", "source"], min_n)


def opening_target(long: pd.DataFrame, targets: Sequence[str]) -> str | None:
    """The target a dashboard opens on when the link names none: the first target, unless no
    statement takes a side on it and a later one has some (a first run's proposed targets often
    start with a name nobody in the article argues about, which would open on empty charts).
    ``long``: the analysis's :func:`stance_frame`."""
    sided = set(long.loc[long["stance"].isin(("favor", "against")), "target"])
    return next((t for t in targets if t in sided), targets[0] if targets else None)


def headline(stmts: pd.DataFrame, n_articles: int) -> dict[str, int]:
    """Headline figures of a statements frame (:func:`statements_frame`, filtered or not):
    articles, statements, distinct speakers, distinct speaker countries. ``n_articles`` counts
    the articles in view, with or without statements."""
    return {
        "articles": n_articles,
        "statements": len(stmts),
        "speakers": int(stmts["speaker"].dropna().nunique()) if len(stmts) else 0,
        "countries": int(stmts["speaker_country"].dropna().nunique()) if len(stmts) else 0,
    }


def country_name(iso3: str | None) -> str:
    """English short name of an ISO 3166-1 alpha-3 code (the code itself when unknown)."""
    if not iso3:
        return ""
    import pycountry

    hit = pycountry.countries.get(alpha_3=str(iso3).upper())
    return str(getattr(hit, "common_name", None) or hit.name) if hit else str(iso3)


# ---------------------------------------------------------------------------------------------
# Label shares corrected for the classifier's known errors
#
# A classifier that says "none" too often hides real positions, and one that confuses favor and
# against blurs them. With its confusion matrix on labelled dev data, M[t][p] = P(predicted p |
# true t), the observed shares q satisfy q = M^T s for the true shares s, so s is recovered by
# solving that system and projecting onto the simplex (the multi-class form of the Rogan-Gladen
# estimator used for misclassified survey answers). Intervals come from a parametric bootstrap
# of the observed counts; the dev set's own sampling error is not included, so they are a lower
# bound on the real uncertainty.

def _project_simplex(v: Any) -> Any:
    import numpy as np

    u = np.sort(v)[::-1]
    css = np.cumsum(u)
    k = np.nonzero(u * np.arange(1, len(v) + 1) > (css - 1))[0][-1]
    return np.maximum(v - (css[k] - 1) / (k + 1.0), 0.0)


def corrected_shares(counts: Sequence[int], confusion: dict[str, Any], labels: Sequence[str],
                     draws: int = 400, seed: int = 0) -> dict[str, tuple[float, float, float]]:
    """{label: (corrected share, 2.5%, 97.5%)} from observed label ``counts`` (in ``labels``
    order) and a confusion matrix {"labels": [...], "counts": [[true x predicted]]}."""
    import numpy as np

    order = [confusion["labels"].index(lab) for lab in labels]
    m = np.asarray(confusion["counts"], dtype=float)[np.ix_(order, order)]
    m = m / np.maximum(m.sum(axis=1, keepdims=True), 1.0)
    inv = np.linalg.pinv(m.T)
    c = np.asarray(counts, dtype=float)
    n = c.sum()
    if n <= 0:
        return {lab: (float("nan"),) * 3 for lab in labels}
    point = _project_simplex(inv @ (c / n))
    rng = np.random.default_rng(seed)
    boot = np.array([_project_simplex(inv @ (rng.multinomial(int(n), c / n) / n)) for _ in range(draws)])
    lo, hi = np.percentile(boot, [2.5, 97.5], axis=0)
    return {lab: (float(point[i]), float(lo[i]), float(hi[i])) for i, lab in enumerate(labels)}


def target_shares(long: pd.DataFrame, targets: Sequence[str], confusion: dict[str, Any] | None,
                  labels: Sequence[str] = ("favor", "against", "none")) -> pd.DataFrame:
    """Per target: observed shares of each label among attributed statements and, with a
    confusion matrix, the shares corrected for the model's known errors (with intervals)."""
    rows = []
    for t in targets:
        d = long[(long["target"] == t) & long["speaker"].notna()]
        counts = [int((d["stance"] == lab).sum()) for lab in labels]
        n = sum(counts)
        if n == 0:
            continue
        corr = corrected_shares(counts, confusion, labels) if confusion else {}
        for lab, k in zip(labels, counts, strict=True):
            row = {"target": t, "label": lab, "statements": k, "observed": k / n}
            if corr:
                row.update({"corrected": corr[lab][0], "lo": corr[lab][1], "hi": corr[lab][2]})
            rows.append(row)
    return pd.DataFrame(rows)
