"""Labelled splits teach the linker; the ranked split's own qrels never do, except fold by fold when asked."""

from __future__ import annotations

import builtins
import io
import shutil
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from recommender.cli import main
from recommender.errors import UserError
from recommender.evaluation.bench import (
    cross_validation_folds,
    labelled_titles,
    learning_splits,
    rank_split,
    read_queries,
)
from recommender.evaluation.toy import write_toy_bench
from recommender.matching import reranker as reranker_module
from recommender.matching.corpus import MatchingCorpus
from recommender.matching.matcher import Matcher


@pytest.fixture()
def toy(tmp_path) -> Path:
    """The toy bench with a second labelled split, ``train`` (a copy of ``dev``)."""
    root = write_toy_bench(tmp_path / "toy")
    shutil.copytree(root / "dev", root / "train")
    return root


def test_a_query_is_labelled_with_the_occupations_whose_links_are_its_relevant_items(toy):
    corpus = MatchingCorpus.from_bench(toy)
    titles = labelled_titles(corpus, toy / "dev")
    assert ("急招电焊工 月薪8000+", "6-25-03-01") in titles  # 460110 = the welder's links
    assert ("带货主播", "4-01-06-02") in titles  # {530701, 530605} = the internet marketer's links
    assert ("总账会计/出纳", "2-06-03-00") in titles
    assert all(code in corpus.occupation_index for _, code in titles)
    assert labelled_titles(corpus, toy / "dev", qids={"q2"}) == [("急招电焊工 月薪8000+", "6-25-03-01")]


def test_a_query_whose_items_match_no_occupation_teaches_nothing(toy):
    corpus = MatchingCorpus.from_bench(toy)
    with open(toy / "dev" / "qrels.csv", "a", encoding="utf-8") as f:
        f.write("q2,530302,1\n")  # welder + accounting: no occupation has exactly these links
    assert not [t for t, _ in labelled_titles(corpus, toy / "dev") if t.startswith("急招电焊工")]


def test_learning_splits_auto_takes_the_other_labelled_splits_only(toy):
    assert learning_splits(toy, toy / "dev") == [toy / "train"]
    assert learning_splits(toy, toy / "train") == [toy / "dev"]
    assert learning_splits(toy, toy / "dev", "none") == []
    (toy / "test").mkdir()
    (toy / "test" / "queries.csv").write_text("qid,text,slice\nt1,电焊工,mapped\n", encoding="utf-8")
    assert learning_splits(toy, toy / "test") == [toy / "dev", toy / "train"]  # test has no qrels: never a teacher
    with pytest.raises(UserError, match="split being ranked"):
        learning_splits(toy, toy / "dev", [toy / "dev"])
    with pytest.raises(UserError, match="queries.csv and qrels.csv"):
        learning_splits(toy, toy / "dev", [toy / "test"])


def test_ranking_with_a_teacher_never_opens_the_ranked_splits_qrels(toy, monkeypatch):
    ranked_qrels = (toy / "dev" / "qrels.csv").resolve()
    opened = []
    real_open = builtins.open

    def guarded_open(file, *args, **kwargs):
        if Path(str(file)).name == "qrels.csv":
            if Path(str(file)).resolve() == ranked_qrels:
                raise AssertionError(f"ranking opened {file}")
            opened.append(Path(str(file)).parent.name)
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded_open)
    result = rank_split(toy, toy / "dev", encoder="lexical")
    monkeypatch.undo()
    assert opened and set(opened) == {"train"}
    assert result.info["learned_from"] == [str(toy / "train")] and result.info["learned_titles"] >= 7


def test_cross_validation_teaches_each_fold_with_the_other_folds_only(toy, monkeypatch):
    queries = read_queries(toy / "dev")
    folds = cross_validation_folds(queries, 3)
    assert sorted(folds.tolist()) == [0, 0, 0, 1, 1, 2, 2]
    assert (folds == cross_validation_folds(queries, 3)).all()  # seeded
    taught, ranked = [], []
    real_learn, real_rank = Matcher.learn_titles, Matcher.rank

    def learn(self, titles):
        taught.append({t for t, _ in titles})
        return real_learn(self, titles)

    def rank(self, texts, **kw):
        ranked.append(set(texts))
        return real_rank(self, texts, **kw)

    monkeypatch.setattr(Matcher, "learn_titles", learn)
    monkeypatch.setattr(Matcher, "rank", rank)
    result = rank_split(toy, toy / "dev", encoder="lexical", learn_from="none", cross_validate=3, rerank=False)
    assert len(taught) == len(ranked) == 3
    for titles, texts in zip(taught, ranked):
        assert titles and not titles & texts  # no fold learns from its own queries
    assert set().union(*ranked) == {q.text for q in queries}
    assert {r[0] for r in result.rows} == {q.qid for q in queries}
    assert result.info["cross_validation_folds"] == 3
    with pytest.raises(UserError, match="2 ≤ K"):
        cross_validation_folds(queries, 1)


