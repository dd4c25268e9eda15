"""The matching corpus from a bench folder or a Catalog; code hierarchies; extra O*NET knowledge."""

from __future__ import annotations

import pytest

from recommender.catalog.catalog import Catalog
from recommender.catalog.model import Major, MajorOccupation, Occupation
from recommender.errors import UserError
from recommender.evaluation.toy import write_toy_bench
from recommender.matching.corpus import MatchingCorpus, display_name, hierarchy_groups
from recommender.matching.knowledge import enrich


def test_hierarchy_groups_for_dadian_and_soc_codes():
    assert hierarchy_groups("4-12-01-01") == ("4-12-01-00", "4-12-00-00", "4-00-00-00")
    assert hierarchy_groups("4-12-01-00") == ("4-12-00-00", "4-00-00-00")
    assert hierarchy_groups("49-3023") == ("49-302", "49-3", "49")
    assert hierarchy_groups("X1") == ()
    assert display_name("互联网营销师S") == "互联网营销师" and display_name("物流工程技术人员L/S") == "物流工程技术人员"


def test_from_bench_reads_items_occupations_and_links(tmp_path):
    corpus = MatchingCorpus.from_bench(write_toy_bench(tmp_path))
    assert corpus.language == "zh"
    assert len(corpus.items) == 10 and len(corpus.links) == 10
    occ = corpus.occupations[corpus.occupation_index["6-25-03-01"]]
    assert occ.label_texts[:3] == ("焊工", "电焊工", "氩弧焊工")
    assert occ.groups[0] == "6-25-03-00"
    item = corpus.items[corpus.item_index["460110"]]
    assert "焊接方法" in item.text and "装备制造大类" in item.context


def test_from_bench_rejects_a_folder_that_is_not_a_bench(tmp_path):
    with pytest.raises(UserError, match="items.csv is missing"):
        MatchingCorpus.from_bench(tmp_path)


def test_from_catalog_uses_the_dataclass_fields():
    catalog = Catalog(
        occupations={"6-25-03-01": Occupation("6-25-03-01", "焊工", 4, "操作焊接设备的人员", "焊接", ("电焊工",))},
        majors={"460110": Major("460110", "智能焊接技术", "高职专科", "装备制造大类", "机械设计制造类", "焊接生产",
                                ("焊接方法与设备",), "面向焊工等职业"),
                "660101": Major("660101", "焊接技术应用", "中职")},
        major_occupations=(MajorOccupation("460110", "6-25-03-01"), MajorOccupation("999999", "6-25-03-01")),
    )
    corpus = MatchingCorpus.from_catalog(catalog, levels=["高职专科"])
    assert [i.item_id for i in corpus.items] == ["460110"]
    assert corpus.links == [("460110", "6-25-03-01")]  # the link to an unknown major is dropped
    assert "焊接方法与设备" in corpus.items[0].text and corpus.occupations[0].aliases == ("电焊工",)


def test_enrich_adds_onet_related_occupations_and_titles(tmp_path):
    onet = tmp_path / "data" / "en" / "onet"
    onet.mkdir(parents=True)
    (onet / "Related Occupations.csv").write_text(
        "O*NET-SOC Code,Title,Related O*NET-SOC Code,Related Title,Relatedness Tier,Index\n"
        "51-4121.00,Welders,51-4122.00,Welding Machine Setters,Primary-Short,1\n", encoding="utf-8")
    (onet / "Alternate Titles.csv").write_text(
        "O*NET-SOC Code,Title,Alternate Title,Short Title,Source(s)\n51-4121.00,Welders,Pipe Welder,,08\n",
        encoding="utf-8")
    bench = tmp_path / "bench"
    bench.mkdir()
    (bench / "items.csv").write_text("item_id,name,family,description,examples\n48.0508,Welding Technology,48,"
                                     "Welding.,\n", encoding="utf-8")
    (bench / "occupations.csv").write_text("code,title,description,tasks,alt_titles\n51-4121,Welders,Weld.,,"
                                           "Welder; Arc Welder\n51-4122,Welding Machine Setters,Set up.,,\n",
                                           encoding="utf-8")
    corpus = MatchingCorpus.from_bench(bench, tmp_path / "data")
    welders = corpus.occupations[0]
    assert welders.aliases == ("Welder", "Arc Welder", "Pipe Welder")
    assert welders.related == (("51-4122", 1.0),)
    assert welders.groups == ("51-412", "51-4", "51")
    assert enrich(MatchingCorpus.from_bench(write_toy_bench(tmp_path / "zh")), tmp_path / "data").language == "zh"
