"""Enterprises: from a staff roster to cohorts and targeted training classes with partner colleges.

>>> from recommender.enterprise import design_training, load_roster  # doctest: +SKIP
>>> design = design_training(load_roster("rosters/E02.csv", city="苏州市"), catalog, "4-02-06-03")  # doctest: +SKIP
>>> print(design.summary())  # doctest: +SKIP
"""

from recommender.enterprise.cohorts import Cohort, CohortAnalysis, TargetRole, find_cohorts, purity
from recommender.enterprise.design import CohortDesign, CollegeOffer, TrainingDesign, design_training
from recommender.enterprise.report import summary_text, write_excel
from recommender.enterprise.roster import Roster, RosterError, load_roster, pseudonymise, roster_from_workers

__all__ = [
    "Cohort",
    "CohortAnalysis",
    "CohortDesign",
    "CollegeOffer",
    "Roster",
    "RosterError",
    "TargetRole",
    "TrainingDesign",
    "design_training",
    "find_cohorts",
    "load_roster",
    "pseudonymise",
    "purity",
    "roster_from_workers",
    "summary_text",
    "write_excel",
]
