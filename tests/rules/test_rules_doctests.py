"""The examples in the rules modules' docstrings run and give what they say."""

from __future__ import annotations

import doctest

import pytest

from recommender.rules import credit_bank, eligibility, subsidies, text


@pytest.mark.parametrize("module", [text, eligibility, subsidies, credit_bank])
def test_docstring_examples(module):
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0
