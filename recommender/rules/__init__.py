"""Rules that are law or policy: who may enrol (the education ladder), what subsidies pay, what credits transfer.

Deterministic and data-driven (tables and policy files, never model scores); every amount cites its rule.
"""

from recommender.rules.credit_bank import Transfer, credit_transfers, load_credit_rules
from recommender.rules.eligibility import Decision, eligible_levels, is_eligible, normalize_education
from recommender.rules.policy_files import PolicyFileError, load_policies, load_policy_file
from recommender.rules.subsidies import SubsidyLine, SubsidyResult, evaluate_subsidies

__all__ = [
    "Decision",
    "PolicyFileError",
    "SubsidyLine",
    "SubsidyResult",
    "Transfer",
    "credit_transfers",
    "eligible_levels",
    "evaluate_subsidies",
    "is_eligible",
    "load_credit_rules",
    "load_policies",
    "load_policy_file",
    "normalize_education",
]
