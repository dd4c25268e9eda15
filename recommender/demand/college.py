"""A college's demand dashboard: its programs' demand and trend, unmet demand around it, course gaps, peers.

Definitions (every count is distinct workers, every figure passes ``recommender.demand.privacy``):

- **Demand for a program**: workers who engaged with it beyond seeing it (a click, save, application, enrolment or
  completion) in the period. ``shown`` counts every worker it was shown to; ``not_engaged`` = shown − demand.
- **Funnel** (``stages``): the demand split by the furthest stage each worker reached (click … completion).
- **Monthly trend**: the demand split by the month of each worker's *first* interest in the program, so the months
  add up to the program's demand.
- **A college's region**: its seat and teaching points (``College.cities``). A program's region: its places, or,
  for an online program, its college's region.
- **Demand for a major in a region**: for each city, workers of that city (the city of their latest event)
  interested in any program of the major; city cells below k are withheld, and the region's figure is the sum of
  its *published* city cells — so colleges with overlapping regions can never difference a withheld city.
- **Unmet demand**: majors demanded in the college's region that the college offers no program of, ranked by
  workers, with the occupations behind them (each worker under the occupation of their latest signal).
- **Course gaps**: courses in the curricula of majors demanded in the region (the major's own courses and
  ``Major.main_courses``) that no program of the college teaches (names compared after folding width, brackets and
  spaces). ``demand`` = the sum, over the demanded majors that teach the course, of their region demand.
- **Alignment of a program**: ``|C ∩ D| / |C|``, where C is the set of course names the program teaches (its own
  courses and its major's) and D the union of the curricula of the majors with published demand (≥ k workers) in
  the program's region. 1.0: every course serves demand there; 0.0: none does; ``None``: the program lists no
  course.
- **Peers**: colleges of the same kind with the same seat city; when fewer than 3 of them have a figure, colleges of
  the same kind in the province. Only aggregates (median, quartiles, the college's percentile) are shown; no peer is
  named.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from statistics import median, quantiles

import pandas as pd

from recommender.catalog.catalog import Catalog
from recommender.catalog.model import College
from recommender.demand.events import EVENT_TYPES
from recommender.demand.privacy import DEFAULT_K, Group, Suppression, check_k, suppress
from recommender.demand.store import DemandStore
from recommender.demand.tables import PublishedGroup, Table, cell
from recommender.errors import UserError
from recommender.rules.text import fold

FUNNEL_STAGES: tuple[str, ...] = EVENT_TYPES[1:]  # click … completion
MIN_PEERS = 3
PRIVACY_NOTE = (
    "Counts are distinct workers. A figure under k workers is withheld (shown as <k); where a group's withheld "
    "parts would add up to fewer than k (or pin each other down), more parts are withheld, so a total minus its "
    "published parts is always 0 or at least k. Region figures are sums of published city figures."
)


# ------------------------------------------------------------------------------------------- result types
@dataclass(frozen=True)
class ProgramDemand:
    """Demand for one program of the college (``None``: withheld, fewer than k workers)."""

    program_id: str
    major_code: str
    major_name: str
    level: str
    study_mode: str
    places: tuple[str, ...]
    shown: int | None
    not_engaged: int | None
    interested: int | None
    stages: dict[str, int | None]  # furthest stage reached → workers (partition of interested)
    monthly: dict[str, int | None]  # month → workers whose first interest was that month
    alignment: float | None
    courses: int
    courses_serving_demand: int

    def to_dict(self) -> dict:
        return {
            "program_id": self.program_id, "major_code": self.major_code, "major_name": self.major_name,
            "level": self.level, "study_mode": self.study_mode, "places": list(self.places),
            "shown": self.shown, "not_engaged": self.not_engaged, "interested": self.interested,
            "stages": dict(self.stages), "monthly": dict(self.monthly),
            "alignment": self.alignment, "courses": self.courses,
            "courses_serving_demand": self.courses_serving_demand,
        }


@dataclass(frozen=True)
class OccupationDemand:
    occupation_code: str
    name: str
    workers: int

    def to_dict(self) -> dict:
        return {"occupation_code": self.occupation_code, "name": self.name, "workers": self.workers}


@dataclass(frozen=True)
class UnmetMajor:
    """A major demanded in the college's region that the college does not offer."""

    rank: int
    major_code: str
    major_name: str
    level: str
    workers: int  # sum of the published city figures
    by_city: dict[str, int | None]  # every city of the region: published, 0, or None (withheld)
    occupations: tuple[OccupationDemand, ...]  # published, largest first
    other_occupations: int  # workers under withheld occupations: 0 or ≥ k
    colleges_offering_in_region: int  # other colleges teaching the region with a program of the major

    def to_dict(self) -> dict:
        return {
            "rank": self.rank, "major_code": self.major_code, "major_name": self.major_name, "level": self.level,
            "workers": self.workers, "by_city": dict(self.by_city),
            "occupations": [o.to_dict() for o in self.occupations], "other_occupations": self.other_occupations,
            "colleges_offering_in_region": self.colleges_offering_in_region,
        }


