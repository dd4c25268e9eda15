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
    full_dir,
    predictor_encoder,
)
from recommender.encoders.registry import get_encoder
from recommender.errors import UserError
from recommender.training.knowledge import load_knowledge
from recommender.training.pairs import PairMix
from recommender.training.static_encoder import (
    TrainConfig,
    average_encoders,
    config_from_run,
    load_trained,
    save_model,
    train_crossfit_models,
    train_static_encoder,
)

TINY = TrainConfig(dim=16, epochs=1, batch_size=8, english_vocab_size=150, min_word_count=1,
                   mix=PairMix(self_training_from_epoch=0, teacher_top_k=0))  # the teacher stage: test_open_world


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
    assert len(crossfit_encoders(main)) == 0 and crossfit_folds(model) == 0  # no companions yet

    config = config_from_run(model)
    assert config == TINY
    before = load_trained(model)
    seconds, average = train_crossfit_models(kg, config, model, 2, show_progress=False)
    assert len(seconds) == 2
    manifest = json.loads((model / CROSSFIT_DIR / CROSSFIT_FILE).read_text(encoding="utf-8"))
    assert manifest["folds"] == 2 and manifest["full"] == "full" and crossfit_folds(model) == 2

    # the full model is kept as a member, and the folder now holds the members' average (int8 on disk)
    np.testing.assert_array_equal(load_trained(full_dir(model)).weights, before.weights)
    members = [load_trained(full_dir(model))] + [load_trained(fold_dir(model, f)) for f in range(2)]
    expected = np.mean([m.weights for m in members], axis=0)
    np.testing.assert_allclose(average.weights, expected, atol=1e-6)
    shipped = load_trained(model).weights
    step = np.abs(expected).max(axis=1, keepdims=True) / 127.0  # one int8 step per token
    assert np.all(np.abs(shipped - expected) <= step / 2 + 1e-6)
    assert not np.allclose(shipped, before.weights)
    assert config_from_run(model) == TINY  # the average still records how its members were trained

    cached = get_encoder(str(model), cache_dir=tmp_path / "cache")
    companions = crossfit_encoders(cached)
    assert len(companions) == 2
    assert len({c.name for c in companions} | {cached.name}) == 3  # own cache entries
    assert companions[0] is not companions[0] and companions[-1].name == companions[1].name  # loaded when taken
    with pytest.raises(IndexError):
        companions[2]
    vectors = [c.encode(["电工", "Registered Nurse"]) for c in companions]
    for v in vectors:
        assert v.shape == (2, 16)
        np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-4)
    assert not np.allclose(vectors[0], vectors[1])  # trained on different links
    assert len(crossfit_encoders(get_encoder("lexical"))) == 0

    # the link predictor's encoder is the full member, cached under its own name; other encoders are their own
    full = predictor_encoder(cached)
    assert "/crossfit-full@" in full.name and full.name != cached.name
    np.testing.assert_allclose(full.encode(["电工"]), load_trained(full_dir(model)).encode(["电工"]), atol=1e-5)
    lexical = get_encoder("lexical")
    assert predictor_encoder(lexical) is lexical and predictor_encoder(None) is None


def test_a_model_without_members_is_its_own_predictor_encoder(tiny_sources, tmp_path):
    data, bench = tiny_sources
    model = tmp_path / "model"
    save_model(train_static_encoder(load_knowledge(data, bench), TINY, show_progress=False), model,
               model_name="tiny", card="# tiny\n")
    main = get_encoder(str(model))
    assert predictor_encoder(main) is main


def test_models_with_other_tokenizers_do_not_average(tiny_sources):
    data, bench = tiny_sources
    kg = load_knowledge(data, bench)
    a = train_static_encoder(kg, TINY, show_progress=False)
    b = train_static_encoder(kg, TrainConfig(**{**TINY.__dict__, "dim": 8}), show_progress=False)
    with pytest.raises(UserError, match="different tokenizers or dimensions"):
        average_encoders([a, b])
    with pytest.raises(UserError, match="no models"):
        average_encoders([])
    assert average_encoders([a]).weights.tolist() == a.weights.tolist()


def test_a_damaged_set_of_companions_is_an_error_not_a_silent_fallback(tiny_sources, tmp_path):
    data, bench = tiny_sources
    kg = load_knowledge(data, bench)
    model = tmp_path / "model"
    save_model(train_static_encoder(kg, TINY, show_progress=False), model, model_name="tiny", card="# tiny\n")
    train_crossfit_models(kg, TINY, model, 2, show_progress=False)
    (full_dir(model) / "modules.json").unlink()
    with pytest.raises(UserError, match="full"):
        predictor_encoder(get_encoder(str(model)))
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
    first = load_trained(model).weights
    assert main(base + ["--crossfit-only", "--crossfit-folds", "2", "--no-eval", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["crossfit_folds"] == 2 and len(summary["crossfit_seconds"]) == 2
    assert crossfit_folds(model) == 2
    record = json.loads((model / "training_run.json").read_text(encoding="utf-8"))
    assert record["averaged_members"] == ["crossfit/full", "crossfit/fold-0", "crossfit/fold-1"]
    assert "average of 3 members" in (model / "README.md").read_text(encoding="utf-8")
    assert "full member" in (full_dir(model) / "README.md").read_text(encoding="utf-8")
    # again: the full model now comes from crossfit/full (the folder holds the average), not from the folder
    averaged = load_trained(model).weights
    assert main(base + ["--crossfit-only", "--crossfit-folds", "2", "--no-eval", "--json"]) == 0
    capsys.readouterr()
    np.testing.assert_array_equal(load_trained(full_dir(model)).weights, first)
    np.testing.assert_allclose(load_trained(model).weights, averaged, atol=1e-6)  # same training, same average

    assert main(base + ["--crossfit-only", "--epochs", "3"]) == 2
    assert "drop the training options (--epochs)" in capsys.readouterr().err
    assert main(base + ["--crossfit-folds", "1"]) == 2
    assert "use 0 (none) or at least 2" in capsys.readouterr().err
    assert main(base + ["--crossfit-only", "--crossfit-folds", "0"]) == 2
    assert "needs --crossfit-folds K with K ≥ 2" in capsys.readouterr().err


def test_the_command_trains_the_full_model_its_companions_and_their_average(tiny_sources, tmp_path, capsys):
    from recommender.cli import main

    data, bench = tiny_sources
    model = tmp_path / "model"
    base = ["train-encoder", "--data-dir", str(data), "--bench-dir", str(bench), "--out", str(model),
            "--epochs", "1", "--dim", "16", "--batch-size", "8", "--no-eval", "--json", "--mix", "teacher_top_k=0"]
    assert main(base + ["--crossfit-folds", "2"]) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert len(summary["crossfit_seconds"]) == 2 and crossfit_folds(model) == 2
    members = [load_trained(full_dir(model))] + [load_trained(fold_dir(model, f)) for f in range(2)]
    expected = np.mean([m.weights for m in members], axis=0)
    step = np.abs(expected).max(axis=1, keepdims=True) / 127.0
    assert np.all(np.abs(load_trained(model).weights - expected) <= step / 2 + 1e-6)
    card = (model / "README.md").read_text(encoding="utf-8")
    assert "average of 3 members" in card and "with its members in `crossfit/`" in card

    # training a model again drops the members of the old one (they would be stale)
    assert main(base + ["--crossfit-folds", "0"]) == 0
    capsys.readouterr()
    assert not (model / CROSSFIT_DIR).exists() and crossfit_folds(model) == 0
    assert "average of" not in (model / "README.md").read_text(encoding="utf-8")
