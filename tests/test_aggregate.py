"""Aggregates: counts, net stance, Wilson intervals, filters, evidence ids (tables of cases)."""

from __future__ import annotations

import math

import pytest

from analysis import aggregate as ag

T0, T1 = "a ceasefire in Ukraine", "sanctions on Russia"


@pytest.mark.parametrize(
    ("u_sum", "n", "lo", "hi"),
    [
        (1.0, 1, -0.588, 1.0),          # one statement fully in favour: wide, capped at +1
        (0.0, 1, -1.0, 0.588),          # one fully against: mirror image
        (0.5, 1, -0.891, 0.891),        # one neutral statement says little
        (10.0, 10, 0.445, 1.0),         # ten in favour: clearly positive
        (50.0, 100, -0.194, 0.194),     # 100 balanced statements: narrow around 0
    ],
)
def test_wilson_net_interval(u_sum, n, lo, hi):
    got = ag.wilson_net_interval(u_sum, n)
    assert got[0] == pytest.approx(lo, abs=0.002) and got[1] == pytest.approx(hi, abs=0.002)


def test_wilson_interval_empty_group():
    assert all(math.isnan(x) for x in ag.wilson_net_interval(0.0, 0))


def test_stance_frame_is_one_row_per_statement_and_target(result):
    df = ag.stance_frame(result.rows, result.targets)
    assert len(df) == len(result.rows) * 2
    row = df[(df["statement_id"] == "a0-talks:1") & (df["target"] == T0)].iloc[0]
    assert row["stance"] == "favor" and row["net"] == pytest.approx(0.8 - 0.1)


def test_stance_by_actor_counts_and_evidence(result):
    df = ag.stance_frame(result.rows, result.targets)
    by_actor = ag.stance_by_actor(df[df["target"] == T0])
    trump = by_actor[by_actor["speaker"] == "Donald Trump"].iloc[0]
    # Three statements, one on the ceasefire: his stance is that one statement's, not a third
    # of it; the other two are counted beside it (n_all, on_target), not averaged in as zeros.
    assert trump["n"] == 1 and trump["n_all"] == 3 and trump["on_target"] == pytest.approx(1 / 3)
    assert trump["favor"] == 1 and trump["none"] == 2
    assert trump["net"] == pytest.approx(0.7)
    assert trump["lo"] < trump["net"] <= trump["hi"]
    assert list(trump["statement_ids"]) == ["a0-talks:0"]  # the evidence is what the number is made of
    assert trump["speaker_country"] == "USA"
    # sorted most-against first; the narrative row without speaker is not an actor
    assert list(by_actor["speaker"])[0] == "Kremlin"
    assert by_actor["speaker"].notna().all()


def test_min_statements_drops_small_groups(result):
    df = ag.stance_frame(result.rows, result.targets)
    # Tajani takes a side twice; everyone else once on this target.
    assert set(ag.stance_by_actor(df[df["target"] == T0], min_n=2)["speaker"]) == {"Antonio Tajani"}
    assert ag.stance_by_actor(df[df["target"] == T0], min_n=3).empty


def test_stance_by_country_names_and_iso3(result):
    df = ag.stance_frame(result.rows, result.targets)
    c = ag.stance_by_country(df[df["target"] == T1]).set_index("speaker_country")
    # Italy and Russia said nothing for or against sanctions: no data, not a balanced 0.
    assert set(c.index) == {"USA", "UKR"}
    assert c.loc["UKR", "net"] == pytest.approx(0.7) and c.loc["UKR", "country_name"] == "Ukraine"
    assert c.loc["USA", "n"] == 1 and c.loc["USA", "n_all"] == 3 and c.loc["USA", "net"] == pytest.approx(-0.7)


@pytest.mark.parametrize(
    ("filters", "expected_ids"),
    [
        ({"kinds": ["direct_quote"]}, {"a0-talks:0", "a0-rome:1"}),
        ({"articles": ["a0-rome"]}, {"a0-rome:0", "a0-rome:1", "a0-rome:2", "a0-rome:3"}),
        ({"speaker_types": ["organization"]}, {"a0-talks:3"}),
        ({"speaker_types": ["unattributed"]}, {"a0-rome:3"}),
        ({"kinds": ["narrative"], "articles": ["a0-talks"]}, set()),
    ],
)
def test_filters(result, filters, expected_ids):
    stmts = ag.statements_frame(result.rows)
    assert set(ag.filter_frame(stmts, **filters)["statement_id"]) == expected_ids


def test_sentiment_by_actor(result):
    s = ag.sentiment_by_actor(ag.statements_frame(result.rows)).set_index("speaker")
    assert (s.loc["Donald Trump", ["negative", "neutral", "positive"]].tolist()) == [1, 1, 1]
    assert s.loc["Antonio Tajani", "net"] > 0 > s.loc["Kremlin", "net"]