@dataclass(frozen=True)
class CourseGap:
    """A course demanded majors teach and no program of the college does."""

    course: str
    demand: int  # Σ region demand of the demanded majors teaching it
    majors: tuple[tuple[str, str], ...]  # (major_code, name), largest demand first

    def to_dict(self) -> dict:
        return {"course": self.course, "demand": self.demand,
                "majors": [{"major_code": c, "name": n} for c, n in self.majors]}


@dataclass(frozen=True)
class PeerMetric:
    metric: str
    label: str
    own: float | None
    peer_median: float | None
    peer_p25: float | None
    peer_p75: float | None
    peers_with_value: int
    own_percentile: float | None  # share of peers with a value ≤ own, 0–100

    def to_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass(frozen=True)
class PeerComparison:
    basis: str  # same_kind_same_city · same_kind_province · none
    description: str
    peers: int
    metrics: tuple[PeerMetric, ...] = ()

    def to_dict(self) -> dict:
        return {"basis": self.basis, "description": self.description, "peers": self.peers,
                "metrics": [m.to_dict() for m in self.metrics]}


@dataclass(frozen=True)
class CollegeDemand:
    """The college dashboard (``recommender college demand``, ``GET /colleges/{id}/demand``)."""

    college_id: str
    name: str
    kind: str
    city: str
    cities: tuple[str, ...]
    k: int | None
    months: tuple[str, ...]
    interested: int | None  # workers interested in any program of the college
    monthly: dict[str, int | None]  # by month of first interest at the college
    programs: tuple[ProgramDemand, ...]
    unmet: tuple[UnmetMajor, ...]
    course_gaps: tuple[CourseGap, ...]
    peers: PeerComparison
    notes: tuple[str, ...] = field(default=(PRIVACY_NOTE,))

    def to_dict(self) -> dict:
        return {
            "college_id": self.college_id, "name": self.name, "kind": self.kind, "city": self.city,
            "cities": list(self.cities), "k": self.k, "months": list(self.months),
            "interested": self.interested, "monthly": dict(self.monthly),
            "programs": [p.to_dict() for p in self.programs], "unmet": [u.to_dict() for u in self.unmet],
            "course_gaps": [g.to_dict() for g in self.course_gaps], "peers": self.peers.to_dict(),
            "notes": list(self.notes),
        }

    def published_groups(self) -> list[PublishedGroup]:
        """Every published total with its published parts (for audits and tests of the suppression)."""
        out = [PublishedGroup("college by month", self.interested, tuple(self.monthly.values()))]
        for p in self.programs:
            out.append(PublishedGroup(f"{p.program_id} shown", p.shown, (p.not_engaged, p.interested)))
            out.append(PublishedGroup(f"{p.program_id} stages", p.interested, tuple(p.stages.values())))
            out.append(PublishedGroup(f"{p.program_id} by month", p.interested, tuple(p.monthly.values())))
        for u in self.unmet:
            out.append(PublishedGroup(f"unmet {u.major_code} by city", u.workers, tuple(u.by_city.values())))
            out.append(PublishedGroup(f"unmet {u.major_code} by occupation", u.workers,
                                      tuple(o.workers for o in u.occupations)))
        return out

    def tables(self) -> list[Table]:
        """The dashboard as tables (programs, monthly trend, unmet demand, course gaps, peers, about)."""
        k = self.k
        programs = Table("programs", "Demand per program (distinct workers)", (
            "program_id", "major_code", "major", "level", "study_mode", "places", "shown", "not_engaged",
            "interested", *FUNNEL_STAGES, "alignment", "courses", "courses_serving_demand"),
            tuple((p.program_id, p.major_code, p.major_name, p.level, p.study_mode, ";".join(p.places),
                   cell(p.shown, k), cell(p.not_engaged, k), cell(p.interested, k),
                   *(cell(p.stages[s], k) for s in FUNNEL_STAGES),
                   "" if p.alignment is None else round(p.alignment, 3), p.courses, p.courses_serving_demand)
                  for p in self.programs))
        monthly = Table("monthly", "New interested workers per month (month of first interest)", (
            "program_id", "major", "total", *self.months),
            ((("(college)", self.name, cell(self.interested, k), *(cell(self.monthly[m], k) for m in self.months)),)
             + tuple((p.program_id, p.major_name, cell(p.interested, k), *(cell(p.monthly[m], k) for m in self.months))
                     for p in self.programs)))
        unmet = Table("unmet", "Unmet demand in the college's cities: majors it does not offer", (
            "rank", "major_code", "major", "level", "workers", "by_city", "occupations", "other_occupations",
            "colleges_offering_in_region"),
            tuple((u.rank, u.major_code, u.major_name, u.level, u.workers,
                   "; ".join(f"{c} {cell(v, k)}" for c, v in u.by_city.items()),
                   "; ".join(f"{o.name} {o.workers}" for o in u.occupations),
                   u.other_occupations, u.colleges_offering_in_region) for u in self.unmet))
        gaps = Table("course_gaps", "Courses demanded majors teach that no program of the college teaches",
                     ("course", "demand", "majors"),
                     tuple((g.course, g.demand, "; ".join(f"{n}（{c}）" for c, n in g.majors))
                           for g in self.course_gaps))
        peers = Table("peers", f"Peer comparison: {self.peers.description}", (
            "metric", "own", "peer_median", "peer_p25", "peer_p75", "peers_with_value", "own_percentile"),
            tuple((m.label, _num(m.own), _num(m.peer_median), _num(m.peer_p25), _num(m.peer_p75),
                   m.peers_with_value, _num(m.own_percentile)) for m in self.peers.metrics))
        about = Table("about", "About these figures", ("item", "value"), (
            ("college", f"{self.name} ({self.college_id})"), ("kind", self.kind), ("cities", ";".join(self.cities)),
            ("period", f"{self.months[0]}…{self.months[-1]}" if self.months else ""),
            ("k", "" if k is None else k), ("interested workers", cell(self.interested, k)),
            *(("note", n) for n in self.notes)))
        return [programs, monthly, unmet, gaps, peers, about]


