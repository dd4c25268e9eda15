"""The union's report: participants and applicants by city and month, projected subsidy spend, demand vs places.

Definitions (counts are distinct workers):

- **Participants / applicants / enrolled by city and month**: each worker counts once, in their city (the city of
  their latest event) and in the month of their *first* event of the kind (any event · an application · an
  enrolment). So the months add up to the city's figure and the cities to the month's figure.
- **Projected subsidy spend**: every enrolled worker's first enrolment is priced with
  ``recommender.rules.subsidies.evaluate_subsidies`` (worker profile × program, total tuition) and the lines are
  summed per policy: what the policies would pay if each enrolment ran to the end of its program — the ``upfront``
  lines at enrolment, the ``on_graduation`` lines later. ``workers``: distinct workers with a line of the policy.
- **Places**: ``programs × NOMINAL_CLASS_SIZE`` — one teaching class of 40 seats per program per intake year (the
  usual size of an adult-education class; the catalog does not give capacities).
- **Demand for places** of a major: distinct workers who applied to any program of it, plus the headcount of the
  enterprise class requests for it. **Gap** = demand − places (positive: more demand than seats).

With ``k=None`` (the default) the figures are exact: the union's own view. With a k (exports, anything shown
outside the union) they pass through ``recommender.demand.privacy``: city × month tables with their row, column and
grand totals are suppressed together; a policy row under k workers is withheld and yuan totals add up the
published rows only; enterprise figures need at least ``MIN_ENTERPRISES`` enterprises behind them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from recommender.catalog.model import Worker
from recommender.demand.privacy import Group, check_k, suppress
from recommender.demand.store import DemandStore
from recommender.demand.tables import PublishedGroup, Table, cell
from recommender.errors import UserError
from recommender.rules.subsidies import default_policies, evaluate_subsidies

NOMINAL_CLASS_SIZE = 40
MIN_ENTERPRISES = 3
MEASURES: dict[str, str] = {
    "participants": "Participants (workers, by month of first activity)",
    "applicants": "Applicants (workers, by month of first application)",
    "enrolled": "Enrolled (workers, by month of first enrolment)",
}


@dataclass(frozen=True)
class CityMonthTable:
    """Workers per city and month, with city, month and grand totals (``None``: withheld)."""

    measure: str
    title: str
    cities: tuple[str, ...]
    months: tuple[str, ...]
    cells: dict[str, dict[str, int | None]]  # city → month → workers
    city_totals: dict[str, int | None]
    month_totals: dict[str, int | None]
    total: int | None

    def to_dict(self) -> dict:
        return {"measure": self.measure, "title": self.title, "months": list(self.months), "total": self.total,
                "month_totals": dict(self.month_totals),
                "rows": [{"city": c, "total": self.city_totals[c], "months": dict(self.cells[c])}
                         for c in self.cities]}

    def published_groups(self) -> list[PublishedGroup]:
        out = [PublishedGroup(f"{self.measure} by city", self.total, tuple(self.city_totals.values())),
               PublishedGroup(f"{self.measure} by month", self.total, tuple(self.month_totals.values()))]
        out += [PublishedGroup(f"{self.measure} {c} by month", self.city_totals[c], tuple(self.cells[c].values()))
                for c in self.cities]
        out += [PublishedGroup(f"{self.measure} {m} by city", self.month_totals[m],
                               tuple(self.cells[c][m] for c in self.cities)) for m in self.months]
        return out

    def table(self, k: int | None) -> Table:
        rows = [(c, cell(self.city_totals[c], k), *(cell(self.cells[c][m], k) for m in self.months))
                for c in self.cities]
        rows.append(("(all)", cell(self.total, k), *(cell(self.month_totals[m], k) for m in self.months)))
        return Table(self.measure, self.title, ("city", "total", *self.months), tuple(rows))


@dataclass(frozen=True)
class PolicySpend:
    policy_id: str
    name: str
    workers: int | None
    upfront_yuan: int | None
    on_graduation_yuan: int | None
    total_yuan: int | None

    def to_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass(frozen=True)
class SubsidyProjection:
    """Projected subsidy spend of the period's enrolments, per policy."""

    available: bool
    enrolled: int | None = None
    subsidised: int | None = None
    unsubsidised: int | None = None
    tuition_yuan: int | None = None
    policies: tuple[PolicySpend, ...] = ()
    note: str = ""

    @property
    def total_yuan(self) -> int:
        """Sum of the published policy rows."""
        return sum(p.total_yuan or 0 for p in self.policies)

    @property
    def upfront_yuan(self) -> int:
        return sum(p.upfront_yuan or 0 for p in self.policies)

    @property
    def on_graduation_yuan(self) -> int:
        return sum(p.on_graduation_yuan or 0 for p in self.policies)

    def to_dict(self) -> dict:
        return {"available": self.available, "enrolled": self.enrolled, "subsidised": self.subsidised,
                "unsubsidised": self.unsubsidised, "tuition_yuan": self.tuition_yuan,
                "total_yuan": self.total_yuan, "upfront_yuan": self.upfront_yuan,
                "on_graduation_yuan": self.on_graduation_yuan,
                "policies": [p.to_dict() for p in self.policies], "note": self.note}


