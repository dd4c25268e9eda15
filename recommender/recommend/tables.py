"""Every program of a catalog as rows of NumPy arrays: the hard constraints and the subsidies for many workers.

A worker's hard constraints (eligibility, place, mode and schedule) read five of their fields, and the subsidies
read the policies' worker conditions only through ``SubsidyEvaluator.worker_key``. So the outcome for every program
is a table kept by those fields (``ProgramTables.checks``) or that key (``ProgramTables.subsidies``), and one
worker's candidate programs are filtered and scored by array lookups instead of a Python loop per program.

The tables are filled by the reference functions themselves (``is_eligible``, ``check_place``, ``check_mode``,
``SubsidyEvaluator``), called once per class of programs they cannot tell apart: the level and entry route for
eligibility; the places and mode, and the college's cities and province, for the place; the mode and schedule for
the mode; the level, entry route and total tuition for the subsidies. Where a reference function raises, the program is marked ``REFERENCE``: a worker
for whom such a program matters is recommended by the reference path, which raises (or not) as it always did.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from recommender.catalog.catalog import Catalog
from recommender.catalog.model import Program, Worker
from recommender.recommend.constraints import REACH_ORDER, check_mode, check_place
from recommender.rules.eligibility import is_eligible
from recommender.rules.subsidies import SubsidyEvaluator, SubsidyResult

# Check codes, in the order ``Recommender`` applies the checks.
PASS, NOT_PARTNER, ELIGIBILITY, PLACE, MODE, SCHEDULE, BUDGET, REFERENCE = range(8)
CONSTRAINT_OF = {ELIGIBILITY: "eligibility", PLACE: "place", MODE: "mode", SCHEDULE: "schedule", BUDGET: "budget"}
_MODE_CODES = {None: PASS, "mode": MODE, "schedule": SCHEDULE}
NO_REACH = -1
REACH_CODE = {how: i for i, how in enumerate(REACH_ORDER)}


def check_key(worker: Worker, place_scope: str) -> tuple:
    """The worker fields the hard constraints read, and the place scope."""
    return (worker.education, worker.city, worker.province, tuple(worker.preferred_modes), worker.can_stop_working,
            place_scope)


class ProgramTables:
    """Arrays over the programs of ``catalog`` (in ``catalog.programs`` order), built lazily and kept.

    Parameters
    ----------
    catalog : Catalog
    subsidies : SubsidyEvaluator
    max_bytes : int
        Each kind of table (checks, places, subsidies) is kept up to about this many bytes (a check table is 2
        bytes per program, a subsidy table 16); past it, that kind starts again. The demo population of 100,000
        workers has 819 check keys and 17 subsidy keys.
    """

    def __init__(self, catalog: Catalog, subsidies: SubsidyEvaluator, max_bytes: int = 64 << 20):
        self.catalog = catalog
        self.subsidy_evaluator = subsidies
        self.programs: list[Program] = list(catalog.programs.values())
        rows = max(len(self.programs), 1)
        self.max_check_keys = max(16, max_bytes // (2 * rows))
        self.max_place_keys = max(16, max_bytes // (3 * rows))  # also for the eligibility and mode tables
        self.max_subsidy_keys = max(16, max_bytes // (16 * rows))
        self.position = {p.program_id: i for i, p in enumerate(self.programs)}
        colleges = catalog.colleges
        self.colleges = [colleges[p.college_id] for p in self.programs]
        # The rank of each program id in sorted order: ties in score go to the smaller id.
        self.id_rank = np.empty(len(self.programs), dtype=np.int64)
        self.id_rank[sorted(range(len(self.programs)), key=lambda i: self.programs[i].program_id)] = \
            np.arange(len(self.programs))
        major_number: dict[str, int] = {}
        college_number: dict[str, int] = {}
        self.major = np.array([major_number.setdefault(p.major_code, len(major_number)) for p in self.programs],
                              dtype=np.int64)
        self.college = np.array([college_number.setdefault(p.college_id, len(college_number))
                                 for p in self.programs], dtype=np.int64)
        self.partner = np.array([c.is_partner for c in self.colleges], dtype=bool)
        self.by_major = {code: np.array([self.position[pid] for pid in pids], dtype=np.intp)
                         for code, pids in catalog.programs_by_major.items()}
        self._eligibility_class = _classes([(p.level, p.entry_route) for p in self.programs])
        self._place_class = _classes([(tuple(p.places), p.study_mode, tuple(c.cities), c.province)
                                      for p, c in zip(self.programs, self.colleges)])
        self._mode_class = _classes([(p.study_mode, tuple(p.schedule)) for p in self.programs])
        self._subsidy_class = _classes([(p.level, p.entry_route, p.total_tuition) for p in self.programs])
        self._eligibility: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._place: dict[tuple, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self._mode: dict[tuple, np.ndarray] = {}
        self._checks: dict[tuple, tuple[np.ndarray, np.ndarray]] = {}
        self._subsidies: dict[tuple, tuple[np.ndarray, np.ndarray, list[SubsidyResult]]] = {}
        self._levels: dict[tuple, np.ndarray] = {}

    # -- candidates --------------------------------------------------------------------------------------------
    def at_levels(self, levels: Sequence[str]) -> np.ndarray:
        """Positions of the programs at ``levels``, in catalog order."""
        key = tuple(levels)
        found = self._levels.get(key)
        if found is None:
            wanted = set(levels)
            found = self._levels[key] = np.array([i for i, p in enumerate(self.programs) if p.level in wanted],
                                                 dtype=np.intp)
        return found

    # -- hard constraints --------------------------------------------------------------------------------------
    def checks(self, worker: Worker, place_scope: str) -> tuple[np.ndarray, np.ndarray]:
        """For every program, the check code (``PASS``, ``NOT_PARTNER``, ``ELIGIBILITY``, ``PLACE``, ``MODE``,
        ``SCHEDULE`` or ``REFERENCE``) and the reach code (``REACH_CODE``, or ``NO_REACH``): what
        ``Recommender._check(program, worker, place_scope)`` returns, for every worker with this ``check_key``."""
        key = check_key(worker, place_scope)
        found = self._checks.get(key)
        if found is None:
            if len(self._checks) >= self.max_check_keys:
                self._checks.clear()
            eligible, eligibility_failed = self._eligibility_of(worker)
            place_excluded, reach, place_failed = self._place_of(worker, place_scope)
            code = self._mode_of(worker)
            code = np.where(place_failed, REFERENCE, np.where(place_excluded, PLACE, code))
            code = np.where(eligibility_failed, REFERENCE, np.where(eligible, code, ELIGIBILITY))
            code = np.where(self.partner, code, NOT_PARTNER).astype(np.int8)
            found = self._checks[key] = (code, reach)
        return found

    def _eligibility_of(self, worker: Worker) -> tuple[np.ndarray, np.ndarray]:
        """Whether each program admits the worker's education, and where the decision raised."""
        found = self._eligibility.get(worker.education)
        if found is None:
            if len(self._eligibility) >= self.max_place_keys:
                self._eligibility.clear()
            classes, representatives = self._eligibility_class
            allowed = np.zeros(len(representatives), dtype=bool)
            failed = np.zeros(len(representatives), dtype=bool)
            for k, i in enumerate(representatives):
                try:
                    allowed[k] = is_eligible(worker, self.programs[i]).allowed
                except Exception:  # noqa: BLE001 - the reference path raises it, for a worker it concerns
                    failed[k] = True
            found = self._eligibility[worker.education] = (allowed[classes], failed[classes])
        return found

    def _place_of(self, worker: Worker, place_scope: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per program: excluded by place (or scope), the reach code, and where ``check_place`` raised."""
        key = (worker.city, worker.province, place_scope)
        found = self._place.get(key)
        if found is None:
            if len(self._place) >= self.max_place_keys:
                self._place.clear()
            classes, representatives = self._place_class
            excluded = np.zeros(len(representatives), dtype=bool)
            reach = np.full(len(representatives), NO_REACH, dtype=np.int8)
            failed = np.zeros(len(representatives), dtype=bool)
            for k, i in enumerate(representatives):
                try:
                    how, exclusion = check_place(self.programs[i], self.colleges[i], worker, place_scope)
                except Exception:  # noqa: BLE001 - see _eligibility_of
                    failed[k] = True
                    continue
                excluded[k] = exclusion is not None
                reach[k] = NO_REACH if how is None else REACH_CODE[how]
            found = self._place[key] = (excluded[classes], reach[classes], failed[classes])
        return found

    def _mode_of(self, worker: Worker) -> np.ndarray:
        """Per program: ``PASS``, ``MODE``, ``SCHEDULE`` (``check_mode``), or ``REFERENCE`` where it raised."""
        key = (tuple(worker.preferred_modes), worker.can_stop_working)
        found = self._mode.get(key)
        if found is None:
            if len(self._mode) >= self.max_place_keys:
                self._mode.clear()
            classes, representatives = self._mode_class
            code = np.zeros(len(representatives), dtype=np.int8)
            for k, i in enumerate(representatives):
                try:
                    exclusion = check_mode(self.programs[i], worker)
                    code[k] = _MODE_CODES[exclusion.constraint if exclusion else None]
                except Exception:  # noqa: BLE001 - see _eligibility_of
                    code[k] = REFERENCE
            found = self._mode[key] = code[classes]
        return found

    # -- subsidies ---------------------------------------------------------------------------------------------
    def subsidies(self, key: tuple) -> tuple[np.ndarray, np.ndarray, list[SubsidyResult]]:
        """For workers of subsidy key ``key`` (``SubsidyEvaluator.worker_key``): per program the index of its
        result in the returned list (``-1`` where the evaluation raised) and its net cost (0 there), and the
        distinct results."""
        found = self._subsidies.get(key)
        if found is None:
            if len(self._subsidies) >= self.max_subsidy_keys:
                self._subsidies.clear()
            classes, representatives = self._subsidy_class
            evaluate = self.subsidy_evaluator.for_key(key)
            results: list[SubsidyResult] = []
            number = np.full(len(representatives), -1, dtype=np.int64)
            for k, i in enumerate(representatives):
                try:
                    result = evaluate(self.programs[i])
                except Exception:  # noqa: BLE001, S112 - see _eligibility_of
                    continue
                number[k] = len(results)
                results.append(result)
            net = np.array([r.net_cost for r in results] + [0], dtype=np.int64)[number]  # -1: the 0 at the end
            found = self._subsidies[key] = (number[classes], net[classes], results)
        return found


def _classes(keys: list) -> tuple[np.ndarray, list[int]]:
    """The class of every row (rows with equal keys share one) and the first row of each class."""
    number: dict = {}
    representatives: list[int] = []
    classes = np.empty(len(keys), dtype=np.intp)
    for i, key in enumerate(keys):
        k = number.get(key)
        if k is None:
            k = number[key] = len(representatives)
            representatives.append(i)
        classes[i] = k
    return classes, representatives
