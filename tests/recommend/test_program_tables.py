"""The array path of the recommender computes what the reference path computes, program by program.

``Recommender._recommend_tables`` (program tables, course scores per text, the heap selection, the ladder's single
pass) against ``Recommender._recommend_reference`` (a loop over the candidate programs with the rule functions),
and each table against the function it stands for.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import replace

import numpy as np
import pytest

import recommender.recommend.courses as courses_module
from recommender.catalog.model import Course, Worker
from recommender.recommend.constraints import PLACE_SCOPES
from recommender.recommend.courses import CourseMatch, CourseRelevance, term_set, terms_of
from recommender.recommend.engine import MajorCandidate, Recommender, _Options, _public_worker, _Shared
from recommender.recommend.ladder import MajorFit, MajorLadder
from recommender.recommend.tables import CONSTRAINT_OF, NO_REACH, NOT_PARTNER, PASS, REACH_CODE, REFERENCE
from recommender.rules.eligibility import eligible_levels
from recommender.rules.subsidies import evaluate_subsidies

CERTIFICATES = ((), ("电工证（中级）",), ("焊工证", "养老护理员（四级）"), ("中式烹调师四级", "叉车证"))
HONOURS = ((), ("市级劳动模范",), ("技能竞赛获奖者",))


def variants(demo_workers, n: int, seed: int = 7) -> list:
    """Demo workers with their fields shuffled: budgets, modes, schedules, cities, honours, certificates."""
    rng = random.Random(seed)
    cities = sorted({w.city for w in demo_workers} | {"", "上海市", "Suzhou"})
    provinces = sorted({w.province for w in demo_workers} | {"", "浙江省"})
    out = list(demo_workers[: n // 2])
    for i in range(n - len(out)):
        w = rng.choice(demo_workers)
        out.append(replace(
            w, worker_id=f"V{i:04d}", city=rng.choice(cities), province=rng.choice(provinces),
            budget_yuan=rng.choice([None, None, 0, 2000, 6000, 12000, 6000.5]),
            preferred_modes=rng.choice([(), ("线上",), ("混合",), ("线下", "混合"), ("线上", "混合")]),
            can_stop_working=rng.random() < 0.3, honours=rng.choice(HONOURS), union_member=rng.random() < 0.8,
            certificates=rng.choice(CERTIFICATES)))
    return out


def both_paths(recommender: Recommender, worker, match, **options):
    levels = eligible_levels(worker.education)
    opts = _Options(options.get("limit", 10), options.get("personalised", True), options.get("place_scope", "any"),
                    options.get("language", "zh"), options.get("courses_per_program", 5))
    fast = recommender._recommend_tables(worker, levels, match, opts, _Shared(by_job_text=False))
    reference = recommender._recommend_reference(worker, levels, match, opts, _Shared(by_job_text=False))
    return fast, reference


OPTIONS = (
    {},
    {"personalised": False, "limit": 5},
    {"language": "en", "place_scope": "city", "limit": 3, "courses_per_program": 2},
    {"place_scope": "online", "limit": 20, "courses_per_program": 0},
    {"place_scope": "province", "limit": 1},
)


@pytest.mark.parametrize("options", OPTIONS)
def test_the_table_path_equals_the_reference_path(recommender, demo_workers, options):
    workers = variants(demo_workers, 160)
    k = len(recommender.catalog.majors)
    matches = recommender.matcher.match_many([w.job_text for w in workers], levels=None, k=k)
    seen = Counter()
    for worker, match in zip(workers, matches):
        fast, reference = both_paths(recommender, worker, match, **options)
        assert fast is not None, worker.worker_id
        assert fast == reference, f"{worker.worker_id} {options}"
        assert fast.to_dict() == reference.to_dict()
        assert list(fast.excluded) == list(reference.excluded)  # the order the message's ties follow
        seen["items" if fast.items else "empty"] += 1
        seen.update(fast.excluded)
    assert seen["items"] > 20  # the comparison covers results, and every kind of exclusion
    if options.get("personalised", True) and options.get("place_scope", "any") == "any":
        assert seen["empty"] and all(seen[c] for c in ("place", "mode", "schedule", "budget")), seen


def test_program_checks_equal_the_check_of_every_program(recommender, demo_workers):
    tables = recommender.program_tables()
    for worker in variants(demo_workers, 60, seed=11):
        for scope in PLACE_SCOPES:
            code, reach = tables.checks(worker, scope)
            for i, program in enumerate(tables.programs):
                constraint, how = recommender._check(program, worker, scope)
                expected = NOT_PARTNER if constraint == "" else PASS if constraint is None else \
                    next(c for c, name in CONSTRAINT_OF.items() if name == constraint)
                assert code[i] == expected, (worker.worker_id, scope, program.program_id)
                if constraint is None:
                    assert reach[i] == REACH_CODE[how] and reach[i] != NO_REACH


def test_subsidy_tables_equal_evaluate_subsidies(recommender, demo_workers):
    tables = recommender.program_tables()
    for worker in variants(demo_workers, 40, seed=5):
        for who in (worker, _public_worker(worker)):
            number, net, results = tables.subsidies(recommender.subsidies.worker_key(who))
            for i in range(0, len(tables.programs), 7):
                program = tables.programs[i]
                expected = evaluate_subsidies(who, program, program.total_tuition, recommender.policies)
                assert results[number[i]] == expected and net[i] == expected.net_cost


def test_a_check_that_raises_sends_the_worker_down_the_reference_path(recommender, demo_workers):
    worker = demo_workers[0]
    match = recommender.matcher.match(worker.job_text, k=len(recommender.catalog.majors))
    levels = eligible_levels(worker.education)
    opts = _Options(10, True, "nowhere", "zh", 5)  # check_place raises KeyError for an unknown scope
    assert recommender._recommend_tables(worker, levels, match, opts, _Shared(False)) is None
    with pytest.raises(KeyError):
        recommender._recommend_reference(worker, levels, match, opts, _Shared(False))
    with pytest.raises(KeyError):
        recommender.recommend(worker, place_scope="nowhere")
    with pytest.raises(KeyError):
        recommender.recommend_many([worker], place_scope="nowhere")


def test_a_program_whose_rules_raise_is_left_to_the_reference_path(recommender, demo_workers):
    catalog = recommender.catalog
    worker = next(w for w in demo_workers if recommender.recommend(w).items)
    first = recommender.recommend(worker).items[0].program
    broken = replace(first, tuition_per_year=-100)  # a negative tuition: the subsidies raise ValueError
    other = Recommender(replace(catalog, programs={**catalog.programs, first.program_id: broken}),
                        recommender.matcher)
    levels = eligible_levels(worker.education)
    match = recommender.matcher.match(worker.job_text, k=len(catalog.majors))
    assert other._recommend_tables(worker, levels, match, _Options(10, True, "any", "zh", 5), _Shared(False)) is None
    with pytest.raises(ValueError, match="tuition"):
        other.recommend(worker)
    assert other.program_tables().subsidies(other.subsidies.worker_key(worker))[0][
        other.program_tables().position[first.program_id]] == -1


def reference_fit_at_levels(ladder: MajorLadder, matches, levels, *, min_fit=0.2, sources=10) -> list[MajorFit]:
    """``MajorLadder.fit_at_levels`` as first written: a MajorFit per major, replaced as better fits come."""
    majors = ladder.catalog.majors
    matches = [m for m in matches if m.major_code in majors]
    if not matches:
        return []
    best = max(m.score for m in matches)
    if best <= 0:
        return []
    wanted = set(levels)
    fits: dict[str, MajorFit] = {}
    for m in matches:
        if majors[m.major_code].level in wanted:
            fits[m.major_code] = MajorFit(m.major_code, max(m.score, 0.0) / best)
    lower = [m for m in matches if majors[m.major_code].level not in wanted][:sources]
    for m in lower:
        share = max(m.score, 0.0) / best
        for code, weight in ladder._continuations_at(m.major_code, levels):
            inherited = share * weight
            current = fits.get(code)
            if inherited > (current.fit if current is not None else 0.0):
                fits[code] = MajorFit(code, inherited, via=m.major_code)
    return sorted((f for f in fits.values() if f.fit >= min_fit), key=lambda f: (-f.fit, f.major_code))


def test_the_ladder_fits_as_it_was_first_written(recommender):
    rng = random.Random(2)
    ladder = MajorLadder(recommender.catalog)
    codes = list(recommender.catalog.majors) + ["999999", "000000"]  # unknown codes are dropped
    level_sets = [("高职专科",), ("职教本科", "普通本科"), ("中职",), ()]
    for trial in range(300):
        picked = rng.sample(codes, rng.randint(0, len(codes)))
        picked += rng.sample(picked, min(len(picked), rng.randint(0, 3)))  # a major twice
        scores = [rng.choice([0.0, -0.5, 1.0, round(rng.random(), rng.choice([1, 6]))]) for _ in picked]
        matches = [MajorCandidate(c, s) for c, s in zip(picked, sorted(scores, reverse=trial % 2 == 0))]
        for levels in level_sets:
            for min_fit, sources in ((0.2, 10), (0.0, 3), (0.6, 0)):
                got = ladder.fit_at_levels(matches, levels, min_fit=min_fit, sources=sources)
                assert got == reference_fit_at_levels(ladder, matches, levels, min_fit=min_fit, sources=sources)


COURSE_WORDS = ["焊接", "电工", "配电柜", "检修", "护理", "会计", "出纳", "汽车", "维修", "直播", "营销", "安全", "设备"]


def random_courses(rng: random.Random) -> list[Course]:
    """60 courses named and described by random domain words, the first five listed twice."""
    courses = [Course(f"c{i}", "".join(rng.sample(COURSE_WORDS, 2)), "460306",
                      description="，".join(rng.sample(COURSE_WORDS, rng.randint(0, 4)))) for i in range(60)]
    return courses + courses[:5]  # the same course twice in a list


def test_query_scores_rank_like_the_course_relevance():
    rng = random.Random(3)
    words = COURSE_WORDS
    courses = random_courses(rng)
    relevance = CourseRelevance(courses)
    for trial in range(60):
        job = "，".join(rng.sample(words, rng.randint(0, 3))) + ("负责设备" if trial % 3 else "")
        context = "，".join(rng.sample(words, 2)) if trial % 2 else ""
        query = relevance.query(job, context)
        scores = relevance.scores(query)
        for number, terms in enumerate(scores._tables.terms):  # the same sums, added in the same order
            assert scores.weights[number] == sum(query[t] for t in query if t in terms)
        subsets = [courses, courses[trial % 7:: 3], courses[:1], [], courses[::-1]]
        for limit in (None, 0, 1, 5, 100, -2):
            expected = [relevance.rank(job, subset, context=context, limit=limit) for subset in subsets]
            programs = [(subset, relevance.text_numbers(subset)) for subset in subsets]
            assert [scores.rank(subset, numbers, limit) for subset, numbers in programs] == expected
            assert [scores.rank(subset, None, limit) for subset in subsets] == expected
            assert scores.rank_many(programs, limit) == expected
            assert scores.rank_many(programs[trial % 5:], limit) == expected[trial % 5:]
    # a course the relevance never saw, and weights that are not all > 0, go word by word
    unseen = [*courses[:4], Course("x1", "焊接设备维修", "460306")]
    assert relevance.text_numbers(unseen) is None
    query = relevance.query("焊接维修", "设备")
    assert relevance.scores(query).rank(unseen, None, 3) == relevance.rank("焊接维修", unseen, context="设备", limit=3)
    mixed = {t: 0.0 if i == 0 else -w if i == 1 else w for i, (t, w) in enumerate(query.items())}
    assert not relevance.scores(mixed).positive
    for limit in (None, 5):
        expected = relevance.rank("", courses, limit=limit, query=mixed)
        assert relevance.scores(mixed).rank(courses, None, limit) == expected
        assert relevance.scores(mixed).rank_many([(courses, None), (unseen, None)], limit)[0] == expected


def reference_select(ranked, limit, per_college_limit, penalty):
    """``Recommender._select`` as first written: every candidate compared at every step."""
    chosen = []
    per_college: Counter[str] = Counter()
    per_major: Counter[str] = Counter()
    pool = list(enumerate(ranked[: limit * 20]))
    while pool and len(chosen) < limit:
        best = max(pool, key=lambda pr: (pr[1][5] - penalty * per_major[pr[1][0].major_code], -pr[0]))
        pool.remove(best)
        program, college = best[1][0], best[1][1]
        if per_college[college.college_id] >= per_college_limit:
            continue
        per_college[college.college_id] += 1
        per_major[program.major_code] += 1
        chosen.append(best[1])
    return chosen


class _Stub:
    def __init__(self, **kw):
        self.__dict__.update(kw)


def test_the_heap_selection_picks_what_the_original_greedy_picks():
    rng = random.Random(5)
    for trial in range(300):
        n = rng.randint(0, 90)
        scores = [round(rng.random(), rng.choice([1, 2, 6])) for _ in range(n)]  # ties on purpose
        ranked = [(_Stub(program_id=f"P{i:03d}", major_code=f"M{rng.randint(0, 6)}"),
                   _Stub(college_id=f"C{rng.randint(0, 9)}"), "city", None, 0.0, s) for i, s in enumerate(scores)]
        ranked.sort(key=lambda x: (-x[5], x[0].program_id))
        recommender = Recommender.__new__(Recommender)
        recommender.per_college = rng.choice([1, 2, 3])
        recommender.major_repeat_penalty = rng.choice([0.0, 0.05, 0.3])
        limit = rng.choice([0, 1, 3, 10])
        expected = reference_select(ranked, limit, recommender.per_college, recommender.major_repeat_penalty)
        top = ranked[: limit * 20]
        majors = np.array([int(r[0].major_code[1:]) for r in top], dtype=np.int64)
        colleges = np.array([int(r[1].college_id[1:]) for r in top], dtype=np.int64)
        chosen = recommender._select_ranked(majors, colleges, [r[5] for r in top], limit)
        assert [top[i] for i in chosen] == expected, trial
        assert recommender._select(ranked, limit) == expected, trial


def test_tables_follow_the_catalog_order_and_ids(recommender):
    tables = recommender.program_tables()
    assert [p.program_id for p in tables.programs] == list(recommender.catalog.programs)
    ids = [p.program_id for p in tables.programs]
    assert [ids[i] for i in np.argsort(tables.id_rank)] == sorted(ids)
    for code, pids in recommender.catalog.programs_by_major.items():
        assert [ids[i] for i in tables.by_major[code]] == list(pids)
    worker = Worker("T", "电工", education="高中", city="南京市", province="江苏省（演示）")
    assert REFERENCE not in tables.checks(worker, "any")[0]  # nothing raises on the demo catalog


def test_with_too_many_course_texts_courses_are_ranked_word_by_word(recommender, demo_workers, monkeypatch):
    monkeypatch.setattr(courses_module, "DENSE_TEXTS", 0)
    assert recommender.course_relevance.scores({}) is None
    workers = variants(demo_workers, 40, seed=13)
    matches = recommender.matcher.match_many([w.job_text for w in workers], k=len(recommender.catalog.majors))
    for worker, match in zip(workers, matches):
        fast, reference = both_paths(recommender, worker, match)
        assert fast == reference, worker.worker_id


def reference_rank(relevance: CourseRelevance, job_text, courses, context="", limit=None) -> list[CourseMatch]:
    """``CourseRelevance.rank`` as first written: every course scanned."""
    query: Counter[str] = Counter()
    for term in terms_of(job_text):
        query[term] += 1.0
    for term in terms_of(context):
        query[term] += 0.5
    scored = []
    for pos, course in enumerate(courses):
        words = term_set(f"{course.name} {course.name} {course.description}")
        shared = [t for t in query if t in words]
        weight = sum(query[t] * relevance.idf(t) for t in shared)
        evidence = tuple(sorted(shared, key=lambda t: -query[t] * relevance.idf(t)))
        scored.append((-weight, pos, course, weight, evidence))
    scored.sort(key=lambda x: (x[0], x[1]))
    top = scored[0][3] if scored and scored[0][3] > 0 else 1.0
    out = [CourseMatch(c, round(w / top, 4), ev[:5]) for _, _, c, w, ev in scored]
    return out[:limit] if limit else out


def test_course_index_ranks_like_a_scan_of_the_courses():
    rng = random.Random(3)
    words = COURSE_WORDS
    courses = random_courses(rng)
    relevance = CourseRelevance(courses)
    index = relevance.index(courses)
    for trial in range(40):
        job = "，".join(rng.sample(words, rng.randint(0, 3))) + ("负责设备" if trial % 3 else "")
        context = "，".join(rng.sample(words, 2)) if trial % 2 else ""
        for limit in (None, 0, 1, 5, 100):
            expected = reference_rank(relevance, job, courses, context, limit)
            assert relevance.rank(job, courses, context=context, limit=limit) == expected
            assert relevance.rank(job, courses, context=context, limit=limit, index=index,
                                  query=relevance.query(job, context)) == expected
    with pytest.raises(ValueError, match="index"):
        relevance.rank("焊接", courses[:3], index=index)