def _num(x: float | None) -> object:
    return "" if x is None else round(x, 3)


# ------------------------------------------------------------------------------------------- catalog helpers
class _Curricula:
    """Course names (folded) per major and per program, with a display name for each folded name."""

    def __init__(self, catalog: Catalog):
        self.display: dict[str, str] = {}
        self.by_major: dict[str, set[str]] = defaultdict(set)
        for course in catalog.courses.values():
            if not course.program_id:
                self.by_major[course.major_code].add(self._key(course.name))
        for major in catalog.majors.values():
            self.by_major[major.major_code].update(self._key(n) for n in major.main_courses)
        self.by_program = {pid: {self._key(c.name) for c in catalog.courses_of_program(pid)}
                           for pid in catalog.programs}

    def _key(self, name: str) -> str:
        key = fold(name)
        self.display.setdefault(key, name.strip())
        return key


def _curricula(store: DemandStore) -> _Curricula:
    if "curricula" not in store._cache:
        store._cache["curricula"] = _Curricula(store.catalog)
    return store._cache["curricula"]  # type: ignore[return-value]


def _majors_by_college(catalog: Catalog) -> dict[str, set[str]]:
    return {cid: {catalog.programs[p].major_code for p in pids} for cid, pids in catalog.programs_by_college.items()}


