#!/usr/bin/env python
"""Build the bundled politician gazetteer (name -> country) from ../shared/data/people.

    python scripts/build_gazetteer.py --data ../shared/data

Only rows whose licence allows redistribution go into the repository: the CC0-1.0 layer
(unitedstates/congress-legislators: every member of the US Congress since 1789, presidents and
vice presidents). The EveryPolitician layer states no licence (people/PROVENANCE.md), so it is
never bundled; a user who has it can point ``STANCEMAP_GAZETTEER`` at their own copy of
``people.csv.gz`` and it is read at run time (analysis.countries).

Writes ``analysis/bundled/gazetteer/people.tsv.gz``: ``key<TAB>iso3<TAB>executive`` per line, where
``key`` is a normalised full name or alias of at least two words (analysis.countries.name_key)
and ``executive`` is the person's id (e.g. ``usc:O000167``) for presidents and vice presidents,
else empty. A key that two countries share is
left out. The gzip is written with mtime 0, so the same input gives the same bytes.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from analysis.countries import gazetteer_rows  # noqa: E402

OUT = REPO / "analysis" / "bundled" / "gazetteer" / "people.tsv.gz"
SHIPPABLE = ("CC0-1.0",)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    table = gazetteer_rows(args.data / "people" / "people.csv.gz", licences=SHIPPABLE)
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter="\t", lineterminator="\n")
    for key in sorted(table):
        iso3, executive = table[key]
        writer.writerow([key, iso3, executive])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
        gz.write(buf.getvalue().encode("utf-8"))
    print(f"{len(table)} names -> {args.out} ({args.out.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
