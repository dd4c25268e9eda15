"""Job-title cleaning: the job survives, the pay, perks, company and notes go."""

from __future__ import annotations

import pytest

from recommender.matching.text import normalise_label, query_variants


@pytest.mark.parametrize("title,first", [
    ("焱鑫烧烤招聘洗碗工", "洗碗工"),
    ("急招电焊工 月薪8000+", "电焊工"),
    ("新乡西大街急招【人事专员】 五险+包住宿", "人事专员"),
    ("财务会计/出纳（郑州）", "财务会计出纳"),
    ("招聘主管双休五险一金", "招聘主管"),  # 招聘 at the start is the job itself
    ("汽车维修工", "汽车维修工"),
])
def test_chinese_titles_are_cleaned(title, first):
    assert query_variants(title, "zh")[0] == first


def test_segments_follow_the_cleaned_title():
    assert query_variants("销售代表/主管-红花郎", "zh") == ["销售代表主管红花郎", "销售代表", "主管", "红花郎"]


def test_english_description_gives_its_title():
    v = query_variants("Brickmasons and Blockmasons. Lay and bind building materials.", "en")
    assert v[1] == "Brickmasons and Blockmasons"
    assert query_variants("Certified Physician's Assistant (PA-C)", "en")[0] == "Certified Physician's Assistant (PA-C)"


def test_normalised_labels_ignore_width_case_and_punctuation():
    assert normalise_label("ＣＮＣ／数控") == normalise_label("cnc数控")