# ------------------------------------------------------------------------------------------- region demand
class RegionDemand:
    """Published (city, major) demand and its occupations, suppressed once for the whole province."""

    def __init__(self, frame: pd.DataFrame, k: int | None):
        counts: dict[tuple, int] = defaultdict(int)
        occupations: dict[tuple[str, str], list[str]] = defaultdict(list)
        for city, major, occupation, n in frame[["city", "major_code", "occupation_code", "workers"]].itertuples(
                index=False):
            counts[("cm", city, major)] += int(n)
            counts[("cmo", city, major, occupation)] += int(n)
            occupations[(city, major)].append(occupation)
        groups = [Group(("cm", c, m), tuple(("cmo", c, m, o) for o in occs))
                  for (c, m), occs in sorted(occupations.items())]
        self.k = k
        self.suppression: Suppression = suppress(counts, groups, k)
        self.cells: dict[tuple[str, str], int | None] = {
            (c, m): self.suppression.value(("cm", c, m)) for (c, m) in occupations}
        self.occupation_cells: dict[tuple[str, str], dict[str, int]] = {}
        for (c, m), occs in occupations.items():
            published = {o: self.suppression.value(("cmo", c, m, o)) for o in occs}
            self.occupation_cells[(c, m)] = {o: v for o, v in published.items() if v}
        self.by_city_major: dict[str, dict[str, int]] = defaultdict(dict)  # city → major → published > 0
        for (c, m), v in self.cells.items():
            if v:
                self.by_city_major[c][m] = v

    def totals(self, cities: Iterable[str]) -> dict[str, int]:
        """Major → the sum of its published city figures over ``cities`` (majors with a positive sum only)."""
        out: dict[str, int] = defaultdict(int)
        for c in dict.fromkeys(cities):
            for m, v in self.by_city_major.get(c, {}).items():
                out[m] += v
        return dict(out)

    def by_city(self, major: str, cities: Iterable[str]) -> dict[str, int | None]:
        return {c: self.cells.get((c, major), 0) for c in dict.fromkeys(cities)}

    def occupations(self, major: str, cities: Iterable[str]) -> dict[str, int]:
        out: dict[str, int] = defaultdict(int)
        for c in dict.fromkeys(cities):
            for o, v in self.occupation_cells.get((c, major), {}).items():
                out[o] += v
        return dict(out)


def region_demand(store: DemandStore, k: int | None) -> RegionDemand:
    """The published (city, major) demand of the province for this k (computed once per store and k)."""
    key = ("region", k)
    if key not in store._cache:
        store._cache[key] = RegionDemand(store.city_major_occupations(), k)
    return store._cache[key]  # type: ignore[return-value]


# ------------------------------------------------------------------------------------------- per college
@dataclass(frozen=True)
class _Core:
    """A college's suppressed program figures and alignment (what peers are compared on)."""

    college: College
    suppression: Suppression
    months: tuple[str, ...]
    program_ids: tuple[str, ...]
    alignment: dict[str, tuple[float | None, int, int]]  # program → (score, courses, courses serving demand)

    @property
    def interested(self) -> int | None:
        return self.suppression.value(("college",))

    def metrics(self) -> dict[str, float | None]:
        total = self.interested
        scores = [a[0] for a in self.alignment.values() if a[0] is not None]
        return {
            "interested": None if total is None else float(total),
            "interested_per_program": None if total is None or not self.program_ids
            else total / len(self.program_ids),
            "mean_alignment": sum(scores) / len(scores) if scores else None,
        }


def _by_college(store: DemandStore, name: str) -> dict[str, pd.DataFrame]:
    key = ("by_college", name)
    if key not in store._cache:
        frame = getattr(store, name)()
        store._cache[key] = {cid: part for cid, part in frame.groupby("college_id", sort=False)}
    return store._cache[key]  # type: ignore[return-value]