@dataclass(frozen=True)
class MajorGap:
    major_code: str
    name: str
    level: str
    programs: int
    places: int
    applicants: int | None
    enterprise_headcount: int | None
    demand: int | None
    gap: int | None

    def to_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass(frozen=True)
class RequestSummary:
    major_code: str
    name: str
    requests: int | None
    enterprises: int | None
    headcount: int | None
    cities: tuple[str, ...]

    def to_dict(self) -> dict:
        return {**self.__dict__, "cities": list(self.cities)}


@dataclass(frozen=True)
class UnionReport:
    """The union's report (``recommender union report``, ``GET /union/report``)."""

    k: int | None
    months: tuple[str, ...]
    participants: CityMonthTable
    applicants: CityMonthTable
    enrolled: CityMonthTable
    subsidies: SubsidyProjection
    major_gaps: tuple[MajorGap, ...]
    enterprise_requests: tuple[RequestSummary, ...]
    nominal_class_size: int = NOMINAL_CLASS_SIZE
    notes: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict:
        return {
            "k": self.k, "months": list(self.months), "exact": self.k is None,
            "participants": self.participants.to_dict(), "applicants": self.applicants.to_dict(),
            "enrolled": self.enrolled.to_dict(), "subsidies": self.subsidies.to_dict(),
            "major_gaps": [g.to_dict() for g in self.major_gaps],
            "enterprise_requests": [r.to_dict() for r in self.enterprise_requests],
            "nominal_class_size": self.nominal_class_size, "notes": list(self.notes),
        }

    def published_groups(self) -> list[PublishedGroup]:
        s = self.subsidies
        return [*self.participants.published_groups(), *self.applicants.published_groups(),
                *self.enrolled.published_groups(),
                PublishedGroup("enrolled by subsidy", s.enrolled, (s.subsidised, s.unsubsidised))]

    def tables(self) -> list[Table]:
        k = self.k
        s = self.subsidies
        policies = Table("subsidies", "Projected subsidy spend per policy (yuan; rows withheld under k workers)", (
            "policy_id", "policy", "workers", "upfront_yuan", "on_graduation_yuan", "total_yuan"),
            tuple((p.policy_id, p.name, cell(p.workers, k), _yuan(p.upfront_yuan, k), _yuan(p.on_graduation_yuan, k),
                   _yuan(p.total_yuan, k)) for p in s.policies)
            + (("(published rows)", "", "", s.upfront_yuan, s.on_graduation_yuan, s.total_yuan),))
        gaps = Table("major_gaps", f"Demand vs places per major (places = programs × {self.nominal_class_size})", (
            "major_code", "major", "level", "programs", "places", "applicants", "enterprise_headcount", "demand",
            "gap"), tuple((g.major_code, g.name, g.level, g.programs, g.places, cell(g.applicants, k),
                           cell(g.enterprise_headcount, k), cell(g.demand, k), cell(g.gap, k))
                          for g in self.major_gaps))
        requests = Table("enterprise_requests", "Enterprise class requests per major", (
            "major_code", "major", "requests", "enterprises", "headcount", "cities"),
            tuple((r.major_code, r.name, _plain(r.requests), _plain(r.enterprises), _plain(r.headcount),
                   ";".join(r.cities)) for r in self.enterprise_requests))
        about = Table("about", "About these figures", ("item", "value"), (
            ("figures", "exact (union-internal)" if k is None else f"k-anonymous, k = {k}"),
            ("period", f"{self.months[0]}…{self.months[-1]}" if self.months else ""),
            ("enrolled", cell(s.enrolled, k)), ("subsidised", cell(s.subsidised, k)),
            ("tuition of enrolments (yuan)", _yuan(s.tuition_yuan, k)),
            ("nominal class size", self.nominal_class_size), *(("note", n) for n in self.notes)))
        return [self.participants.table(k), self.applicants.table(k), self.enrolled.table(k), policies, gaps,
                requests, about]


