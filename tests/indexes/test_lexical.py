"""BM25 for Chinese (no whitespace) and English, filtered search, persistence."""

from __future__ import annotations

from recommender.indexes.lexical import LexicalIndex

ZH = ["汽车检测与维修技术 汽车维护、故障诊断与修理", "智能焊接技术 焊接方法与设备", "大数据与会计 会计核算 出纳",
      "烹饪工艺与营养 中式烹调 中式面点"]
ZH_IDS = ["500211", "460110", "530302", "540202"]


def test_chinese_queries_without_spaces_find_their_documents():
    index = LexicalIndex().fit(ZH, ZH_IDS)
    assert index.analyzer == "words+char1-2"
    assert index.search(["汽修师傅 汽车维修"], k=1)[0][0][0] == "500211"
    assert index.search(["电焊工"], k=1)[0][0][0] == "460110"
    assert index.search(["面点师"], k=1)[0][0][0] == "540202"


def test_english_words_are_stemmed():
    index = LexicalIndex().fit(["Welding Technology/Welder", "Accounting", "Nursing Science"], ["w", "a", "n"])
    assert index.analyzer == "words+bigrams"
    assert index.search(["welders"], k=1)[0][0][0] == "w"
    assert index.search(["Registered Nurses"], k=1)[0][0][0] == "n"


def test_filter_and_scores():
    index = LexicalIndex().fit(ZH, ZH_IDS)
    hits = index.search(["技术"], k=4, allowed={"460110", "540202"})[0]
    assert {i for i, _ in hits} <= {"460110", "540202"} and hits
    scores = index.score_all(["会计", "不存在的词"])
    assert scores.shape == (2, 4) and scores[0].argmax() == 2 and scores[1].max() == 0


def test_save_and_load(tmp_path):
    index = LexicalIndex().fit(ZH, ZH_IDS)
    index.save(tmp_path)
    loaded = LexicalIndex.load(tmp_path)
    assert loaded.search(["焊接"], 2) == index.search(["焊接"], 2)
