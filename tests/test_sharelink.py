"""Share links: view state <-> query parameters, validation of untrusted values."""

from __future__ import annotations

import pytest

from analysis.sharelink import ViewState, parse_view, share_url, view_to_params

TARGETS = ["a ceasefire, now", "sanctions on Russia"]
IDS = ["a0-talks", "a0-rome"]
AID = "Q" * 22


def test_round_trip_with_commas_and_lists():
    v = ViewState(page="dashboard", analysis=AID, target="a ceasefire, now", articles=("a0-rome",),
                  speaker_types=("person", "unattributed"), kinds=("direct_quote", "narrative"), min_n=3,
                  section="matrix", focus="cell:Donald Trump|a ceasefire, now")
    assert parse_view(view_to_params(v), targets=TARGETS, article_ids=IDS) == v


@pytest.mark.parametrize(
    ("params", "field", "expected"),
    [({"page": "admin"}, "page", "dashboard"),
     ({"target": "<script>"}, "target", "a ceasefire, now"),     # unknown target -> first target
     ({"article": ["a0-rome", "../etc"]}, "articles", ("a0-rome",)),
     ({"kind": ["direct_quote", "evil"]}, "kinds", ("direct_quote",)),
     ({"type": ["robot", "person"]}, "speaker_types", ("person",)),
     ({"focus": "actor:Donald Trump"}, "focus", "actor:Donald Trump"),
     ({"section": "time"}, "section", "time"), ({"section": "admin"}, "section", "stance"),
     ({"focus": "admin:x"}, "focus", None), ({"focus": "actor:"}, "focus", None), ({"focus": "x" * 900}, "focus", None),
     ({"min": "-5"}, "min_n", 1), ({"min": "99999"}, "min_n", 1000), ({"min": "abc"}, "min_n", 2)],
)
def test_untrusted_values_are_dropped_or_clamped(params, field, expected):
    assert getattr(parse_view(params, targets=TARGETS, article_ids=IDS), field) == expected


def test_edit_token_never_in_link():
    link = share_url("http://127.0.0.1:8501/analyze?edit_token=secret", ViewState(analysis=AID))
    assert "secret" not in link and link.startswith("http://127.0.0.1:8501/dashboard?analysis=" + AID)


def test_defaults_stay_out_of_the_link():
    assert view_to_params(ViewState(analysis=AID)) == {"analysis": AID, "page": "dashboard"}
