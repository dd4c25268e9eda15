"""The stored feedback as the library's demand input: a :class:`recommender.demand.DemandStore` over the
database.

Each feedback event becomes one row of the activity events format (``recommender.demand.events``): its college
and major come from the catalog in service (events about programs it no longer has are left out, as are
``rating`` events and events that name no program), the worker's city and occupation from the profile, the
month
from when it happened (UTC). Worker profiles go along for the subsidy projection.
"""

from __future__ import annotations

import pyarrow as pa
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.db.models import FeedbackEventRow, WorkerRow
from api.schemas.common import as_utc
from recommender.catalog.catalog import Catalog
from recommender.demand import DemandStore
from recommender.demand.events import EVENT_COLUMNS, EVENT_TYPES, WORKER_COLUMNS

DUCKDB_THREADS = 2  # the service answers other requests meanwhile


def _table(rows: list[tuple], columns: tuple[str, ...], types: dict[str, pa.DataType]) -> pa.Table:
    values = list(zip(*rows)) if rows else [() for _ in columns]
    return pa.table({c: pa.array(list(v), type=types.get(c, pa.string())) for c, v in zip(columns, values)})


def demand_store(session: Session, catalog: Catalog, *, region: str = "") -> DemandStore:
    """A demand store over every stored feedback event (of workers in ``region``, a province, when given).

    Parameters
    ----------
    session
        Open session.
    catalog
        The catalog in service.
    region
        Province to keep ('' for all).
    """
    query = (
        select(
            FeedbackEventRow.event_type,
            FeedbackEventRow.worker_id,
            FeedbackEventRow.program_id,
            FeedbackEventRow.major_code,
            FeedbackEventRow.occurred_at,
            FeedbackEventRow.recommendation_id,
            FeedbackEventRow.rank,
            FeedbackEventRow.model_version,
            WorkerRow.city,
            WorkerRow.occupation_code,
        )
        .join(WorkerRow, WorkerRow.worker_id == FeedbackEventRow.worker_id)
        .where(FeedbackEventRow.event_type.in_(EVENT_TYPES), FeedbackEventRow.program_id != "")
        .order_by(FeedbackEventRow.event_id)
    )
    if region:
        query = query.where(WorkerRow.province == region)
    events = []
    for (
        event_type,
        worker_id,
        program_id,
        major_code,
        occurred_at,
        rec_id,
        rank,
        model,
        city,
        occupation,
    ) in session.execute(query):
        program = catalog.programs.get(program_id)
        if program is None:
            continue
        events.append(
            (
                event_type,
                worker_id,
                program_id,
                major_code or program.major_code,
                program.college_id,
                occupation,
                city,
                as_utc(occurred_at).strftime("%Y-%m"),
                rec_id,
                rank,
                model,
            )
        )
    enrolled = select(FeedbackEventRow.worker_id).where(FeedbackEventRow.event_type == "enrolment")
    people = select(
        WorkerRow.worker_id,
        WorkerRow.job_title,
        WorkerRow.occupation_code,
        WorkerRow.education,
        WorkerRow.city,
        WorkerRow.province,
        WorkerRow.union_member,
        WorkerRow.honours,
    ).where(WorkerRow.worker_id.in_(enrolled))  # the profiles the subsidy projection prices
    if region:
        people = people.where(WorkerRow.province == region)
    workers = [
        (wid, title, occupation, occupation, education, city, province, member, ";".join(honours))
        for wid, title, occupation, education, city, province, member, honours in session.execute(people)
    ]
    return DemandStore(
        catalog,
        _table(events, EVENT_COLUMNS, {"rank": pa.int64()}),
        workers=_table(workers, WORKER_COLUMNS, {"union_member": pa.bool_()}),
        threads=DUCKDB_THREADS,
    )
