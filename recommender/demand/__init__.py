"""Demand signals for colleges and the union, from feedback events — k-anonymous wherever they leave the union.

- :mod:`~recommender.demand.events`: the activity directory format (Parquet events, workers, enterprise requests).
- :mod:`~recommender.demand.activity`: a seeded generator of a year of demo activity (1,000 or 100,000 workers,
  optionally with a planted surge).
- :mod:`~recommender.demand.store`: DuckDB over the events; every aggregation is SQL.
- :mod:`~recommender.demand.privacy`: small-cell and complementary suppression (the method is documented there).
- :mod:`~recommender.demand.college`: a college's dashboard (:func:`college_demand`).
- :mod:`~recommender.demand.union`: the union's report (:func:`union_report`).
- :mod:`~recommender.demand.reports`: CSV / Excel exports and PNG charts.

>>> from recommender.demand import DemandStore, college_demand, union_report  # doctest: +SKIP
>>> store = DemandStore.open("var/demo/activity", catalog)  # doctest: +SKIP
>>> college_demand(store, "DEMO-C001", k=10).to_dict()  # doctest: +SKIP
"""

from recommender.demand.activity import (
    ActivityDataset,
    EnterpriseSeed,
    PlantedSurge,
    care_surge,
    demo_workers_frame,
    enterprise_seeds,
    generate_activity,
    read_activity,
    synthetic_workers_frame,
)
from recommender.demand.college import (
    CollegeDemand,
    CollegeSummary,
    CourseGap,
    OccupationDemand,
    PeerComparison,
    PeerMetric,
    ProgramDemand,
    UnmetMajor,
    college_demand,
    list_colleges,
)
from recommender.demand.privacy import DEFAULT_K, Group, Suppression, suppress
from recommender.demand.store import DemandStore, feedback_to_events
from recommender.demand.tables import PublishedGroup, Table
from recommender.demand.union import (
    NOMINAL_CLASS_SIZE,
    CityMonthTable,
    MajorGap,
    PolicySpend,
    RequestSummary,
    SubsidyProjection,
    UnionReport,
    union_report,
)

__all__ = [
    "DEFAULT_K",
    "NOMINAL_CLASS_SIZE",
    "ActivityDataset",
    "CityMonthTable",
    "CollegeDemand",
    "CollegeSummary",
    "CourseGap",
    "DemandStore",
    "EnterpriseSeed",
    "Group",
    "MajorGap",
    "OccupationDemand",
    "PeerComparison",
    "PeerMetric",
    "PlantedSurge",
    "PolicySpend",
    "ProgramDemand",
    "PublishedGroup",
    "RequestSummary",
    "SubsidyProjection",
    "Suppression",
    "Table",
    "UnionReport",
    "UnmetMajor",
    "care_surge",
    "college_demand",
    "demo_workers_frame",
    "enterprise_seeds",
    "feedback_to_events",
    "generate_activity",
    "list_colleges",
    "read_activity",
    "suppress",
    "synthetic_workers_frame",
    "union_report",
]
