"""Duplicate articles: the same wire story in several outlets is analysed and counted once."""

from __future__ import annotations

from analysis.dedup import find_duplicates, jaccard, shingles
from analysis.pipeline import analyze
from analysis.records import Article
from tests.fakes_who import FakeSentiment, FakeStance

WIRE = ("GENEVA (AP) - Russian and Ukrainian negotiators met on Tuesday for a third round of talks. "
        "\"We are closer than ever to a ceasefire,\" Ukrainian Foreign Minister Andrii Sybiha said. "
        "Russian Foreign Minister Sergei Lavrov said Moscow would not accept foreign troops in Ukraine. "
        "The talks are expected to continue on Wednesday, officials said. "
        "European leaders welcomed the meeting but warned that sanctions would stay in place. "
        "The first two rounds, held in Istanbul in May and June, produced prisoner exchanges but no "
        "agreement on a ceasefire line. Ukrainian officials have said any deal must include security "
        "guarantees backed by Western partners, a demand Moscow has repeatedly rejected. "
        "Analysts in Geneva said the mood was better than in June, pointing to the longer schedule "
        "and the presence of military advisers on both delegations. "
        "The United States sent an observer for the first time, the State Department said. ")
OTHER = ("KYIV - Ukraine's parliament passed a budget on Tuesday that raises defence spending. "
         "Finance Minister Serhiy Marchenko said the money would go to drones and air defence. "
         "Opposition lawmakers said the budget ignored pensions. ")


def test_a_wire_story_with_a_new_headline_and_a_dropped_sentence_is_one_story() -> None:
    ap = Article("ap", WIRE, source="AP")
    copy = Article("local", "Talks inch forward\n\n" + WIRE.rsplit(". ", 2)[0] + ".", source="Local Herald")
    same = Article("reuters", WIRE, source="Reuters")
    kept, groups = find_duplicates([ap, Article("other", OTHER), copy, same])
    assert [a.article_id for a in kept] == ["ap", "other"]
    [group] = groups
    assert group.kept == "ap" and [c.source for c in group.copies] == ["Local Herald", "Reuters"]
    assert group.similarity[1] == 1.0 and 0.8 <= group.similarity[0] < 1.0


def test_different_stories_on_the_same_event_stay_apart() -> None:
    rewrite = ("Negotiators from Moscow and Kyiv sat down in Geneva for more talks. Sybiha told reporters a "
               "ceasefire was closer than ever, while Lavrov ruled out foreign troops in Ukraine.")
    kept, groups = find_duplicates([Article("ap", WIRE), Article("bbc", rewrite)])
    assert len(kept) == 2 and groups == []
    assert jaccard(shingles(WIRE), shingles(rewrite)) < 0.2


def test_analyze_counts_a_duplicate_once_and_lists_it() -> None:
    articles = [Article("ap", WIRE, source="AP"), Article("reuters", WIRE, source="Reuters")]
    result = analyze(articles, ["a ceasefire"], sentiment_model=FakeSentiment(), stance_model=FakeStance())
    assert {r["article_id"] for r in result.rows} == {"ap"}
    assert [a.article_id for a in result.articles] == ["ap"]
    assert result.settings["duplicates"] == [
        {"kept": "ap", "copies": [{"article_id": "reuters", "source": "Reuters", "title": None,
                                   "published": None, "url": None, "similarity": 1.0}]}]
    every = analyze(articles, ["a ceasefire"], sentiment_model=FakeSentiment(), stance_model=FakeStance(),
                    keep_duplicates=True)
    assert {r["article_id"] for r in every.rows} == {"ap", "reuters"} and "duplicates" not in every.settings
