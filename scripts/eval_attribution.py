#!/usr/bin/env python
"""Attribution P/R/F1 of the who-said-what rules on PolNeAR (no sentiment/stance model needed).

    python scripts/eval_attribution.py --data ../shared/data/polnear/polnear_dev.jsonl

Rule (issue 3, point 7): a gold attribution with a source and a content is *found* when one
predicted quote (a direct or indirect statement with a speaker) covers >= 50% of its content
characters and the predicted speaker agrees with the gold source: their spans overlap, or the
predicted speaker's canonical name shares a name word with the gold source text.
Recall = found gold / gold; precision = predicted quotes that find some gold / predicted quotes.
(Matching is not one-to-one: one sentence that holds two nested attributions, "Trump said Putin
had agreed …", can find both when the speaker agrees with each.)
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis.labels import ActorType  # noqa: E402
from analysis.quotes import blank_format_chars, extract_statements  # noqa: E402
from analysis.records import Article  # noqa: E402

_STOP = {"the", "a", "an", "of", "and", "mr", "mrs", "ms", "dr", "he", "she", "they", "it", "who",
         "his", "her", "their", "said", "says", "president", "sen", "gov", "rep"}


def _is_name(name: str) -> bool:
    """A proper name ("Charles Clarke", "Labour Party"), not a description ("former minister")."""
    words = name.split()
    return bool(words) and words[0][:1].isupper() and words[0].lower() not in {"the", "a", "an"}


def _name_words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z]+", text.lower()) if w not in _STOP and len(w) > 1}


def evaluate(path: str, limit: int | None = None, verbose: bool = False, tagger: object | None = None) -> dict[str, float]:
    """P/R/F1 over the articles of a PolNeAR JSONL file (rules, plus the attribution tagger
    where one is given)."""
    n_gold = n_found = n_pred = n_pred_ok = 0
    # Speaker accuracy on found quotes: of the gold attributions some prediction covers, how many
    # a prediction with the right speaker covers (the external quote set's second figure).
    n_covered = n_covered_right = 0
    # Actor quality (issue 9): statements whose speaker is a person, and how many carry a
    # country (and on what evidence); speakers that are neither a name nor typed as a group.
    n_person = n_person_country = n_spoken = n_not_name = 0
    evidence: dict[str, int] = {}
    n_articles = 0
    t0 = time.perf_counter()
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if limit is not None and n_articles >= limit:
                break
            doc = json.loads(line)
            n_articles += 1
            article = Article(article_id=doc.get("filename", f"a{n_articles}"), text=doc["text"])
            tagged = tagger.tag(blank_format_chars(doc["text"])) if tagger is not None else None
            statements, _mentions, actors = extract_statements(article, tagged=tagged)
            for st in statements:
                actor = actors.get(st.speaker) if st.speaker else None
                if actor is None:
                    continue
                n_spoken += 1
                if not _is_name(actor.name) and actor.type != ActorType.GROUP.value:
                    n_not_name += 1
                    if verbose:
                        print("NOT-NAME", actor.name, actor.type, file=sys.stderr)
                if actor.type == ActorType.PERSON.value:
                    n_person += 1
                    if actor.country:
                        n_person_country += 1
                        evidence[actor.country_evidence or "?"] = evidence.get(actor.country_evidence or "?", 0) + 1
            preds = [s for s in statements if s.kind != "narrative" and (s.speaker or s.speaker_mention)]
            golds = [g for g in doc["attributions"] if g["source"] and g["content"]]
            n_pred += len(preds)
            n_gold += len(golds)
            pred_ok = [False] * len(preds)
            for g in golds:
                content = set()
                for c in g["content"]:
                    content.update(range(c["start"], c["end"]))
                src_words = _name_words(" ".join(s["text"] for s in g["source"]))
                found = covered_by_some = False
                wrong: list[str] = []
                for i, p in enumerate(preds):
                    covered = sum(1 for ch in content if p.start <= ch < p.end)
                    if covered < 0.5 * len(content):
                        continue
                    covered_by_some = True
                    agree = False
                    if p.speaker_mention is not None:
                        agree = any(p.speaker_mention.start < s["end"] and s["start"] < p.speaker_mention.end
                                    for s in g["source"])
                    if not agree and p.speaker:
                        agree = bool(_name_words(p.speaker) & src_words)
                    if agree:
                        found = True
                        pred_ok[i] = True
                    else:
                        wrong.append(f"{p.speaker or '?'} <{p.speaker_mention.text if p.speaker_mention else ''}"
                                     f"/{p.cue.text if p.cue else ''}>")
                n_found += found
                n_covered += covered_by_some
                n_covered_right += covered_by_some and found
                if verbose and covered_by_some and not found:
                    print("WRONG-SPEAKER", wrong, "gold:", [s["text"] for s in g["source"]], "|",
                          " ".join(c["text"] for c in g["content"])[:100], file=sys.stderr)
                if verbose and not covered_by_some:
                    print("MISS", [s["text"] for s in g["source"]], [c["text"] for c in g["cue"]],
                          "|", " ".join(c["text"] for c in g["content"])[:100], file=sys.stderr)
            n_pred_ok += sum(pred_ok)
            if verbose:
                for ok, p in zip(pred_ok, preds, strict=True):
                    if not ok:
                        print("FP", p.kind, p.speaker, p.speaker_mention and p.speaker_mention.text,
                              p.cue and p.cue.text, "|", p.text[:100], file=sys.stderr)
    elapsed = time.perf_counter() - t0
    precision = n_pred_ok / n_pred if n_pred else 0.0
    recall = n_found / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"articles": n_articles, "gold": n_gold, "predicted": n_pred, "found": n_found,
            "precision": precision, "recall": recall, "f1": f1, "seconds": elapsed,
            "speaker_accuracy": n_covered_right / n_covered if n_covered else 0.0, "covered": n_covered,
            "spoken": n_spoken, "not_name": n_not_name / n_spoken if n_spoken else 0.0,
            "person": n_person, "person_country": n_person_country / n_person if n_person else 0.0,
            "evidence": evidence}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", required=True, help="PolNeAR JSONL (e.g. ../shared/data/polnear/polnear_dev.jsonl)")
    parser.add_argument("--limit", type=int, default=None, help="only the first N articles")
    parser.add_argument("--verbose", action="store_true", help="print misses and false positives on stderr")
    parser.add_argument("--tagger", nargs="?", const="", default=None, metavar="FOLDER",
                        help="also use the attribution tagger (default: the bundled one)")
    parser.add_argument("--min-confidence", type=float, default=None,
                        help="the tagger's least mean span probability (default: quotes.TAGGER_MIN_CONFIDENCE)")
    args = parser.parse_args()
    if not Path(args.data).exists():
        print(f"error: {args.data} does not exist", file=sys.stderr)
        return 2
    tagger = None
    if args.tagger is not None:
        from analysis import quotes
        from analysis.attribution_model import AttributionTagger

        tagger = AttributionTagger(Path(args.tagger) if args.tagger else None)
        if args.min_confidence is not None:
            quotes.TAGGER_MIN_CONFIDENCE = args.min_confidence
    r = evaluate(args.data, args.limit, args.verbose, tagger)
    print(f"articles {r['articles']}  gold {r['gold']}  predicted {r['predicted']}  found {r['found']}")
    print(f"P {r['precision']:.3f}  R {r['recall']:.3f}  F1 {r['f1']:.3f}  ({r['seconds']:.1f} s)")
    print(f"speaker accuracy on covered quotes {r['speaker_accuracy']:.3f} (of {r['covered']} gold quotes "
          f"some prediction covers)")
    print(f"statements with a speaker {r['spoken']}: not a name nor a group {r['not_name']:.1%}; "
          f"person speaker {r['person']}: with a country {r['person_country']:.1%} "
          f"(by evidence: {', '.join(f'{k} {v}' for k, v in sorted(r['evidence'].items()))})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
