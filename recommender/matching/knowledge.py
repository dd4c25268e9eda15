"""Extra public knowledge from ``../shared/data`` that a bench folder or a catalog does not carry.

English (SOC-coded) corpora get, when the files are present:

- O*NET *Related Occupations* (tiers Primary-Short, Primary-Long, Supplemental → weights 1.0, 0.6, 0.3);
- O*NET *Alternate Titles*, *Sample of Reported Titles* and the titles of detailed O*NET-SOC occupations, as
  aliases of their SOC occupation;
- CIP 2020 family and series titles as item context.

Chinese corpora are returned unchanged: the 大典 aliases, definitions and tasks already come with them.
Missing files are skipped silently; a present but malformed file raises ``UserError``.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

from recommender.errors import UserError
from recommender.matching.corpus import MatchingCorpus

ONET = Path("en") / "onet"
CIP = Path("en") / "cip2020.csv"
RELATED_TIER_WEIGHTS = {"Primary-Short": 1.0, "Primary-Long": 0.6, "Supplemental": 0.3}
_SOC = re.compile(r"^\d\d-\d{4}$")


def _rows(path: Path, required: tuple[str, ...]) -> list[dict[str, str]]:
    if not path.is_file():
        return []
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    missing = [c for c in required if rows and c not in rows[0]]
    if missing:
        raise UserError(f"{path}: expected column(s) {', '.join(missing)}")
    return rows


def enrich(corpus: MatchingCorpus, data_dir: Path) -> MatchingCorpus:
    """A copy of ``corpus`` with the extra knowledge of ``data_dir`` (see the module docstring)."""
    if not any(_SOC.match(o.code) for o in corpus.occupations[:50]):
        return corpus
    codes = {o.code for o in corpus.occupations}
    onet = data_dir / ONET
    related: dict[str, dict[str, float]] = defaultdict(dict)
    for r in _rows(onet / "Related Occupations.csv", ("O*NET-SOC Code", "Related O*NET-SOC Code", "Relatedness Tier")):
        a, b = r["O*NET-SOC Code"][:7], r["Related O*NET-SOC Code"][:7]
        if a in codes and b in codes and a != b:
            w = RELATED_TIER_WEIGHTS.get(r["Relatedness Tier"], 0.3)
            related[a][b] = max(related[a].get(b, 0.0), w)
    titles: dict[str, list[str]] = defaultdict(list)
    for r in _rows(onet / "Occupation Data.csv", ("O*NET-SOC Code", "Title")):
        titles[r["O*NET-SOC Code"][:7]].append(r["Title"])
    for r in _rows(onet / "Alternate Titles.csv", ("O*NET-SOC Code", "Alternate Title")):
        titles[r["O*NET-SOC Code"][:7]].append(r["Alternate Title"])
    for r in _rows(onet / "Sample of Reported Titles.csv", ("O*NET-SOC Code", "Reported Job Title")):
        titles[r["O*NET-SOC Code"][:7]].append(r["Reported Job Title"])
    occupations = []
    for o in corpus.occupations:
        aliases = list(dict.fromkeys([*o.aliases, *(t.strip() for t in titles.get(o.code, ()) if t.strip())]))
        rel = tuple(sorted(related.get(o.code, {}).items(), key=lambda x: -x[1])) or o.related
        occupations.append(replace(o, aliases=tuple(a for a in aliases if a != o.name), related=rel))
    cip_titles = {r["CIPCode"].strip(): r["CIPTitle"].strip().rstrip(".")
                  for r in _rows(data_dir / CIP, ("CIPCode", "CIPTitle"))}
    items = corpus.items
    if cip_titles:
        items = []
        for it in corpus.items:
            family = cip_titles.get(it.item_id[:2], "").title()
            series = cip_titles.get(it.item_id[:5], "")
            context = " ".join(t for t in (it.context, family, series if series != it.name else "") if t)
            items.append(replace(it, context=context))
    return MatchingCorpus(items, occupations, corpus.links, corpus.language, corpus.name, corpus.job_titles)