def test_mention_network_edges_and_filter(result):
    net = ag.mention_network(result.rows)
    edges = {(r.source, r.target): r for r in net.itertuples()}
    assert edges[("Donald Trump", "Vladimir Putin")].n == 2
    assert edges[("Donald Trump", "Volodymyr Zelensky")].label == "negative"
    assert ag.mention_network(result.rows, keep={"a0-talks:0"})["n"].tolist() == [1]


def test_trend_and_outlets(result):
    df = ag.stance_frame(result.rows, result.targets)
    tr = ag.stance_trend(df)
    assert [d.strftime("%Y-%m-%d") for d in tr[tr["target"] == T0]["date"]] == ["2025-08-26", "2025-08-27"]
    out = ag.stance_by_outlet(df)
    assert set(out["source"]) == {"Reuters", "ANSA"} and out["n"].sum() == 8 and out["n_all"].sum() == 18


def test_opening_target_skips_a_target_nobody_takes_a_side_on(result):
    assert ag.opening_target(ag.stance_frame(result.rows), result.targets) == "a ceasefire in Ukraine"   # the first, when it has sides
    quiet = ag.stance_frame([{**r, "stance": {**r["stance"], "Donald Trump": {"label": "none", "scores": {}}}}
                             for r in result.rows])
    assert ag.opening_target(quiet, ["Donald Trump", *result.targets]) == "a ceasefire in Ukraine"
    assert ag.opening_target(quiet, ["Donald Trump"]) == "Donald Trump"   # nothing better: the first
    assert ag.opening_target(quiet, []) is None


def test_headline(result):
    stmts = ag.statements_frame(result.rows)
    assert ag.headline(stmts, len(result.articles)) == {
        "articles": 2, "statements": 9, "speakers": 4, "countries": 4}
    quotes = ag.filter_frame(stmts, kinds=["direct_quote"])
    assert ag.headline(quotes, 2) == {"articles": 2, "statements": len(quotes),
                                      "speakers": quotes["speaker"].nunique(),
                                      "countries": quotes["speaker_country"].nunique()}
    assert 0 < len(quotes) < 9 and ag.headline(stmts.iloc[0:0], 0)["speakers"] == 0


def test_empty_input_gives_empty_aggregates():
    df = ag.stance_frame([], [T0])
    assert df.empty and ag.stance_by_actor(df).empty and ag.stance_by_country(df).empty
    assert ag.mention_network([]).empty and ag.sentiment_by_actor(ag.statements_frame([])).empty


def test_small_groups_fold_into_one_others_bar_that_keeps_their_evidence(result):
    df = ag.stance_frame(result.rows, result.targets)
    by_actor = ag.stance_by_actor(df[df["target"] == T0])
    folded = ag.fold_small(by_actor, "speaker", 2).set_index("speaker")
    # Tajani took a side twice; Trump, Kremlin and Zelensky once each -> "Others (3)".
    assert list(folded.index) == ["Antonio Tajani", "Others (3)"]
    others = folded.loc["Others (3)"]
    assert others["n"] == 3 and sorted(others["statement_ids"]) == ["a0-rome:1", "a0-talks:0", "a0-talks:3"]
    small = by_actor[by_actor["n"] < 2]
    assert others["net"] == pytest.approx((small["net"] * small["n"]).sum() / 3)
    assert others["lo"] < others["net"] < others["hi"]
    assert ag.fold_small(by_actor, "speaker", 1).equals(by_actor)


def test_label_shares_are_corrected_for_the_models_known_errors():
    import numpy as np

    confusion = {"labels": ["favor", "against", "none"], "counts": [[60, 10, 30], [10, 60, 30], [5, 5, 90]]}
    rates = np.array(confusion["counts"], float)
    rates /= rates.sum(axis=1, keepdims=True)
    observed = rates.T @ np.array([0.3, 0.3, 0.4])  # what such a model shows for 30/30/40
    corrected = ag.corrected_shares([round(x * 2000) for x in observed], confusion, ["favor", "against", "none"])
    assert corrected["favor"][0] == pytest.approx(0.3, abs=0.01) and corrected["none"][0] == pytest.approx(0.4, abs=0.01)
    assert corrected["favor"][1] < 0.3 < corrected["favor"][2]
    # A perfect model changes nothing.
    exact = ag.corrected_shares([3, 1, 6], {"labels": ["favor", "against", "none"],
                                            "counts": [[9, 0, 0], [0, 9, 0], [0, 0, 9]]}, ["favor", "against", "none"])
    assert exact["favor"][0] == pytest.approx(0.3) and exact["none"][0] == pytest.approx(0.6)


def test_target_shares_over_attributed_statements(result):
    df = ag.stance_frame(result.rows, result.targets)
    shares = ag.target_shares(df, [T0], None).set_index("label")
    # Eight attributed statements toward the ceasefire: 3 favor, 2 against, 3 none.
    assert list(shares["statements"]) == [3, 2, 3] and shares.loc["favor", "observed"] == pytest.approx(3 / 8)
    assert "corrected" not in shares