def _core(store: DemandStore, college_id: str, k: int | None) -> _Core:
    key = ("core", college_id, k)
    if key in store._cache:
        return store._cache[key]  # type: ignore[return-value]
    catalog = store.catalog
    college = catalog.colleges[college_id]
    months = store.months()
    program_ids = tuple(sorted(catalog.programs_by_college.get(college_id, ())))
    known = set(program_ids)
    counts: dict[tuple, int] = defaultdict(int)
    stages = _by_college(store, "program_stages").get(college_id)
    if stages is not None:
        for pid, stage, first_month, n in stages[["program_id", "stage", "first_month", "workers"]].itertuples(
                index=False):
            if pid not in known:
                continue
            n = int(n)
            counts[("shown", pid)] += n
            if stage == 0:
                counts[("not_engaged", pid)] += n
            else:
                counts[("interested", pid)] += n
                counts[("stage", pid, int(stage))] += n
                counts[("month", pid, first_month)] += n
    firsts = _by_college(store, "college_first_months").get(college_id)
    if firsts is not None:
        for first_month, n in firsts[["first_month", "workers"]].itertuples(index=False):
            counts[("college",)] += int(n)
            counts[("college_month", first_month)] += int(n)
    groups = [Group(("college",), tuple(("college_month", m) for m in months))]
    for pid in program_ids:
        groups += [
            Group(("shown", pid), (("not_engaged", pid), ("interested", pid))),
            Group(("interested", pid), tuple(("stage", pid, s) for s in range(1, len(EVENT_TYPES)))),
            Group(("interested", pid), tuple(("month", pid, m) for m in months)),
        ]
    suppression = suppress(counts, groups, k)
    region = region_demand(store, k)
    curricula = _curricula(store)
    alignment = {}
    for pid in program_ids:
        program = catalog.programs[pid]
        cities = program.places or college.cities
        demanded: set[str] = set()
        for major in region.totals(cities):
            demanded |= curricula.by_major.get(major, set())
        courses = curricula.by_program.get(pid, set())
        serving = len(courses & demanded)
        alignment[pid] = (serving / len(courses) if courses else None, len(courses), serving)
    core = _Core(college, suppression, months, program_ids, alignment)
    store._cache[key] = core
    return core


def _peer_comparison(store: DemandStore, college: College, own: _Core, k: int | None) -> PeerComparison:
    catalog = store.catalog
    same_kind = [c for c in catalog.colleges.values() if c.kind == college.kind and c.college_id != college.college_id]
    bases = (
        ("same_kind_same_city", f"{college.kind} colleges seated in {college.city}",
         [c for c in same_kind if c.city == college.city]),
        ("same_kind_province", f"{college.kind} colleges in the province", same_kind),
    )
    labels = {"interested": "interested workers", "interested_per_program": "interested workers per program",
              "mean_alignment": "mean alignment of programs"}
    own_metrics = own.metrics()
    for basis, description, peers in bases:
        peer_metrics = [_core(store, p.college_id, k).metrics() for p in peers]
        if sum(m["interested"] is not None for m in peer_metrics) < MIN_PEERS:
            continue
        metrics = []
        for name, label in labels.items():
            values = sorted(m[name] for m in peer_metrics if m[name] is not None)
            mine = own_metrics[name]
            if len(values) < MIN_PEERS:
                metrics.append(PeerMetric(name, label, mine, None, None, None, len(values), None))
                continue
            q1, _, q3 = quantiles(values, n=4, method="inclusive")
            pct = None if mine is None else 100.0 * sum(v <= mine for v in values) / len(values)
            metrics.append(PeerMetric(name, label, mine, median(values), q1, q3, len(values), pct))
        return PeerComparison(basis, description, len(peers), tuple(metrics))
    return PeerComparison("none", f"fewer than {MIN_PEERS} {college.kind} colleges with published demand", 0)


