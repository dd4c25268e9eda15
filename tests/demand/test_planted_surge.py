"""The planted pattern: a 养老护理 surge in a city no college there serves ranks first in its colleges' unmet demand."""

from __future__ import annotations

from recommender.catalog.catalog import Catalog
from recommender.demand import ActivityDataset, DemandStore, college_demand, union_report
from recommender.demand.activity import CARE_OCCUPATION


def test_no_college_in_the_surge_city_offers_the_care_majors(unserved_catalog: Catalog, care_majors: set[str],
                                                              surge_city: str):
    offered = {p.major_code for p in unserved_catalog.programs.values()
               if surge_city in unserved_catalog.colleges[p.college_id].cities}
    assert not offered & care_majors


def test_surge_is_planted(surge_activity: ActivityDataset, surge_store: DemandStore, surge_city: str):
    surge = surge_activity.manifest["planted_surge"]
    assert surge["city"] == surge_city and surge["workers"] == 150
    assert surge["majors"] and all("养老" in surge_store.catalog.majors[m].name for m in surge["majors"])
    frame = surge_store.city_major_occupations()
    here = frame[(frame["city"] == surge_city) & frame["major_code"].isin(surge["majors"])]
    assert here["workers"].sum() >= 100


def test_surge_ranks_first_in_unmet_demand_of_every_college_of_the_city(surge_store: DemandStore,
                                                                       care_majors: set[str], surge_city: str):
    catalog = surge_store.catalog
    colleges = [c for c in catalog.colleges.values() if surge_city in c.cities]
    assert len(colleges) >= 5
    seated = 0
    for college in colleges:
        view = college_demand(surge_store, college.college_id, k=10)
        top = view.unmet[0]
        assert top.major_code in care_majors and "养老" in top.major_name, (college.college_id, top.major_name)
        assert top.by_city[surge_city] and top.by_city[surge_city] >= 100
        if college.cities == (surge_city,):
            assert top.colleges_offering_in_region == 0  # unserved in the city: nobody else teaches it there
        if college.city == surge_city:
            seated += 1
            # a course gap the surge opens: elderly care courses come first
            assert any("老" in g.course for g in view.course_gaps[:5])
    assert seated >= 3


def test_occupation_behind_the_surge(surge_store: DemandStore, surge_city: str):
    """With k = 2 the occupation split is published: 养老护理员 leads the surge major's occupations."""
    college = next(c for c in surge_store.catalog.colleges.values() if c.cities == (surge_city,))
    top = college_demand(surge_store, college.college_id, k=2).unmet[0]
    assert top.occupations and top.occupations[0].occupation_code == CARE_OCCUPATION
    assert top.occupations[0].name == "养老护理员"


def test_union_sees_the_surge(surge_store: DemandStore, surge_city: str):
    report = union_report(surge_store)
    assert report.k is None
    second_half = sum(report.participants.cells[surge_city][m] for m in report.months[6:])
    first_half = sum(report.participants.cells[surge_city][m] for m in report.months[:6])
    assert second_half > 2 * first_half
    assert report.participants.total == sum(report.participants.city_totals.values())
