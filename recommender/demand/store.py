"""The embedded analytics engine: DuckDB over the activity's Parquet files (or in-memory tables).

Every aggregation here is one SQL query over the events, grouped in DuckDB; Python only ever sees the aggregated
rows (never loops over events). Each base aggregation is computed once per store and cached. Two attribution rules
make the published groups partitions (see ``recommender.demand.privacy``):

- a worker's **city** is the city of their latest event (ties: the larger city name), so cities partition workers;
- behind a demanded major, a worker counts under **one occupation**: that of their latest signal for the major.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Self

import duckdb
import pandas as pd
import pyarrow as pa

from recommender.catalog.catalog import Catalog
from recommender.demand.activity import ActivityDataset, catalog_fingerprint, read_activity
from recommender.demand.events import (
    EVENT_COLUMNS,
    EVENT_TYPES,
    INTEREST_EVENTS,
    REQUEST_COLUMNS,
    REQUIRED_EVENT_COLUMNS,
    WORKER_COLUMNS,
    is_month,
)
from recommender.errors import UserError

Source = str | Path | pa.Table | pd.DataFrame


def _sql_list(values: Sequence[str]) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


_STAGE_SQL = "CASE event_type " + " ".join(f"WHEN '{t}' THEN {i}" for i, t in enumerate(EVENT_TYPES)) + " END"
_INTEREST = f"event_type IN ({_sql_list(INTEREST_EVENTS)})"


def feedback_to_events(feedback: pd.DataFrame, catalog: Catalog, workers: pd.DataFrame) -> pd.DataFrame:
    """Turn the service's feedback events into demand events (the columns the store reads), vectorised.

    Parameters
    ----------
    feedback : pandas.DataFrame
        ``worker_id, event_type, program_id, occurred_at`` (datetime), optionally ``recommendation_id, rank,
        model_version`` — the rows of ``api.db.models.FeedbackEventRow``. ``rating`` events and events on a
        program the catalog does not know are dropped.
    catalog : Catalog
        Gives each program's college and major.
    workers : pandas.DataFrame
        ``worker_id, city`` and ``occupation_code`` (the occupation the worker's recommendations were made for).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`~recommender.demand.events.EVENT_COLUMNS`, ready for ``DemandStore(catalog, frame)``.
    """
    missing = [c for c in ("worker_id", "event_type", "program_id", "occurred_at") if c not in feedback.columns]
    missing += [f"workers.{c}" for c in ("worker_id", "city", "occupation_code") if c not in workers.columns]
    if missing:
        raise UserError(f"feedback_to_events: column(s) missing: {', '.join(missing)}")
    frame = feedback[feedback["event_type"].isin(EVENT_TYPES)
                     & feedback["program_id"].isin(list(catalog.programs))].copy()
    programs = frame["program_id"].map(catalog.programs)
    frame["college_id"] = programs.map(lambda p: p.college_id)
    frame["major_code"] = programs.map(lambda p: p.major_code)
    profile = workers.set_index("worker_id")
    frame["city"] = frame["worker_id"].map(profile["city"]).fillna("")
    frame["occupation_code"] = frame["worker_id"].map(profile["occupation_code"]).fillna("")
    frame["month"] = pd.to_datetime(frame["occurred_at"]).dt.strftime("%Y-%m")
    for column, default in (("recommendation_id", ""), ("rank", 0), ("model_version", "")):
        if column not in frame.columns:
            frame[column] = default
    return frame[list(EVENT_COLUMNS)].reset_index(drop=True)


class DemandStore:
    """Aggregations of feedback events, over Parquet files or in-memory tables, with the catalog beside them.

    Parameters
    ----------
    catalog : Catalog
        Colleges, programs, majors and courses the events refer to.
    events : str, Path, pyarrow.Table or pandas.DataFrame
        An events directory or glob of Parquet files (``…/events`` or ``…/events/*.parquet``), or a table with
        the columns :data:`~recommender.demand.events.REQUIRED_EVENT_COLUMNS`.
    workers : str, Path, pyarrow.Table or pandas.DataFrame, optional
        Worker profiles (:data:`~recommender.demand.events.WORKER_COLUMNS`), for the subsidy projection.
    requests : str, Path, pyarrow.Table or pandas.DataFrame, optional
        Enterprise class requests (:data:`~recommender.demand.events.REQUEST_COLUMNS`).
    threads : int, optional
        DuckDB threads (default: the machine's cores).

    Examples
    --------
    >>> store = DemandStore.open("var/demo/activity", catalog)  # doctest: +SKIP
    >>> store.program_stages().head()  # doctest: +SKIP
    """

    def __init__(self, catalog: Catalog, events: Source, *, workers: Source | None = None,
                 requests: Source | None = None, threads: int | None = None):
        self.catalog = catalog
        self.con = duckdb.connect()
        self.con.execute(f"SET threads = {int(threads or os.cpu_count() or 1)}")
        self._cache: dict[object, object] = {}
        self._register("events", events, REQUIRED_EVENT_COLUMNS)
        self.has_workers = workers is not None
        self.has_requests = requests is not None
        if workers is not None:
            self._register("workers", workers, WORKER_COLUMNS)
        if requests is not None:
            self._register("requests", requests, REQUEST_COLUMNS)
        bad = [m for (m,) in self.con.execute("SELECT DISTINCT month FROM events").fetchall() if not is_month(str(m))]
        if bad:
            raise UserError(f"events: month must be YYYY-MM, found {', '.join(map(str, bad[:5]))}")
        unknown = [t for (t,) in self.con.execute(
            f"SELECT DISTINCT event_type FROM events WHERE event_type NOT IN ({_sql_list(EVENT_TYPES)})").fetchall()]
        if unknown:
            raise UserError(f"events: unknown event_type {', '.join(map(str, unknown[:5]))}; "
                            f"expected one of {', '.join(EVENT_TYPES)}")

    @classmethod
    def open(cls, activity: ActivityDataset | str | Path, catalog: Catalog, *, check_catalog: bool = True,
             threads: int | None = None) -> DemandStore:
        """A store over an activity directory (``recommender.demand.events``).

        Raises
        ------
        UserError
            When the directory is not an activity directory, or (``check_catalog``) was generated from another
            catalog than ``catalog``.
        """
        data = activity if isinstance(activity, ActivityDataset) else read_activity(activity)
        if data is None:
            raise UserError(f"{activity} is not an activity directory (no activity.json and events/); "
                            "generate one with `recommender activity generate --out DIR`")
        expected = data.manifest.get("catalog_fingerprint")
        if check_catalog and expected and expected != catalog_fingerprint(catalog):
            raise UserError(f"the activity in {data.root} was generated for another catalog "
                            f"({data.manifest.get('catalog') or 'unknown'}); regenerate it with "
                            f"`recommender activity generate --out {data.root}`")
        return cls(catalog, data.events_glob,
                   workers=data.workers_path if data.workers_path.is_file() else None,
                   requests=data.requests_path if data.requests_path.is_file() else None, threads=threads)

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------------------------------------- plumbing
    def _register(self, name: str, source: Source, required: Sequence[str]) -> None:
        if isinstance(source, (pa.Table, pd.DataFrame)):
            self.con.register(f"{name}_source", source)
            self.con.execute(f"CREATE VIEW {name} AS SELECT * FROM {name}_source")
        else:
            path = Path(source)
            glob = str(path / "*.parquet") if path.is_dir() else str(path)
            if path.is_dir() and not any(path.glob("*.parquet")):
                raise UserError(f"{path} holds no .parquet files")
            if not path.is_dir() and "*" not in glob and not path.is_file():
                raise UserError(f"{path} does not exist")
            quoted = glob.replace("'", "''")
            self.con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{quoted}', union_by_name = true)")
        columns = {row[0] for row in self.con.execute(f"DESCRIBE {name}").fetchall()}
        missing = [c for c in required if c not in columns]
        if missing:
            raise UserError(f"{name}: column(s) missing: {', '.join(missing)} (found: {', '.join(sorted(columns))})")

    def _cached(self, key: object, sql: str) -> pd.DataFrame:
        if key not in self._cache:
            self._cache[key] = self.con.execute(sql).df()
        return self._cache[key]  # type: ignore[return-value]

    def _worker_city(self) -> str:
        """Create (once) the temp table ``worker_city``: each worker's city, by their latest event."""
        if "worker_city" not in self._cache:
            self.con.execute("CREATE OR REPLACE TEMP TABLE worker_city AS SELECT worker_id, "
                             "arg_max(city, (month, city)) AS city FROM events GROUP BY worker_id")
            self._cache["worker_city"] = True
        return "worker_city"

    # ------------------------------------------------------------------------------------------- aggregations
    def months(self) -> tuple[str, ...]:
        """The months the events cover, first to last (every month in between, even if empty)."""
        frame = self._cached("months", "SELECT min(month) AS lo, max(month) AS hi FROM events")
        lo, hi = frame.iloc[0]["lo"], frame.iloc[0]["hi"]
        if lo is None or pd.isna(lo):
            return ()
        out, (y, m) = [], map(int, str(lo).split("-"))
        while f"{y}-{m:02d}" <= str(hi):
            out.append(f"{y}-{m:02d}")
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return tuple(out)

    def program_stages(self) -> pd.DataFrame:
        """Workers per (college, program, furthest stage, month of first interest).

        Columns ``college_id, program_id, stage`` (0 = only shown … 5 = completion), ``first_month`` (the month
        of the worker's first click-or-later event for the program; null for stage 0), ``workers``.
        """
        return self._cached("program_stages", f"""
            WITH pw AS (
                SELECT college_id, program_id, worker_id, max({_STAGE_SQL}) AS stage,
                       min(month) FILTER (WHERE {_INTEREST}) AS first_month
                FROM events GROUP BY college_id, program_id, worker_id)
            SELECT college_id, program_id, stage, first_month, count(*)::BIGINT AS workers
            FROM pw GROUP BY ALL ORDER BY ALL""")

    def college_first_months(self) -> pd.DataFrame:
        """Workers interested in any program of a college, by the month of their first interest there."""
        return self._cached("college_first_months", f"""
            WITH cw AS (SELECT college_id, worker_id, min(month) AS first_month
                        FROM events WHERE {_INTEREST} GROUP BY college_id, worker_id)
            SELECT college_id, first_month, count(*)::BIGINT AS workers FROM cw GROUP BY ALL ORDER BY ALL""")

    def city_major_occupations(self) -> pd.DataFrame:
        """Interested workers per (worker's city, major, occupation behind the interest)."""
        table = self._worker_city()
        return self._cached("city_major_occupations", f"""
            WITH wm AS (SELECT worker_id, major_code,
                               arg_max(occupation_code, (month, occupation_code)) AS occupation_code
                        FROM events WHERE {_INTEREST} GROUP BY worker_id, major_code)
            SELECT c.city, wm.major_code, wm.occupation_code, count(*)::BIGINT AS workers
            FROM wm JOIN {table} c USING (worker_id) GROUP BY ALL ORDER BY ALL""")

    def city_month_firsts(self) -> pd.DataFrame:
        """Workers per (measure, city, month): the month of each worker's first event of the measure.

        Measures: ``participants`` (any event), ``applicants`` (an application), ``enrolled`` (an enrolment).
        """
        table = self._worker_city()
        return self._cached("city_month_firsts", f"""
            WITH w AS MATERIALIZED (
                SELECT e.worker_id, c.city, min(e.month) AS first_any,
                       min(e.month) FILTER (WHERE e.event_type = 'application') AS first_application,
                       min(e.month) FILTER (WHERE e.event_type = 'enrolment') AS first_enrolment
                FROM events e JOIN {table} c USING (worker_id) GROUP BY e.worker_id, c.city)
            SELECT 'participants' AS measure, city, first_any AS month, count(*)::BIGINT AS workers
                FROM w GROUP BY ALL
            UNION ALL SELECT 'applicants', city, first_application, count(*)::BIGINT
                FROM w WHERE first_application IS NOT NULL GROUP BY ALL
            UNION ALL SELECT 'enrolled', city, first_enrolment, count(*)::BIGINT
                FROM w WHERE first_enrolment IS NOT NULL GROUP BY ALL
            ORDER BY ALL""")

    def major_applicants(self) -> pd.DataFrame:
        """Distinct workers who applied to a program of each major: ``major_code, workers``."""
        return self._cached("major_applicants", """
            SELECT major_code, count(DISTINCT worker_id)::BIGINT AS workers
            FROM events WHERE event_type = 'application' GROUP BY major_code ORDER BY major_code""")

    def enrolments(self) -> pd.DataFrame:
        """Each enrolled worker's first enrolment: ``worker_id, program_id, month``."""
        return self._cached("enrolments", """
            SELECT worker_id, arg_min(program_id, (month, program_id)) AS program_id, min(month) AS month
            FROM events WHERE event_type = 'enrolment' GROUP BY worker_id ORDER BY worker_id""")

    def enrolled_profiles(self) -> pd.DataFrame:
        """The profiles (``WORKER_COLUMNS``) of the enrolled workers with their first enrolment's program."""
        if not self.has_workers:
            raise UserError("no worker profiles in this activity: the subsidy projection needs workers.parquet")
        self.enrolments()
        if "enrolled_profiles" not in self._cache:
            self.con.register("enrolled_source", self._cache["enrolments"])
            cols = ", ".join(f"w.{c}" for c in WORKER_COLUMNS if c != "worker_id")
            self._cache["enrolled_profiles"] = self.con.execute(
                f"SELECT e.worker_id, e.program_id, e.month, {cols} FROM enrolled_source e "
                "JOIN workers w USING (worker_id) ORDER BY e.worker_id").df()
        return self._cache["enrolled_profiles"]  # type: ignore[return-value]

    def requests_by_major(self) -> pd.DataFrame:
        """Enterprise class requests per major: ``major_code, requests, enterprises, headcount, cities``."""
        if not self.has_requests:
            return pd.DataFrame(columns=["major_code", "requests", "enterprises", "headcount", "cities"])
        return self._cached("requests_by_major", """
            SELECT major_code, count(*)::BIGINT AS requests, count(DISTINCT enterprise_id)::BIGINT AS enterprises,
                   sum(headcount)::BIGINT AS headcount, string_agg(DISTINCT city, ';' ORDER BY city) AS cities
            FROM requests GROUP BY major_code ORDER BY major_code""")

    def aggregate_all(self) -> dict[str, int]:
        """Run every base aggregation (what the benchmark times); rows per result."""
        out = {
            "program_stages": len(self.program_stages()),
            "college_first_months": len(self.college_first_months()),
            "city_major_occupations": len(self.city_major_occupations()),
            "city_month_firsts": len(self.city_month_firsts()),
            "major_applicants": len(self.major_applicants()),
            "enrolments": len(self.enrolments()),
        }
        if self.has_requests:
            out["requests_by_major"] = len(self.requests_by_major())
        return out

    def event_count(self) -> int:
        return int(self.con.execute("SELECT count(*) FROM events").fetchone()[0])
