"""The link predictor as the teacher of open-world titles: its targets, the pairs they make, the command's stage."""

from __future__ import annotations

import json
import random

import numpy as np

from recommender.encoders.crossfit import CROSSFIT_DIR, CROSSFIT_FILE, MODEL_IS_TAUGHT, fold_dir, full_dir
from recommender.training.knowledge import load_knowledge
from recommender.training.open_world import TARGETS_FILE, predictor_targets
from recommender.training.pairs import PairBuilder, PairMix
from recommender.training.static_encoder import TrainConfig, _taught, load_trained

UNLINKED = "en:occ:31-1122"  # Personal Care Aides: in the tiny en-onet bench, without known links
LINKED = "en:occ:47-2111"


def test_teacher_targets_come_first_and_bring_more_titles(tiny_sources):
    data, bench = tiny_sources
    kg = load_knowledge(data, bench)
    builder = PairBuilder(kg, PairMix(related_titles_per_occupation=1, teacher_titles_per_occupation=3))
    builder.inferred_links = {UNLINKED: ["en:cip:51.3801"]}
    assert builder.weak_targets(UNLINKED, "en") == ["en:cip:51.3801"]
    before = [ex for ex in builder.title_to_related_item("en", random.Random(1)) if ex.anchor_key == UNLINKED]
    builder.teacher_links = {UNLINKED: ["en:cip:46.0302"]}
    assert builder.weak_targets(UNLINKED, "en") == ["en:cip:46.0302"]
    after = [ex for ex in builder.title_to_related_item("en", random.Random(1)) if ex.anchor_key == UNLINKED]
    assert len(before) == 1 and len(after) == min(3, len(kg.entities[UNLINKED].short_texts)) > 1
    assert {ex.positive_key for ex in after} == {"en:cip:46.0302"}


def test_a_run_keeps_only_the_teachers_targets_it_can_use(tiny_sources):
    data, bench = tiny_sources
    kg = load_knowledge(data, bench)
    given = {UNLINKED: ["en:cip:99.9999", "en:cip:46.0302", "en:cip:51.3801"],  # an unknown item is dropped
             LINKED: ["en:cip:51.3801"],  # has known links: keeps them
             "cn:occ:4-14-01-02": ["cn:major:520201"]}  # not a teacher language by default
    assert _taught(PairBuilder(kg, PairMix(teacher_top_k=1)), given) == {UNLINKED: ["en:cip:46.0302"]}
    assert _taught(PairBuilder(kg, PairMix(teacher_top_k=0)), given) == {}
    both = _taught(PairBuilder(kg, PairMix(teacher_languages=("cn", "en"))), given)
    assert set(both) == {UNLINKED, "cn:occ:4-14-01-02"}


def test_the_command_teaches_the_serving_model_and_keeps_the_self_trained_members(tiny_sources, tmp_path, capsys):
    from recommender.cli import main

    data, bench = tiny_sources
    model = tmp_path / "model"
    base = ["train-encoder", "--data-dir", str(data), "--bench-dir", str(bench), "--out", str(model),
            "--epochs", "1", "--dim", "16", "--batch-size", "8", "--no-eval", "--json"]
    assert main(base + ["--crossfit-folds", "2"]) == 0
    captured = capsys.readouterr()
    summary = json.loads(captured.out.strip().splitlines()[-1])
    assert "teacher stage: training the full model" in captured.err
    assert summary["teacher"]["occupations"] == 1 and summary["teacher"]["languages"] == ["en"]
    assert len(summary["teacher"]["members_seconds"]) == 3

    targets = json.loads((model / TARGETS_FILE).read_text(encoding="utf-8"))
    assert list(targets) == [UNLINKED] and sorted(targets[UNLINKED]) == ["en:cip:46.0302", "en:cip:51.3801"]
    manifest = json.loads((model / CROSSFIT_DIR / CROSSFIT_FILE).read_text(encoding="utf-8"))
    assert manifest["model_is"] == MODEL_IS_TAUGHT
    record = json.loads((model / "training_run.json").read_text(encoding="utf-8"))
    assert record["teacher"]["top_k"] == 5 and record["predictor_members"][0] == "crossfit/full"
    assert "trained again with the link predictor" not in record["averaged_members"]
    card = (model / "README.md").read_text(encoding="utf-8")
    assert "Serving model: the members trained again with the link predictor as teacher" in card
    assert "would be the **average of 3 members" in card

    # the serving model is not the members' average; the members stay the self-trained ones
    members = [load_trained(full_dir(model))] + [load_trained(fold_dir(model, f)) for f in range(2)]
    members_average = np.mean([m.weights for m in members], axis=0)
    assert np.abs(load_trained(model).weights - members_average).max() > 0.01

    # the same targets again from the folder (the predictor uses the self-trained members, not the served model)
    assert predictor_targets(model, bench, data, 5, ("en",)) == targets
    assert predictor_targets(model, bench, data, 1, ("en",)) == {UNLINKED: targets[UNLINKED][:1]}
    assert predictor_targets(model, bench, data, 5, ("cn",)) == {}  # the tiny cn-titles bench has no occupations.csv


def test_without_members_the_stage_is_skipped_and_said_so(tiny_sources, tmp_path, capsys):
    from recommender.cli import main

    data, bench = tiny_sources
    model = tmp_path / "model"
    assert main(["train-encoder", "--data-dir", str(data), "--bench-dir", str(bench), "--out", str(model),
                 "--epochs", "1", "--dim", "16", "--batch-size", "8", "--no-eval", "--crossfit-folds", "0"]) == 0
    assert "teacher stage skipped" in capsys.readouterr().err
    assert not (model / TARGETS_FILE).exists() and not (model / CROSSFIT_DIR).exists()
    assert TrainConfig().mix.teacher_top_k == 5  # the shipped recipe has the stage on
