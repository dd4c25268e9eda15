"""The training-data builder on tiny fixtures: knowledge graph, pairs, hard negatives, determinism, no dev leakage."""

from __future__ import annotations

import random

import pytest

from recommender.errors import UserError
from recommender.training.knowledge import (
    load_knowledge,
    split_aliases,
    split_courses,
    split_examples,
    split_tasks,
)
from recommender.training.pairs import PairBuilder, PairMix, batches, decorate_title, item_document


def test_field_splitters():
    assert split_aliases("电工,水电工、维修电工") == ["电工", "水电工", "维修电工"]
    assert split_tasks("1.安装电气设备 2.架设线路 3.检修") == ["安装电气设备", "架设线路"]
    assert split_courses("专业基础课程：制图。 专业核心课程：电机与电气控制、工厂供配电。") == ["电机与电气控制", "工厂供配电"]
    assert split_examples("Examples: - Wireman, - Electrical Installer") == ["Wireman", "Electrical Installer"]


def test_knowledge_graph_from_public_sources(tiny_sources):
    data, bench = tiny_sources
    kg = load_knowledge(data, bench)
    electrician = kg.entities["cn:occ:6-31-01-03"]
    assert electrician.aliases == ["水电工", "维修电工"]
    assert electrician.tasks == ["安装、调试、维护电气设备", "架设与接通配电线路"]
    assert electrician.group == "cn:occ-minor:6-31-01"
    assert "cn:occ:6-31-01-00" not in kg.entities  # only 细类 (level 4) occupations
    assert kg.linked("cn:occ:6-31-01-03", "major") == ["cn:major:460306"]
    assert kg.linked("cn:major:660301", "major") == ["cn:major:460306"]  # 接续专业
    assert kg.entities["cn:major:460306"].context == "装备制造大类 自动化类"
    assert kg.places == ["苏州"]
    assert "Wireman" in kg.entities["en:occ:47-2111"].aliases
    assert "RN (Registered Nurse)" in kg.entities["en:occ:29-1141"].aliases
    assert kg.linked("en:occ:47-2111", "cip") == ["en:cip:46.0302"]
    assert "en:cip:51.3902" not in kg.entities  # retired CIP codes are dropped
    assert kg.related["en:occ:31-1122"] == ["en:occ:29-1141"]
    assert kg.inferred("en:occ:31-1122", "cip") == ["en:cip:51.3801"]
    assert item_document(kg.entities["en:cip:46.0302"]).startswith("Electrician. Construction Trades")


def test_missing_source_file_is_a_user_error(tmp_path):
    with pytest.raises(UserError, match="missing data file"):
        load_knowledge(tmp_path, None, languages=("cn",))


def test_pairs_follow_known_links_and_negatives_are_unlinked_siblings(tiny_sources):
    data, bench = tiny_sources
    kg = load_knowledge(data, bench)
    examples = PairBuilder(kg, PairMix(decorate_rate=0.0)).epoch(seed=1, epoch=0)
    tasks = {ex.task for ex in examples}
    assert {"cn-title-item", "cn-title-occ", "cn-occ-item", "cn-task-occ", "cn-name-item", "cn-item-item",
            "en-title-item", "en-title-occ", "en-title-related"} <= tasks
    for ex in examples:
        if ex.task.endswith("title-item") or ex.task.endswith("occ-item"):
            assert ex.positive_key in kg.links[ex.anchor_key]
            if ex.negative_key is not None:
                assert ex.negative_key not in kg.links[ex.anchor_key]
                assert ex.negative_key != ex.positive_key
    electrician_items = {ex.positive for ex in examples if ex.task == "cn-title-item" and ex.anchor == "维修电工"}
    assert electrician_items and all("电气自动化技术" in text for text in electrician_items)
    negatives = {ex.negative_key for ex in examples if ex.task == "cn-title-item" and ex.anchor_key == "cn:occ:6-31-01-03"}
    assert negatives <= {"cn:major:460301", None}  # the sibling in 自动化类, never 护理
    related = [ex for ex in examples if ex.task == "en-title-related"]
    assert related and all(ex.anchor_key == "en:occ:31-1122" and ex.positive_key == "en:cip:51.3801" for ex in related)


def test_epochs_are_deterministic_and_never_contain_dev_queries(tiny_sources, dev_only_text):
    data, bench = tiny_sources
    kg = load_knowledge(data, bench)
    builder = PairBuilder(kg)
    first, again, other = builder.epoch(5, 0), builder.epoch(5, 0), builder.epoch(5, 1)
    assert first == again
    assert first != other
    assert all(dev_only_text not in f"{ex.anchor}{ex.positive}{ex.negative}" for ex in first + other)
    assert all(dev_only_text not in text for text in kg.texts())


def test_batches_hold_one_task_each(tiny_sources):
    data, bench = tiny_sources
    examples = PairBuilder(load_knowledge(data, bench)).epoch(3, 0)
    out = batches(examples, batch_size=4, seed=0, min_batch=1)
    assert sum(len(b) for b in out) == len(examples)
    assert all(len({ex.task for ex in b}) == 1 and len(b) <= 4 for b in out)


def test_decorated_titles_keep_the_title():
    rng = random.Random(0)
    for _ in range(50):
        assert "电工" in decorate_title("电工", rng, ["苏州"])
