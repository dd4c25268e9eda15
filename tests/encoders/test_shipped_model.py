"""The shipped default dense encoder (models/worker-job-static-zh-en) loads offline and ranks sensibly.

Speed and size figures live in ``benchmarks/encoder_speed.py`` (timings are flaky in tests).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

MODEL_DIR = Path(__file__).resolve().parents[2] / "models" / "worker-job-static-zh-en"


@pytest.fixture(scope="module")
def model():
    if not (MODEL_DIR / "modules.json").is_file():
        pytest.skip(f"{MODEL_DIR} not built (recommender train-encoder --out {MODEL_DIR})")
    mp = pytest.MonkeyPatch()
    mp.setenv("HF_HUB_OFFLINE", "1")
    mp.setenv("TRANSFORMERS_OFFLINE", "1")
    from sentence_transformers import SentenceTransformer

    loaded = SentenceTransformer(str(MODEL_DIR), device="cpu", local_files_only=True)
    yield loaded
    mp.undo()


def _sims(model, query: str, items: list[str]) -> np.ndarray:
    vectors = model.encode([query, *items], convert_to_numpy=True)
    return vectors[1:] @ vectors[0]


def test_unit_vectors_of_the_declared_dimension(model):
    vectors = model.encode(["电工", "Registered Nurse", ""], convert_to_numpy=True)
    assert vectors.dtype == np.float32 and vectors.shape == (3, model.get_sentence_embedding_dimension())
    np.testing.assert_allclose(np.linalg.norm(vectors[:2], axis=1), 1.0, atol=1e-4)
    assert np.all(np.isfinite(vectors))


@pytest.mark.parametrize(("job", "near", "far"), [
    ("电工", "电气自动化技术", "护理"),
    pytest.param("外卖骑手", "物流管理", "口腔医学技术", marks=pytest.mark.xfail(
        reason="known weakness of the shipped version: 外卖骑手 is not yet nearer to 物流管理 (see its model card)",
        strict=False)),
    ("养老护理员", "智慧健康养老服务与管理", "汽车检测与维修技术"),
    ("Electrician", "Electrician", "Registered Nursing/Registered Nurse"),
    ("Staff Nurse", "Registered Nursing/Registered Nurse", "Welding Technology/Welder"),
    ("Line Cook", "Cooking and Related Culinary Arts, General", "Accounting"),
])
def test_jobs_are_nearer_to_their_majors(model, job, near, far):
    near_sim, far_sim = _sims(model, job, [near, far])
    assert near_sim > far_sim, f"{job}: {near} {near_sim:.3f} vs {far} {far_sim:.3f}"


def test_model_folder_is_small_and_documented():
    if not (MODEL_DIR / "modules.json").is_file():
        pytest.skip(f"{MODEL_DIR} not built")
    size = sum(f.stat().st_size for f in MODEL_DIR.rglob("*") if f.is_file())
    assert size <= 50e6
    card = (MODEL_DIR / "README.md").read_text(encoding="utf-8")
    assert "CC BY 4.0" in card and "O*NET 29.3 Database" in card
    run = json.loads((MODEL_DIR / "training_run.json").read_text(encoding="utf-8"))
    assert run["config"]["seed"] and run["history"]


# Known links drawn at random (seed 0) from the benches' item_occupations.csv: (occupation code, name, linked item).
LINKED_PAIRS = [
    ("2-02-10-01", "通信工程技术人员", "通信系统运行管理"),
    ("4-14-03-05", "听觉口语师", "言语听觉康复技术"),
    ("4-08-05-03", "贵金属首饰与宝玉石检测员", "宝玉石鉴定与加工"),
    ("6-05-02-02", "毛皮及毛皮制品加工工", "皮革加工技术"),
    ("2-09-03-03", "电影电视摄影师", "摄影摄像技术"),
    ("2-09-04-02", "音像师", "现代流行音乐"),
    ("19-1042", "Medical Scientists, Except Epidemiologists", "Neurological Surgery Residency/Fellowship Programs, Other"),
    ("25-1043", "Forestry and Conservation Science Teachers, Postsecondary", "Ecology"),
    ("13-2061", "Financial Examiners", "Accounting"),
    ("25-1022", "Mathematical Science Teachers, Postsecondary", "Mathematics and Computer Science"),
    ("43-6013", "Medical Secretaries and Administrative Assistants", "Veterinary Administrative Services, General"),
    ("27-3091", "Interpreters and Translators", "Japanese Language and Literature"),
]


def test_each_companion_never_saw_the_links_of_its_folds_occupations(model):
    """The members load offline, and the companion that never saw an occupation's links rates its linked items
    lower than the full model does (0.12 lower on average over all 5,726 bench links; 84–88 % of them)."""
    from recommender.encoders.crossfit import crossfit_encoders, crossfit_fold, predictor_encoder
    from recommender.encoders.registry import get_encoder

    main = get_encoder(str(MODEL_DIR))
    companions = list(crossfit_encoders(main))
    full = predictor_encoder(main)
    assert len(companions) == 5 and "/crossfit-full@" in full.name
    drops = []
    for code, occupation, item in LINKED_PAIRS:
        m = full.encode([occupation, item])
        c = companions[crossfit_fold(code, 5)].encode([occupation, item])
        drops.append(float(m[0] @ m[1] - c[0] @ c[1]))
    assert np.mean(drops) > 0.03, drops


# (alternate title of an en-onet occupation without known links, the first of its teacher targets)
TAUGHT_PAIRS = [("en:occ:49-9094", "Certified Master Locksmith (CML)", "Locksmithing and Safe Repair"),
                ("en:occ:21-1021", "Adolescent Counselor", "Social Work"),
                ("en:occ:49-9044", "Automated Equipment Engineer",
                 "Industrial Mechanics and Maintenance Technology/Technician"),
                ("en:occ:19-3011", "Agricultural Economist", "Econometrics and Quantitative Economics")]


def test_the_shipped_model_is_the_members_taught_by_the_link_predictor(model):
    """The folder's model is the average of the members trained again with the link predictor's targets for
    open-world titles (recommender.training.open_world): it pulls those titles towards their targets, which the
    self-trained members' own average does not do as much."""
    from dataclasses import replace

    from recommender.encoders.crossfit import CROSSFIT_DIR, CROSSFIT_FILE, MODEL_IS_TAUGHT, fold_dir, full_dir
    from recommender.training.open_world import TARGETS_FILE
    from recommender.training.static_encoder import load_trained

    manifest = json.loads((MODEL_DIR / CROSSFIT_DIR / CROSSFIT_FILE).read_text(encoding="utf-8"))
    assert manifest["model_is"] == MODEL_IS_TAUGHT
    targets = json.loads((MODEL_DIR / TARGETS_FILE).read_text(encoding="utf-8"))
    assert len(targets) > 300 and all(k.startswith("en:occ:") and len(v) == 5 for k, v in targets.items())
    assert all(i.startswith("en:cip:") for v in targets.values() for i in v)

    members = [load_trained(full_dir(MODEL_DIR))] + [load_trained(fold_dir(MODEL_DIR, f)) for f in range(5)]
    members_average = replace(members[0], weights=np.mean([m.weights for m in members], axis=0))
    shipped = load_trained(MODEL_DIR)
    gains = []
    for occupation, title, item in TAUGHT_PAIRS:
        assert occupation in targets
        taught, own = shipped.encode([title, item]), members_average.encode([title, item])
        gains.append(float(taught[0] @ taught[1] - own[0] @ own[1]))
    assert np.mean(gains) > 0.03, gains
