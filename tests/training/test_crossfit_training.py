"""Cross-fitted companions: the fold rule, the link-free training data of a fold, training and loading them."""

from __future__ import annotations

import json

import numpy as np
import pytest

from recommender.encoders.crossfit import (
    CROSSFIT_DIR,
    CROSSFIT_FILE,
    crossfit_encoders,
    crossfit_fold,
    crossfit_folds,
    fold_dir,
)
from recommender.encoders.registry import get_encoder
from recommender.errors import UserError
from recommender.training.knowledge import load_knowledge
from recommender.training.pairs import PairMix
from recommender.training.static_encoder import (
    TrainConfig,
    config_from_run,
    save_model,
    train_crossfit_models,
    train_static_encoder,
)

TINY = TrainConfig(dim=16, epochs=1, batch_size=8, english_vocab_size=150, min_word_count=1,
                   mix=PairMix(self_training_from_epoch=0))


def test_the_fold_of_an_occupation_depends_on_its_code_only():
    codes = [f"6-31-01-{i:02d}" for i in range(60)]
    folds = [crossfit_fold(c, 5) for c in codes]
    assert set(folds) == set(range(5))  # every fold gets occupations
    assert [crossfit_fold(f"cn:occ:{c}", 5) for c in codes] == folds  # the knowledge key's prefix does not matter
    assert crossfit_fold("49-3023", 3) == crossfit_fold("en:occ:49-3023", 3)
    with pytest.raises(UserError, match="at least 2 folds"):
        crossfit_fold("49-3023", 1)


def test_a_fold_loses_exactly_the_links_of_its_occupations(tiny_sources):
    data, bench = tiny_sources
    kg = load_knowledge(data, bench)
    before = {a: set(bs) for a, bs in kg.links.items()}
    occupations = [k for k, e in kg.entities.items() if e.kind == "occ" and before.get(k)]
    assert occupations
    for fold in range(2):
        sub = kg.without_occupation_links(fold, 2)
        held = {k for k in occupations if crossfit_fold(k, 2) == fold}
        for key in held:
            assert not sub.links.get(key)
        for a, bs in sub.links.items():
            assert not (bs & held)
            assert bs <= before[a]  # nothing new
        kept = {(a, b) for a, bs in before.items() for b in bs if a not in held and b not in held}
        assert {(a, b) for a, bs in sub.links.items() for b in bs} == kept
        assert sub.entities == kg.entities and sub.texts() == kg.texts()  # same texts: same tokenizer
    assert {a: set(bs) for a, bs in kg.links.items()} == before  # the original is untouched


def test_companions_are_trained_saved_and_loaded_next_to_the_model(tiny_sources, tmp_path):
    data, bench = tiny_sources
    kg = load_knowledge(data, bench)
    model = tmp_path / "model"
    save_model(train_static_encoder(kg, TINY, show_progress=False), model, model_name="tiny", card="# tiny\n")
    main = get_encoder(str(model))
    assert crossfit_encoders(main) == [] and crossfit_folds(model) == 0  # no companions yet

    config = config_from_run(model)
    assert config == TINY
    seconds = train_crossfit_models(kg, config, model, 2, show_progress=False)
    assert len(seconds) == 2
    manifest = json.loads((model / CROSSFIT_DIR / CROSSFIT_FILE).read_text(encoding="utf-8"))
    assert manifest["folds"] == 2 and crossfit_folds(model) == 2

    cached = get_encoder(str(model), cache_dir=tmp_path / "cache")
    companions = crossfit_encoders(cached)
    assert len(companions) == 2
    assert len({c.name for c in companions} | {cached.name}) == 3  # own cache entries
    vectors = [c.encode(["电工", "Registered Nurse"]) for c in companions]
    for v in vectors:
        assert v.shape == (2, 16)
        np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-4)
    assert not np.allclose(vectors[0], vectors[1])  # trained on different links
    assert crossfit_encoders(get_encoder("lexical")) == []


def test_a_damaged_set_of_companions_is_an_error_not_a_silent_fallback(tiny_sources, tmp_path):
    data, bench = tiny_sources
    kg = load_knowledge(data, bench)
    model = tmp_path / "model"
    save_model(train_static_encoder(kg, TINY, show_progress=False), model, model_name="tiny", card="# tiny\n")
    train_crossfit_models(kg, TINY, model, 2, show_progress=False)
    (fold_dir(model, 1) / "modules.json").unlink()
    with pytest.raises(UserError, match="fold-1"):
        crossfit_encoders(get_encoder(str(model)))
    (model / CROSSFIT_DIR / CROSSFIT_FILE).write_text("{}", encoding="utf-8")
    with pytest.raises(UserError, match="not a cross-fitting manifest"):
        crossfit_folds(model)
    with pytest.raises(UserError, match="at least 2 folds"):
        train_crossfit_models(kg, TINY, model, 1, show_progress=False)
    with pytest.raises(UserError, match="training_run.json"):
        config_from_run(tmp_path)


def test_the_command_trains_the_companions_of_an_existing_model(tiny_sources, tmp_path, capsys):
    from recommender.cli import main

    data, bench = tiny_sources
    model = tmp_path / "model"
    save_model(train_static_encoder(load_knowledge(data, bench), TINY, show_progress=False), model,
               model_name="tiny", card="# tiny\n")
    base = ["train-encoder", "--data-dir", str(data), "--bench-dir", str(bench), "--out", str(model)]
    assert main(base + ["--crossfit-only", "--crossfit-folds", "2", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["crossfit_folds"] == 2 and len(summary["crossfit_seconds"]) == 2
    assert crossfit_folds(model) == 2

    assert main(base + ["--crossfit-only", "--epochs", "3"]) == 2
    assert "drop the training options (--epochs)" in capsys.readouterr().err
    assert main(base + ["--crossfit-folds", "1"]) == 2
    assert "use 0 (none) or at least 2" in capsys.readouterr().err
    assert main(base + ["--crossfit-only", "--crossfit-folds", "0"]) == 2
    assert "needs --crossfit-folds K with K ≥ 2" in capsys.readouterr().err
