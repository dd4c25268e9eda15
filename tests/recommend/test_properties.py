"""Properties that must hold for every one of the 1,000 demo workers' recommendations."""

from recommender.recommend.constraints import check_mode, reach
from recommender.rules.eligibility import eligible_levels, is_eligible
from recommender.rules.subsidies import evaluate_subsidies


def test_every_recommendation_respects_constraints_rules_and_explains_itself(recommender, demo_workers):
    catalog = recommender.catalog
    rule_ids = {r.rule_id for p in recommender.policies for r in p.rules}
    workers_with_results = 0
    for worker in demo_workers:
        result = recommender.recommend(worker, limit=5)
        if not result.items:
            assert result.message, f"{worker.worker_id}: an empty result must say which constraint excluded what"
            continue
        workers_with_results += 1
        colleges = [r.program.college_id for r in result.items]
        assert max(colleges.count(c) for c in colleges) <= recommender.per_college
        for rec in result.items:
            program = rec.program
            college = catalog.colleges[program.college_id]
            where = f"{worker.worker_id} → {program.program_id}"
            # eligibility: never a program the worker cannot enter
            assert program.level in eligible_levels(worker.education), where
            assert is_eligible(worker, program).allowed, where
            assert college.is_partner, where
            # place, mode and schedule
            assert reach(program, college, worker) == rec.reach is not None, where
            assert check_mode(program, worker) is None, where
            # budget on the net cost after subsidies
            if worker.budget_yuan is not None:
                assert rec.subsidy.net_cost <= worker.budget_yuan, where
            # every amount reproducible from the cited rule
            again = evaluate_subsidies(worker, program, program.total_tuition, recommender.policies)
            assert again == rec.subsidy, where
            assert rec.subsidy.tuition == program.total_tuition
            assert sum(line.amount for line in rec.subsidy.lines) == rec.subsidy.total_subsidy
            assert 0 <= rec.subsidy.net_cost <= rec.subsidy.tuition
            for line in rec.subsidy.lines:
                assert line.rule_id in rule_ids and line.citation and line.basis, where
            # a reason, naming what the worker pays
            assert rec.reason and f"{rec.subsidy.net_cost:,}元" in rec.reason, where
            # courses come from the program itself
            own = {c.course_id for c in catalog.courses_of_program(program.program_id)}
            assert {m.course.course_id for m in rec.courses} <= own, where
            assert {t.course_id for t in rec.credit_transfers} <= own, where
    assert workers_with_results >= 600, f"only {workers_with_results} of {len(demo_workers)} workers got results"
