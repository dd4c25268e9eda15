"""Cohorts: the workers of a roster grouped by what they need to learn.

Each worker gets a *profile*: the occupations their job text links to (the matching engine's linker), the
target role (the enterprise's, or else their own linked occupation) and their *gap*: the target's skills they
do not already have (see :mod:`recommender.enterprise.skills`). Workers with the same job text, certificates
and target share a profile, so a roster of thousands clusters as a few hundred weighted points.

Each profile is represented by four L2-normalised blocks, weighted and concatenated:

``occupations``
    link probabilities of its top occupations, plus half of each on the occupation's 小类 (so two near
    occupations are near);
``title``
    TF-IDF of the cleaned job title's character 1–3-grams (fitted on the roster);
``duties``
    TF-IDF of the content words of the duties;
``gap``
    the target's skills the worker lacks, by skill weight.

Wide feature matrices are projected on their first 64 singular directions (truncated SVD) before clustering.

K-means (weighted by the number of workers per profile) is run for every number of cohorts from 2 to the most
the roster allows (``len(roster) // min_cohort``, at most ``max_cohorts``); after each run, a cohort smaller
than ``min_cohort`` is merged whole into the nearest other one (by centroid), smallest first. The partition
with the best weighted silhouette is kept (one cohort when the roster is too small to split). Each cohort is
then described in words: what they do, what they lack, their education.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from sklearn.cluster import KMeans
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from tqdm.auto import tqdm

from recommender.catalog.catalog import Catalog
from recommender.encoders.analysis import get_analyzer
from recommender.enterprise.linking import OccupationLinks, linker_for
from recommender.enterprise.roster import Roster, RosterMember
from recommender.enterprise.skills import Skill, SkillModel, skill_model_for
from recommender.errors import UserError
from recommender.matching.corpus import display_name
from recommender.matching.text import clean_zh
from recommender.recommend.courses import terms_of

DEFAULT_MIN_COHORT = 15
DEFAULT_MAX_COHORTS = 12
LINKS_PER_WORKER = 5
ROLE_CONFIDENCE = 0.3  # a linked occupation this probable counts as the worker's current role
BLOCK_WEIGHTS = {"occupations": 1.0, "title": 0.5, "duties": 0.3, "gap": 0.5}
SILHOUETTE_SAMPLE = 2500
REDUCED_DIMENSIONS = 64  # features are projected on this many singular directions (truncated SVD) beyond it
GAP_SIMILARITY = 0.9  # cohorts of one dominant occupation with gaps this alike are merged  # profiles beyond this are subsampled when scoring a partition


@dataclass(frozen=True)
class TargetRole:
    """The role an enterprise wants its staff trained towards."""

    code: str
    name: str
    given: str  # as the user wrote it
    how: str  # "code", "name", "alias" or "linked"
    confidence: float = 1.0

    def to_dict(self) -> dict:
        return {"code": self.code, "name": self.name, "given": self.given, "how": self.how,
                "confidence": round(self.confidence, 4)}


@dataclass(frozen=True)
class WorkerProfile:
    """A worker as the cohorts see them."""

    member: RosterMember
    links: tuple[tuple[str, float], ...]  # (occupation code, probability), most probable first
    target_code: str
    gap: frozenset[str]  # ids of the target's skills the worker lacks
    had: frozenset[str]  # ids of the target's skills the worker already has

    @property
    def occupation_code(self) -> str:
        return self.links[0][0] if self.links else ""

    @property
    def confidence(self) -> float:
        return self.links[0][1] if self.links else 0.0


@dataclass(frozen=True)
class GapSkill:
    skill: Skill
    share: float  # of the cohort's members who lack it

    @property
    def weight(self) -> float:
        return self.skill.weight * self.share


@dataclass(frozen=True)
class Cohort:
    """Workers who need to learn much the same things, and what that is, in words."""

    cohort_id: str
    members: tuple[WorkerProfile, ...]
    occupations: tuple[tuple[str, str, float], ...]  # (code, name, share of members), largest first
    titles: tuple[tuple[str, int], ...]  # most common job titles
    gap: tuple[GapSkill, ...]  # the skills at least ``min_gap_share`` of members lack, heaviest first
    education: tuple[tuple[str, int], ...]  # education → members ("" = not given)
    target_codes: tuple[str, ...]  # the roles the gap was measured against
    description: str = ""

    @property
    def size(self) -> int:
        return len(self.members)

    def to_dict(self) -> dict:
        return {
            "cohort_id": self.cohort_id,
            "size": self.size,
            "description": self.description,
            "occupations": [{"code": c, "name": n, "share": round(s, 4)} for c, n, s in self.occupations],
            "titles": [{"title": t, "count": n} for t, n in self.titles],
            "gap": [{"skill": g.skill.text, "kind": g.skill.kind, "share_lacking": round(g.share, 4),
                     "weight": round(g.weight, 4)} for g in self.gap],
            "education": {(e or "未填"): n for e, n in self.education},
            "target_roles": list(self.target_codes),
            "members": [p.member.pseudonym for p in self.members],
        }


@dataclass(frozen=True)
class CohortAnalysis:
    """The profiles of a roster and the cohorts found in it."""

    profiles: tuple[WorkerProfile, ...]
    cohorts: tuple[Cohort, ...]
    target: TargetRole | None
    silhouettes: dict[int, float] = field(default_factory=dict)  # cohorts tried → weighted silhouette
    min_cohort: int = DEFAULT_MIN_COHORT

    def labels(self) -> dict[str, str]:
        """pseudonym → cohort id."""
        return {p.member.pseudonym: c.cohort_id for c in self.cohorts for p in c.members}


# ------------------------------------------------------------------------------------------- target roles
def resolve_target_role(text: str, catalog: Catalog, linker: OccupationLinks | None = None) -> TargetRole:
    """The occupation meant by ``text``: a 大典 code, a name or alias of the catalog, or else the linker's best.

    Raises
    ------
    UserError
        When ``text`` is empty, or is not a code of the catalog and nothing can be linked to it.
    """
    given = (text or "").strip()
    if not given:
        raise UserError("the target role is empty: give a 大典 code (4-02-06-03) or a job name (物流主管)")
    if given in catalog.occupations:
        o = catalog.occupations[given]
        return TargetRole(o.occupation_code, display_name(o.name), given, "code")
    for o in catalog.occupations.values():
        if display_name(o.name) == given or o.name == given:
            return TargetRole(o.occupation_code, display_name(o.name), given, "name")
    for o in catalog.occupations.values():
        if given in o.aliases:
            return TargetRole(o.occupation_code, display_name(o.name), given, "alias")
    if given[:1].isdigit() and "-" in given:
        raise UserError(f"target role {given}: no such occupation code in the catalog")
    linker = linker or linker_for(catalog)
    links = linker.link([given], k=1)[0]
    if not links:
        raise UserError(f"target role {given!r}: no occupation of the catalog matches it")
    code, p = links[0]
    return TargetRole(code, display_name(catalog.occupations[code].name), given, "linked", p)


# ---------------------------------------------------------------------------------------------- profiles
def build_profiles(roster: Roster, catalog: Catalog, linker: OccupationLinks, skills: SkillModel,
                   target: TargetRole | None, *, show_progress: bool = False) -> list[WorkerProfile]:
    """Link every worker's job text and measure their gap to the target (or to their own role)."""
    members = roster.members
    texts = [m.worker.job_text for m in members]
    links = _blend(linker.link([m.worker.job_title for m in members], k=LINKS_PER_WORKER),
                   linker.link(texts, k=LINKS_PER_WORKER))
    cache: dict[tuple, tuple[frozenset[str], frozenset[str]]] = {}
    out = []
    for member, text, link in tqdm(list(zip(members, texts, links)), desc="gaps", unit="worker",
                                   disable=not show_progress or len(members) < 500, leave=False):
        top = link[0][0] if link else ""
        target_code = target.code if target is not None else top
        key = (text, member.worker.certificates, target_code, top if link and link[0][1] >= ROLE_CONFIDENCE else "")
        if key not in cache:
            role_skills = skills.role_skills(target_code) if target_code else ()
            role_terms = frozenset(terms_of(text))
            if key[3]:
                role_terms |= skills.occupation_terms(key[3])
            had = skills.had(role_skills, role_terms, member.worker.certificates)
            cache[key] = (frozenset(s.skill_id for s in role_skills) - had, had)
        gap, had = cache[key]
        out.append(WorkerProfile(member, tuple(link), target_code, gap, had))
    return out