def _yuan(value: int | None, k: int | None) -> object:
    return f"withheld (<{k} workers)" if value is None else value


def _plain(value: int | None) -> object:
    return f"withheld (<{MIN_ENTERPRISES} enterprises)" if value is None else value


# ------------------------------------------------------------------------------------------- building
def _city_month_table(measure: str, rows, cities: tuple[str, ...], months: tuple[str, ...],
                      k: int | None) -> CityMonthTable:
    counts: dict[tuple, int] = defaultdict(int)
    for city, month, n in rows:
        counts[("cell", city, month)] += int(n)
        counts[("city", city)] += int(n)
        counts[("month", month)] += int(n)
        counts[("all",)] += int(n)
    groups = [Group(("all",), tuple(("city", c) for c in cities)),
              Group(("all",), tuple(("month", m) for m in months))]
    groups += [Group(("city", c), tuple(("cell", c, m) for m in months)) for c in cities]
    groups += [Group(("month", m), tuple(("cell", c, m) for c in cities)) for m in months]
    s = suppress(counts, groups, k)
    return CityMonthTable(
        measure, MEASURES[measure], cities, months,
        {c: {m: s.value(("cell", c, m)) for m in months} for c in cities},
        {c: s.value(("city", c)) for c in cities}, {m: s.value(("month", m)) for m in months}, s.value(("all",)))


def _subsidy_projection(store: DemandStore, k: int | None, progress: bool) -> SubsidyProjection:
    if not store.has_workers:
        return SubsidyProjection(False, note="no worker profiles in this activity: no subsidy projection")
    profiles = store.enrolled_profiles()
    catalog = store.catalog
    policies = default_policies()
    names = {p.policy_id: p.name for p in policies}
    per_policy: dict[str, dict[str, int]] = defaultdict(lambda: {"workers": 0, "upfront": 0, "on_graduation": 0})
    cache: dict[tuple, object] = {}
    enrolled = subsidised = tuition = 0
    from tqdm import tqdm

    rows = profiles[["worker_id", "program_id", "job_title", "occupation_code", "education", "city", "province",
                     "union_member", "honours"]].itertuples(index=False)
    for wid, pid, title, occupation, education, city, province, member, honours in tqdm(
            rows, total=len(profiles), desc="subsidy projection", unit="enrolment", disable=not progress,
            leave=False):
        program = catalog.programs.get(pid)
        if program is None:
            continue
        honour_tuple = tuple(h for h in str(honours or "").split(";") if h)
        key = (pid, title, occupation, education, city, province, bool(member), honour_tuple)
        result = cache.get(key)
        if result is None:
            worker = Worker(worker_id=str(wid), job_title=str(title or ""), occupation_code=str(occupation or ""),
                            education=str(education or "高中"), city=str(city or ""), province=str(province or ""),
                            union_member=bool(member), honours=honour_tuple)
            result = cache[key] = evaluate_subsidies(worker, program, policies=policies)
        enrolled += 1
        tuition += result.tuition  # type: ignore[attr-defined]
        lines = result.lines  # type: ignore[attr-defined]
        subsidised += bool(lines)
        for policy_id in {line.policy_id for line in lines}:
            per_policy[policy_id]["workers"] += 1
        for line in lines:
            per_policy[line.policy_id]["upfront" if line.timing == "upfront" else "on_graduation"] += line.amount
    counts = {("enrolled",): enrolled, ("subsidised",): subsidised, ("unsubsidised",): enrolled - subsidised}
    counts.update({("policy", p): v["workers"] for p, v in per_policy.items()})
    s = suppress(counts, [Group(("enrolled",), (("subsidised",), ("unsubsidised",)))], k)
    rows_out = []
    for policy_id, v in sorted(per_policy.items(), key=lambda x: (-(x[1]["upfront"] + x[1]["on_graduation"]), x[0])):
        published = s.published(("policy", policy_id))
        rows_out.append(PolicySpend(
            policy_id, names.get(policy_id, policy_id), s.value(("policy", policy_id)),
            v["upfront"] if published else None, v["on_graduation"] if published else None,
            v["upfront"] + v["on_graduation"] if published else None))
    return SubsidyProjection(
        True, s.value(("enrolled",)), s.value(("subsidised",)), s.value(("unsubsidised",)),
        tuition if s.published(("enrolled",)) else None, tuple(rows_out),
        note="If every enrolment runs to the end of its program: upfront lines are paid at enrolment, "
             "on_graduation lines are refunded after graduation. Totals add up the published rows.")