def college_demand(store: DemandStore, college_id: str, *, k: int | None = DEFAULT_K, top: int = 20) -> CollegeDemand:
    """The demand dashboard of one college, every figure k-anonymous.

    Parameters
    ----------
    store : DemandStore
        Events and catalog.
    college_id : str
        A college of ``store.catalog``.
    k : int or None, default 10
        Smallest number of distinct workers behind a published figure (``None``: exact, union-internal only).
    top : int, default 20
        How many unmet majors and course gaps to list.

    Returns
    -------
    CollegeDemand

    Raises
    ------
    UserError
        When the college is unknown or k is not a whole number ≥ 1.

    Examples
    --------
    >>> view = college_demand(store, "DEMO-C001", k=10)  # doctest: +SKIP
    >>> view.unmet[0].major_name, view.unmet[0].workers  # doctest: +SKIP
    """
    try:
        k = check_k(k)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    catalog = store.catalog
    if college_id not in catalog.colleges:
        raise UserError(f"unknown college {college_id!r}; `recommender college list` shows the college ids")
    college = catalog.colleges[college_id]
    core = _core(store, college_id, k)
    s = core.suppression
    months = core.months
    programs = []
    for pid in core.program_ids:
        p = catalog.programs[pid]
        major = catalog.majors.get(p.major_code)
        score, n_courses, serving = core.alignment[pid]
        programs.append(ProgramDemand(
            program_id=pid, major_code=p.major_code, major_name=major.name if major else p.major_code,
            level=p.level, study_mode=p.study_mode, places=p.places,
            shown=s.value(("shown", pid)), not_engaged=s.value(("not_engaged", pid)),
            interested=s.value(("interested", pid)),
            stages={name: s.value(("stage", pid, i)) for i, name in enumerate(FUNNEL_STAGES, start=1)},
            monthly={m: s.value(("month", pid, m)) for m in months},
            alignment=score, courses=n_courses, courses_serving_demand=serving))
    programs.sort(key=lambda x: (-(0.5 if x.interested is None else x.interested), x.program_id))  # <k above 0

    region = region_demand(store, k)
    totals = region.totals(college.cities)
    offered = _majors_by_college(catalog)
    own_majors = offered.get(college_id, set())
    unmet_rows = sorted(((m, v) for m, v in totals.items() if m not in own_majors), key=lambda x: (-x[1], x[0]))
    region_cities = set(college.cities)
    unmet = []
    for rank, (major_code, workers) in enumerate(unmet_rows[:top], start=1):
        major = catalog.majors.get(major_code)
        occupations = region.occupations(major_code, college.cities)
        occ = tuple(OccupationDemand(o, catalog.occupations[o].name if o in catalog.occupations else o, v)
                    for o, v in sorted(occupations.items(), key=lambda x: (-x[1], x[0])))
        others = sum(1 for cid, majors in offered.items() if cid != college_id and major_code in majors
                     and region_cities & set(catalog.colleges[cid].cities))
        unmet.append(UnmetMajor(rank, major_code, major.name if major else major_code, major.level if major else "",
                                workers, region.by_city(major_code, college.cities), occ,
                                workers - sum(occupations.values()), others))

    curricula = _curricula(store)
    taught: set[str] = set()
    for pid in core.program_ids:
        taught |= curricula.by_program.get(pid, set())
    gap_demand: dict[str, int] = defaultdict(int)
    gap_majors: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for major_code, workers in totals.items():
        for course in curricula.by_major.get(major_code, set()) - taught:
            gap_demand[course] += workers
            gap_majors[course].append((workers, major_code))
    gaps = []
    for course, demand in sorted(gap_demand.items(), key=lambda x: (-x[1], curricula.display[x[0]]))[:top]:
        majors = tuple((m, catalog.majors[m].name if m in catalog.majors else m)
                       for _, m in sorted(gap_majors[course], key=lambda x: (-x[0], x[1])))
        gaps.append(CourseGap(curricula.display[course], demand, majors))

    return CollegeDemand(
        college_id=college_id, name=college.name, kind=college.kind, city=college.city, cities=college.cities,
        k=k, months=months, interested=core.interested,
        monthly={m: s.value(("college_month", m)) for m in months},
        programs=tuple(programs), unmet=tuple(unmet), course_gaps=tuple(gaps),
        peers=_peer_comparison(store, college, core, k),
    )


@dataclass(frozen=True)
class CollegeSummary:
    college_id: str
    name: str
    kind: str
    city: str
    cities: tuple[str, ...]
    programs: int

    def to_dict(self) -> dict:
        return {"college_id": self.college_id, "name": self.name, "kind": self.kind, "city": self.city,
                "cities": list(self.cities), "programs": self.programs}


def list_colleges(catalog: Catalog) -> list[CollegeSummary]:
    """Every college of the catalog (id, name, kind, seat, cities, number of programs), by id."""
    return [CollegeSummary(c.college_id, c.name, c.kind, c.city, c.cities,
                           len(catalog.programs_by_college.get(c.college_id, ())))
            for c in sorted(catalog.colleges.values(), key=lambda c: c.college_id)]