def _blend(by_title: list, by_text: list) -> list[list[tuple[str, float]]]:
    """The average of the links of the title alone and of the whole job text (title and duties): the title names
    the role, the duties confirm it or, for a vague title, say what it is."""
    out = []
    for a, b in zip(by_title, by_text):
        mass: dict[str, float] = defaultdict(float)
        for code, p in a:
            mass[code] += p / 2
        for code, p in b:
            mass[code] += p / 2
        out.append(sorted(mass.items(), key=lambda kv: -kv[1])[:LINKS_PER_WORKER])
    return out


# ---------------------------------------------------------------------------------------------- features
def _l2(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return matrix / norms


def profile_features(profiles: Sequence[WorkerProfile], skills: SkillModel
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct profiles as feature rows: (features (u, d), weights (u,), index of each worker's row (n,))."""
    keys: dict[tuple, int] = {}
    rows: list[WorkerProfile] = []
    index = np.empty(len(profiles), dtype=np.int64)
    for i, p in enumerate(profiles):
        key = (p.member.worker.job_title, p.member.worker.duties, p.links[:3], p.gap)
        if key not in keys:
            keys[key] = len(rows)
            rows.append(p)
        index[i] = keys[key]
    weights = np.bincount(index, minlength=len(rows)).astype(np.float64)
    # occupations, with half of each probability on the 小类
    dims: dict[str, int] = {}
    for p in rows:
        for code, _ in p.links:
            dims.setdefault(code, len(dims))
            dims.setdefault("group:" + "-".join(code.split("-")[:3]), len(dims))
    occ = np.zeros((len(rows), max(len(dims), 1)), dtype=np.float64)
    for r, p in enumerate(rows):
        for code, prob in p.links:
            occ[r, dims[code]] += prob
            occ[r, dims["group:" + "-".join(code.split("-")[:3])]] += 0.5 * prob
    blocks = {"occupations": _l2(occ)}
    titles = [clean_zh(p.member.worker.job_title).strip() or p.member.worker.job_title for p in rows]
    blocks["title"] = _tfidf(titles, get_analyzer("char1-3"))
    duties = [p.member.worker.duties for p in rows]
    blocks["duties"] = _tfidf(duties, terms_of) if any(duties) else np.zeros((len(rows), 1))
    skill_ids = sorted({s for p in rows for s in p.gap})
    gap = np.zeros((len(rows), max(len(skill_ids), 1)), dtype=np.float64)
    if skill_ids:
        column = {s: j for j, s in enumerate(skill_ids)}
        weight_of = _skill_weights(rows, skills)
        for r, p in enumerate(rows):
            for s in p.gap:
                gap[r, column[s]] = weight_of.get(s, 1.0)
    blocks["gap"] = _l2(gap)
    features = np.hstack([BLOCK_WEIGHTS[name] * block for name, block in blocks.items()])
    if features.shape[1] > REDUCED_DIMENSIONS and features.shape[0] > REDUCED_DIMENSIONS:
        # the same geometry in fewer dimensions: k-means and silhouettes get an order of magnitude faster
        svd = TruncatedSVD(n_components=REDUCED_DIMENSIONS, algorithm="randomized", random_state=0)
        features = svd.fit_transform(features)
    return features.astype(np.float64), weights, index


def _skill_weights(rows: Sequence[WorkerProfile], skills: SkillModel) -> dict[str, float]:
    out: dict[str, float] = {}
    for code in {p.target_code for p in rows if p.target_code}:
        for s in skills.role_skills(code):
            out[s.skill_id] = s.weight
    return out


def _tfidf(texts: list[str], analyzer) -> np.ndarray:
    if not any(t.strip() for t in texts):
        return np.zeros((len(texts), 1))
    vectorizer = TfidfVectorizer(analyzer=analyzer, sublinear_tf=True, min_df=1)
    try:
        matrix = vectorizer.fit_transform(texts)
    except ValueError:  # no term at all (e.g. every text is punctuation)
        return np.zeros((len(texts), 1))
    return _l2(matrix.toarray())


# -------------------------------------------------------------------------------------------- clustering
def weighted_silhouette(x: np.ndarray, labels: np.ndarray, weights: np.ndarray) -> float:
    """Silhouette of a partition of weighted points (a point of weight w stands for w identical workers)."""
    clusters = np.unique(labels)
    if len(clusters) < 2:
        return 0.0
    sq = np.sum(x * x, axis=1)
    dist = np.sqrt(np.maximum(sq[:, None] + sq[None, :] - 2.0 * (x @ x.T), 0.0))
    onehot = (labels[:, None] == clusters[None, :]).astype(np.float64)
    mass = weights @ onehot  # workers per cluster
    sums = dist @ (onehot * weights[:, None])  # distance from each point to each cluster, summed over workers
    own = np.searchsorted(clusters, labels)
    rows = np.arange(len(x))
    own_mass = mass[own] - 1.0  # the other workers of one's own cluster (copies of oneself at distance 0)
    a = np.where(own_mass > 0, sums[rows, own] / np.maximum(own_mass, 1.0), 0.0)
    other = sums / np.maximum(mass[None, :], 1e-12)
    other[rows, own] = np.inf
    b = other.min(axis=1)
    s = np.where(own_mass > 0, (b - a) / np.maximum(np.maximum(a, b), 1e-12), 0.0)
    return float(np.sum(weights * s) / np.sum(weights))


def merge_small(x: np.ndarray, labels: np.ndarray, weights: np.ndarray, min_size: int) -> np.ndarray:
    """Merge every cluster of fewer than ``min_size`` workers, smallest first, into the nearest other cluster."""
    labels = labels.copy()
    while True:
        ids, inverse = np.unique(labels, return_inverse=True)
        if len(ids) < 2:
            return labels
        mass = np.bincount(inverse, weights=weights)
        smallest = int(np.argmin(mass))
        if mass[smallest] >= min_size:
            return labels
        centroids = np.vstack([np.average(x[inverse == k], axis=0, weights=weights[inverse == k])
                               for k in range(len(ids))])
        d = np.linalg.norm(centroids - centroids[smallest], axis=1)
        d[smallest] = np.inf
        labels[inverse == smallest] = ids[int(np.argmin(d))]


def cluster_profiles(x: np.ndarray, weights: np.ndarray, *, min_cohort: int, max_cohorts: int, seed: int = 0,
                     show_progress: bool = False) -> tuple[np.ndarray, dict[int, float]]:
    """Cluster labels of the distinct profiles and the silhouette of each number of clusters tried."""
    n_workers = int(weights.sum())
    n_points = len(x)
    k_max = min(max_cohorts, n_workers // max(min_cohort, 1), n_points)
    if k_max < 2:
        return np.zeros(n_points, dtype=np.int64), {1: 0.0}
    scoring = np.arange(n_points)
    if n_points > SILHOUETTE_SAMPLE:
        scoring = np.sort(np.random.default_rng(seed).choice(n_points, SILHOUETTE_SAMPLE, replace=False,
                                                             p=weights / weights.sum()))
    best: tuple[float, int, np.ndarray] | None = None
    scores: dict[int, float] = {}
    for k in tqdm(range(2, k_max + 1), desc="choosing cohorts", unit="partition", disable=not show_progress, leave=False):
        km = KMeans(n_clusters=k, n_init=4, random_state=seed).fit(x, sample_weight=weights)
        labels = merge_small(x, km.labels_, weights, min_cohort)
        found = len(np.unique(labels))
        if found < 2:
            continue
        score = weighted_silhouette(x[scoring], labels[scoring], weights[scoring])
        scores[found] = max(score, scores.get(found, -1.0))
        if best is None or score > best[0] + 1e-9:
            best = (score, k, labels)
    if best is None:
        return np.zeros(n_points, dtype=np.int64), {1: 0.0}
    return best[2], scores


def merge_alike(groups: list[list[WorkerProfile]], similarity: float = GAP_SIMILARITY) -> list[list[WorkerProfile]]:
    """Merge groups that would get the same class: the same dominant linked occupation and gaps whose
    share-lacking vectors have a cosine of at least ``similarity`` (job-title variants of one role)."""
    groups = [list(g) for g in groups]
    while True:
        keys = [_dominant(g) for g in groups]
        vectors = [_gap_shares(g) for g in groups]
        pair = None
        for i in range(len(groups)):
            for j in range(i + 1, len(groups)):
                if keys[i] and keys[i] == keys[j] and _cosine(vectors[i], vectors[j]) >= similarity:
                    pair = (i, j)
                    break
            if pair:
                break
        if pair is None:
            return groups
        i, j = pair
        groups[i].extend(groups.pop(j))


def _dominant(group: Sequence[WorkerProfile]) -> str:
    counts = Counter(p.occupation_code for p in group if p.occupation_code)
    return counts.most_common(1)[0][0] if counts else ""


def _gap_shares(group: Sequence[WorkerProfile]) -> dict[str, float]:
    counts = Counter(s for p in group for s in p.gap)
    return {s: c / len(group) for s, c in counts.items()}


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if not a and not b:
        return 1.0
    dot = sum(v * b.get(k, 0.0) for k, v in a.items())
    na = math.sqrt(sum(v * v for v in a.values()))
    nb = math.sqrt(sum(v * v for v in b.values()))
    return dot / (na * nb) if na and nb else 0.0


# ----------------------------------------------------------------------------------------------- cohorts
def describe_members(cohort_id: str, members: Sequence[WorkerProfile], catalog: Catalog, skills: SkillModel,
                     min_gap_share: float) -> Cohort:
    """A cohort of these members: their dominant occupations and titles, the gap most of them share, education."""
    n = len(members)
    occ = Counter(p.occupation_code for p in members if p.occupation_code)
    occupations = tuple((code, _name(catalog, code), count / n) for code, count in occ.most_common(3))
    titles = tuple(Counter(p.member.worker.job_title for p in members).most_common(5))
    education = tuple(sorted(Counter(p.member.worker.education for p in members).items(), key=lambda kv: -kv[1]))
    by_target: dict[str, int] = Counter(p.target_code for p in members if p.target_code)
    lacking: Counter[str] = Counter(s for p in members for s in p.gap)
    skill_of = {s.skill_id: s for code in by_target for s in skills.role_skills(code)}
    gap = [GapSkill(skill_of[s], count / n) for s, count in lacking.items()
           if s in skill_of and count / n >= min_gap_share]
    gap.sort(key=lambda g: (-g.weight, g.skill.skill_id))
    targets = tuple(code for code, _ in Counter(by_target).most_common())
    cohort = Cohort(cohort_id, tuple(members), occupations, titles, tuple(gap), education, targets)
    return replace(cohort, description=describe(cohort, catalog))


def _name(catalog: Catalog, code: str) -> str:
    o = catalog.occupations.get(code)
    return display_name(o.name) if o is not None else code


def describe(cohort: Cohort, catalog: Catalog) -> str:
    """The cohort in a few Chinese sentences: what they do, what they lack, their education."""
    parts = []
    if cohort.occupations:
        occ = "、".join(f"{name}（{share:.0%}）" for _, name, share in cohort.occupations[:2])
        titles = "、".join(t for t, _ in cohort.titles[:3])
        parts.append(f"{cohort.size}人，主要从事{occ}，常见岗位：{titles}。")
    else:
        parts.append(f"{cohort.size}人。")
    if cohort.target_codes and len(cohort.target_codes) == 1:
        parts.append(f"以“{_name(catalog, cohort.target_codes[0])}”为目标，")
    if cohort.gap:
        shown = "；".join(g.skill.text for g in cohort.gap[:5])
        more = f"等{len(cohort.gap)}项" if len(cohort.gap) > 5 else ""
        parts.append(f"多数人还欠缺：{shown}{more}。")
    else:
        parts.append("多数人已具备目标岗位的技能与课程内容。")
    n = cohort.size
    edu = "、".join(f"{e or '未填'}{count / n:.0%}" for e, count in cohort.education[:4])
    parts.append(f"学历：{edu}。")
    return "".join(parts)


def find_cohorts(roster: Roster, catalog: Catalog, *, target_role: str | TargetRole | None = None,
                 min_cohort: int = DEFAULT_MIN_COHORT, max_cohorts: int = DEFAULT_MAX_COHORTS,
                 min_gap_share: float = 0.5, linker: OccupationLinks | None = None,
                 skills: SkillModel | None = None, seed: int = 0, show_progress: bool = False) -> CohortAnalysis:
    """Group a roster's workers into cohorts by what they need to learn.

    Parameters
    ----------
    roster : Roster
        From :func:`recommender.enterprise.roster.load_roster` or ``roster_from_workers``.
    catalog : Catalog
    target_role : str or TargetRole, optional
        The role to train towards (a 大典 code or a job name); without it each worker's gap is measured against
        their own linked occupation (the degree content of their own job).
    min_cohort : int, default 15
        Smaller cohorts are merged into the nearest one.
    max_cohorts : int, default 12
    min_gap_share : float, default 0.5
        A skill is in a cohort's gap when at least this share of its members lack it.
    linker : OccupationLinks, optional
        Defaults to the matching engine's occupation linker over ``catalog`` (fitted once per process).
    skills : SkillModel, optional
        Defaults to one built over ``catalog``.
    seed : int
    show_progress : bool

    Returns
    -------
    CohortAnalysis

    Raises
    ------
    UserError
        On an empty roster or a bad parameter.

    Examples
    --------
    >>> analysis = find_cohorts(load_roster("var/demo/rosters/E02.csv"), catalog, target_role="4-02-06-03")
    ... # doctest: +SKIP
    >>> [c.size for c in analysis.cohorts]  # doctest: +SKIP
    [234, 143, 130, 104, 39]
    """
    if not len(roster):
        raise UserError("the roster is empty: there is nobody to group")
    if min_cohort < 1:
        raise UserError(f"min_cohort must be at least 1, got {min_cohort}")
    if max_cohorts < 1:
        raise UserError(f"max_cohorts must be at least 1, got {max_cohorts}")
    if not 0 < min_gap_share <= 1:
        raise UserError(f"min_gap_share must be in (0, 1], got {min_gap_share}")
    linker = linker or linker_for(catalog, show_progress=show_progress)
    skills = skills or skill_model_for(catalog)
    target = target_role
    if isinstance(target_role, str):
        target = resolve_target_role(target_role, catalog, linker) if target_role.strip() else None
    profiles = build_profiles(roster, catalog, linker, skills, target, show_progress=show_progress)
    x, weights, index = profile_features(profiles, skills)
    labels, scores = cluster_profiles(x, weights, min_cohort=min_cohort, max_cohorts=max_cohorts, seed=seed,
                                      show_progress=show_progress)
    groups: dict[int, list[WorkerProfile]] = defaultdict(list)
    for profile, row in zip(profiles, index):
        groups[int(labels[row])].append(profile)
    ordered = sorted(merge_alike(list(groups.values())), key=lambda ms: (-len(ms), ms[0].member.row))
    cohorts = tuple(describe_members(f"C{i}", ms, catalog, skills, min_gap_share)
                    for i, ms in enumerate(ordered, start=1))
    return CohortAnalysis(tuple(profiles), cohorts, target, scores, min_cohort)


def purity(labels: dict[str, str], truth: dict[str, str]) -> float:
    """Share of workers whose cohort's most common true role is their own (workers missing from ``truth``
    are left out)."""
    by_cohort: dict[str, Counter] = defaultdict(Counter)
    for worker, cohort in labels.items():
        if worker in truth:
            by_cohort[cohort][truth[worker]] += 1
    total = sum(sum(c.values()) for c in by_cohort.values())
    return sum(c.most_common(1)[0][1] for c in by_cohort.values()) / total if total else math.nan