def test_cli_learn_from_and_cross_validate(toy, tmp_path):
    out, err = io.StringIO(), io.StringIO()
    args = ["evaluate", str(toy), str(toy / "dev"), "--out", str(tmp_path / "run.csv"), "--encoder", "lexical",
            "--no-cache"]
    with redirect_stdout(out), redirect_stderr(err):
        assert main(args + ["--cross-validate", "3", "--learn-from", "none"]) == 0
    assert "cross-validated in 3 folds by query" in err.getvalue() and "Recall@10" in out.getvalue()
    with redirect_stdout(io.StringIO()), redirect_stderr(err):
        assert main(args) == 0
    assert "labelled titles from train" in err.getvalue()
    assert main(args + ["--learn-from", str(toy / "dev")]) == 2
    assert main(args + ["--learn-from", "auto", "--learn-from", str(toy / "train")]) == 2



def test_cross_validation_by_occupation_keeps_queries_with_the_same_items_in_one_fold(toy):
    queries = read_queries(toy / "dev")
    groups = ["car", "weld", "sale", "acct", "care", "car", "cook"]  # q1 and q6 share their relevant items
    folds = cross_validation_folds(queries, 3, groups=groups)
    assert folds[0] == folds[5]
    assert sorted(set(folds.tolist())) == [0, 1, 2]
    result = rank_split(toy, toy / "dev", encoder="lexical", learn_from="none", cross_validate=3,
                        cv_unit="occupation")
    assert result.info["cross_validation_unit"] == "occupation"
    with pytest.raises(UserError, match="unit"):
        rank_split(toy, toy / "dev", encoder="lexical", learn_from="none", cross_validate=3, cv_unit="title")


def test_the_reranker_learns_from_the_teachers_queries_scored_fold_by_fold(toy, monkeypatch):
    taught, scored = [], []
    real_learn, real_candidates = Matcher.learn_titles, reranker_module.candidates

    def learn(self, titles):
        taught.append({t for t, _ in titles})
        return real_learn(self, titles)

    def spy(matcher, texts, depth=reranker_module.RERANK_DEPTH):
        scored.append((set(taught[-1]) if taught else set(), set(texts)))
        return real_candidates(matcher, texts, depth)

    monkeypatch.setattr(Matcher, "learn_titles", learn)
    monkeypatch.setattr(reranker_module, "candidates", spy)
    result = rank_split(toy, toy / "dev", encoder="lexical")
    teacher_texts = {q.text for q in read_queries(toy / "train")}
    folds = [texts for _, texts in scored[:5]]  # then the ranked split (train is a copy of dev: the same texts)
    assert len(scored) == 6 and sum(map(len, folds)) == len(teacher_texts) == len(set().union(*folds))
    for titles, texts in scored[:5]:
        assert not titles & texts  # a training query is scored by a linker that has not learned its own title
    assert taught[-1] == {t for t, _ in labelled_titles(MatchingCorpus.from_bench(toy), toy / "train")}
    info = result.info["reranker"]
    assert info["models"] == 1 and info["training_queries"] == len(teacher_texts) and info["depth"] == 50
    assert "m0.links_predicted" in info["coefficients"]
    assert {r[0] for r in result.rows} == {q.qid for q in read_queries(toy / "dev")}


def test_cross_validated_reranking_fits_one_model_per_fold_without_its_queries(toy, monkeypatch):
    fitted = []
    real_fit = reranker_module.LearnedReranker.fit

    def fit(self, batches):
        fitted.append(sum(len(c.rows) for c, _ in batches))
        return real_fit(self, batches)

    monkeypatch.setattr(reranker_module.LearnedReranker, "fit", fit)
    result = rank_split(toy, toy / "dev", encoder="lexical", learn_from="none", cross_validate=3)
    folds = cross_validation_folds(read_queries(toy / "dev"), 3)
    assert fitted == [int((folds != f).sum()) for f in range(3)]  # each model: the other folds' queries only
    assert result.info["reranker"]["models"] == 3
    assert {r[0] for r in result.rows} == {q.qid for q in read_queries(toy / "dev")}


def test_without_labelled_queries_or_when_asked_nothing_is_reranked(toy, tmp_path):
    assert rank_split(toy, toy / "dev", encoder="lexical", learn_from="none").info["reranker"] is None
    assert rank_split(toy, toy / "dev", encoder="lexical", rerank=False).info["reranker"] is None
    assert rank_split(toy, toy / "dev", encoder="lexical", channels=("lexical", "dense")).info["reranker"] is None
    err = io.StringIO()
    args = ["evaluate", str(toy), str(toy / "dev"), "--out", str(tmp_path / "run.csv"), "--encoder", "lexical",
            "--no-cache"]
    with redirect_stdout(io.StringIO()), redirect_stderr(err):
        assert main(args) == 0
        assert main(args + ["--no-rerank"]) == 0
        assert main(args + ["--learn-from", "none"]) == 0
    lines = err.getvalue()
    assert "reranked the 50 best candidates with a model learned from 7 labelled queries" in lines
    assert "reranker training" in lines.splitlines()[0]  # the timing line of the first (reranked) run
    assert "no reranking (--no-rerank)" in lines and "no reranking (no labelled queries to learn from)" in lines
