"""The activity directory format: feedback events, worker profiles and enterprise class requests, as Parquet.

Layout::

    activity.json                 manifest: generator, seed, sizes, counts, planted surge, catalog fingerprint
    events/2027-01.parquet …      one file per month (any number of ``*.parquet`` files is read)
    workers.parquet               worker profiles the subsidy projection needs (union-internal)
    enterprise_requests.parquet   enterprise class requests

``events`` columns (:data:`EVENT_COLUMNS`): ``event_type`` (one of :data:`EVENT_TYPES`), ``worker_id``,
``program_id``, ``major_code``, ``college_id``, ``occupation_code`` (the occupation the recommendation was made for),
``city`` (the worker's city), ``month`` (``YYYY-MM``), ``recommendation_id``, ``rank`` (1 = top), ``model_version``.
The event types are the service's feedback event types (``api.db.models.FEEDBACK_EVENT_TYPES`` less ``rating``).
"""

from __future__ import annotations

import re

EVENT_TYPES: tuple[str, ...] = ("impression", "click", "save", "application", "enrolment", "completion")
# How far along the funnel each event type is: a worker's stage for a program is the largest one they reached.
STAGE: dict[str, int] = {t: i for i, t in enumerate(EVENT_TYPES)}
# Demand: a worker who engaged with a program beyond seeing it (click or any later stage).
INTEREST_EVENTS: tuple[str, ...] = EVENT_TYPES[1:]

EVENT_COLUMNS: tuple[str, ...] = (
    "event_type", "worker_id", "program_id", "major_code", "college_id", "occupation_code", "city", "month",
    "recommendation_id", "rank", "model_version",
)
# What the demand model reads; the other columns are for ranking and evaluation.
REQUIRED_EVENT_COLUMNS: tuple[str, ...] = (
    "event_type", "worker_id", "program_id", "major_code", "college_id", "occupation_code", "city", "month",
)
WORKER_COLUMNS: tuple[str, ...] = (
    "worker_id", "job_title", "occupation_code", "true_occupation_code", "education", "city", "province",
    "union_member", "honours",
)
REQUEST_COLUMNS: tuple[str, ...] = (
    "request_id", "enterprise_id", "major_code", "occupation_code", "city", "headcount", "month",
)

MANIFEST = "activity.json"
EVENTS_DIR = "events"
WORKERS_FILE = "workers.parquet"
REQUESTS_FILE = "enterprise_requests.parquet"
FORMAT_VERSION = 1

YEAR = 2027
MONTHS: tuple[str, ...] = tuple(f"{YEAR}-{m:02d}" for m in range(1, 13))
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def is_month(text: str) -> bool:
    """Whether ``text`` is a month as the events write it (``2027-03``)."""
    return bool(_MONTH.match(text))