def _major_gaps(store: DemandStore, k: int | None) -> tuple[tuple[MajorGap, ...], tuple[RequestSummary, ...]]:
    catalog = store.catalog
    applicants = {m: int(n) for m, n in store.major_applicants()[["major_code", "workers"]].itertuples(index=False)}
    requests = store.requests_by_major()
    summaries, headcount = [], {}
    for major_code, n_requests, n_enterprises, heads, cities in requests[
            ["major_code", "requests", "enterprises", "headcount", "cities"]].itertuples(index=False):
        ok = k is None or int(n_enterprises) >= MIN_ENTERPRISES
        headcount[major_code] = int(heads) if ok else None
        major = catalog.majors.get(major_code)
        summaries.append(RequestSummary(major_code, major.name if major else major_code,
                                        int(n_requests) if ok else None, int(n_enterprises) if ok else None,
                                        int(heads) if ok else None,
                                        tuple(str(cities or "").split(";")) if ok and cities else ()))
    summaries.sort(key=lambda r: (-(r.headcount or 0), r.major_code))
    counts = {("applicants", m): n for m, n in applicants.items()}
    s = suppress(counts, [], k)
    gaps = []
    for major_code in sorted(set(catalog.programs_by_major) | set(applicants) | set(headcount)):
        major = catalog.majors.get(major_code)
        programs = len(catalog.programs_by_major.get(major_code, ()))
        places = programs * NOMINAL_CLASS_SIZE
        applied = s.value(("applicants", major_code))
        heads = headcount.get(major_code, 0)
        demand = None if applied is None else applied + (heads or 0)
        gaps.append(MajorGap(major_code, major.name if major else major_code, major.level if major else "",
                             programs, places, applied, heads, demand, None if demand is None else demand - places))
    gaps.sort(key=lambda g: (g.gap is None, -(g.gap or 0), g.major_code))
    return tuple(gaps), tuple(summaries)


def union_report(store: DemandStore, *, k: int | None = None, progress: bool = False,
                 step: Callable[[str], None] | None = None) -> UnionReport:
    """The union's report over the store's events.

    Parameters
    ----------
    store : DemandStore
        Events, worker profiles (for the subsidy projection), enterprise requests and the catalog.
    k : int or None, default None
        ``None``: exact figures (the union's own view). A whole number ≥ 1: k-anonymous figures (exports and
        anything shown outside the union).
    progress : bool, default False
        Show a progress bar (stderr) over the enrolments priced for the subsidy projection.
    step : callable, optional
        Called with the name of each step as it starts.

    Returns
    -------
    UnionReport

    Examples
    --------
    >>> report = union_report(store)  # doctest: +SKIP
    >>> report.participants.total, report.subsidies.total_yuan  # doctest: +SKIP
    """
    try:
        k = check_k(k)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    say = step or (lambda name: None)
    months = store.months()
    say("participants, applicants and enrolments by city and month")
    firsts = store.city_month_firsts()
    data_cities = set(firsts["city"].astype(str))
    college_cities = [c for col in store.catalog.colleges.values() for c in col.cities]
    totals = firsts[firsts["measure"] == "participants"].groupby("city")["workers"].sum().to_dict()
    cities = tuple(sorted(set(college_cities) | data_cities, key=lambda c: (-int(totals.get(c, 0)), c)))
    tables = {}
    for measure in MEASURES:
        part = firsts[firsts["measure"] == measure]
        tables[measure] = _city_month_table(measure, part[["city", "month", "workers"]].itertuples(index=False),
                                            cities, months, k)
    say("projected subsidy spend")
    subsidies = _subsidy_projection(store, k, progress)
    say("demand vs places")
    gaps, requests = _major_gaps(store, k)
    notes = ("Exact figures: for the union's own use; exports apply k." if k is None else
             f"Counts are distinct workers; figures under k = {k} are withheld, with complementary suppression "
             "so that no total minus its published parts falls between 1 and k−1.",)
    return UnionReport(k, months, tables["participants"], tables["applicants"], tables["enrolled"], subsidies,
                       gaps, requests, NOMINAL_CLASS_SIZE, notes)
