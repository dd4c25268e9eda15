"""The service's own region-wide overview (registered workers, feedback, enterprises) for union staff,
suppressed
with the library's one method (``recommender.demand.privacy``). The demand report itself is the library's
``recommender.demand.union_report``.

Every figure is a count of distinct workers. Cells under k are withheld, and so are complementary cells, so
that
no withheld cell can be recovered by subtracting published figures from a published total (workers by city and
by education each partition the worker total). Figures that are not parts of one another (workers per event
type, per major, per program: one worker may be in several) are protected each on its own.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from api.db.models import EnterpriseRow, FeedbackEventRow, RosterMemberRow, WorkerRow
from recommender.catalog.catalog import Catalog
from recommender.demand.privacy import Group, suppress

CHOICE_EVENTS = ("application", "enrolment")
TOP = 20
NOT_GIVEN = "(not given)"
TOTAL = ("workers",)


def _rows(session: Session, query: Select) -> list[tuple[str, int]]:
    return [(group or NOT_GIVEN, int(n)) for group, n in session.execute(query)]


def union_overview(session: Session, *, k: int, region: str = "", catalog: Catalog | None = None) -> dict:
    """The figures of ``GET /union/overview``.

    Parameters
    ----------
    session
        Open session.
    k
        Smallest number of distinct workers behind a published figure (``K_ANONYMITY``).
    region
        A province name to limit worker, feedback and enterprise figures to ('' for all).
    catalog
        The catalog in service, for its counts.

    Returns
    -------
    dict
        The fields of :class:`api.schemas.reports.UnionOverview`; withheld figures are ``None`` or left out of
        the lists (and counted in ``suppressed_groups``).
    """

    def workers(query: Select) -> Select:
        return query.where(WorkerRow.province == region) if region else query

    def feedback(query: Select) -> Select:
        query = query.select_from(FeedbackEventRow)
        if region:
            query = query.join(WorkerRow, WorkerRow.worker_id == FeedbackEventRow.worker_id).where(
                WorkerRow.province == region
            )
        return query

    def enterprises(query: Select) -> Select:
        return query.where(EnterpriseRow.province == region) if region else query

    n = func.count(WorkerRow.worker_id)
    total = session.scalar(workers(select(n))) or 0
    off = session.scalar(workers(select(n).where(WorkerRow.personalisation.is_(False)))) or 0
    by_city = _rows(session, workers(select(WorkerRow.city, n).group_by(WorkerRow.city)))
    by_education = _rows(session, workers(select(WorkerRow.education, n).group_by(WorkerRow.education)))

    # one view: the worker total and the partitions of it
    counts: dict[tuple, int] = {
        TOTAL: total,
        ("personalisation", "off"): off,
        ("personalisation", "on"): total - off,
    }
    counts.update({("city", g): c for g, c in by_city})
    counts.update({("education", g): c for g, c in by_education})
    view = suppress(
        counts,
        [
            Group(TOTAL, tuple(("city", g) for g, _ in by_city)),
            Group(TOTAL, tuple(("education", g) for g, _ in by_education)),
            Group(TOTAL, (("personalisation", "off"), ("personalisation", "on"))),
        ],
        k,
    )

    distinct = func.count(func.distinct(FeedbackEventRow.worker_id))
    by_type = _rows(
        session, feedback(select(FeedbackEventRow.event_type, distinct)).group_by(FeedbackEventRow.event_type)
    )

    def chosen(column) -> list[tuple[str, int]]:
        return _rows(
            session,
            feedback(select(column, distinct))
            .where(FeedbackEventRow.event_type.in_(CHOICE_EVENTS), column != "")
            .group_by(column),
        )

    suppressed = 0

    def listed(cells: list[tuple[str, int]], published) -> list[dict]:
        nonlocal suppressed
        out = []
        for group, count in cells:
            value = published(group, count)
            if value is None:
                suppressed += 1
            else:
                out.append({"group": group, "workers": value})
        return sorted(out, key=lambda item: (-item["workers"], item["group"]))

    def own(_group: str, count: int) -> int | None:  # a figure protected on its own: primary suppression
        return suppress({"cell": count}, [], k).value("cell")

    report = {
        "generated_at": datetime.now(UTC),
        "region": region,
        "k_anonymity": k,
        "workers": view.value(TOTAL),
        "personalisation_off": view.value(("personalisation", "off")),
        "workers_by_city": listed(by_city, lambda g, _: view.value(("city", g))),
        "workers_by_education": listed(by_education, lambda g, _: view.value(("education", g))),
        "feedback_by_type": listed(by_type, own),
        "top_majors": listed(chosen(FeedbackEventRow.major_code), own)[:TOP],
        "top_programs": listed(chosen(FeedbackEventRow.program_id), own)[:TOP],
        "enterprises": session.scalar(enterprises(select(func.count()).select_from(EnterpriseRow))) or 0,
        "roster_members": session.scalar(
            enterprises(
                select(func.count())
                .select_from(RosterMemberRow)
                .join(EnterpriseRow, EnterpriseRow.enterprise_id == RosterMemberRow.enterprise_id)
            )
        )
        or 0,
        "catalog": catalog.stats() if catalog is not None else None,
    }
    report["suppressed_groups"] = suppressed + (report["personalisation_off"] is None)
    return report
