"""Job text as workers and job boards write it → the parts worth matching.

Chinese posting titles carry noise around the job: company prefixes (``焱鑫烧烤招聘洗碗工``), pay and perks
(``月薪8000+``, ``五险一金``, ``包吃住``), places and notes in brackets, several jobs joined by ``/`` or ``+``.
``query_variants`` returns the cleaned title first, then its segments, so that features can take the best segment.
English texts are split into sentences (an O*NET-style ``Title. Description`` gives its title first).
"""

from __future__ import annotations

import re
import unicodedata

_NOISE_ZH = (
    "五险一金", "六险一金", "包吃包住", "包吃住", "包食宿", "包住宿", "提供住宿", "包住", "包吃", "双休", "单休", "大小周",
    "周结", "日结", "月结", "高提成", "提成", "无责底薪", "高底薪", "底薪", "急招", "直招", "诚聘", "急聘", "高薪",
    "月薪过万", "月入过万", "过万", "月入", "月薪", "年薪", "薪资", "工资", "面议", "保底", "可新人", "接受无经验",
    "无经验", "可小白", "小白", "就近分配", "长白班", "长白", "白班", "夜班", "上班自由", "朝九晚六", "早九晚六",
    "朝九晚五", "不加班", "五险", "社保", "带薪", "年假", "可兼职", "全职", "应届生", "应届", "新人", "有经验者",
    "入职", "转正", "福利", "餐补", "房补", "补贴", "绩效", "奖金", "包车费", "包路费", "可预支", "名额有限",
)
_BRACKETS = re.compile(r"[（(｛{][^）)｝}]*[）)｝}]")
_OPEN_TAIL = re.compile(r"[（(｛{].*$")
_BOXES = re.compile(r"[【\[〔［】\]〕］]")
_COMPANY_PREFIX = re.compile(r"^(?!招聘)[^\s/+、，,（(]{2,20}?(?:招聘|诚聘|急招|直招)")
_NUMBERS = re.compile(r"[0-9]+(?:\.[0-9]+)?\s*[kKwW万千元块天月年+号点时小周-]*|[a-zA-Z]?\d{3,}")
_INNER_RECRUIT = re.compile(r"(?<=.)(?:招聘|诚聘)")
_SEPARATORS = re.compile(r"[+/\-—–_|、，,。.!?:;~·•…\s]+")
_SENTENCE = re.compile(r"(?<=[a-z0-9)])\.\s+(?=[A-Z])")


def clean_zh(text: str) -> str:
    """Remove company prefixes, pay, perks, bracketed notes and numbers from a Chinese job title."""
    t = unicodedata.normalize("NFKC", text or "")
    t = _BOXES.sub(" ", t)
    t = _BRACKETS.sub(" ", t)
    t = _OPEN_TAIL.sub(" ", t)
    t = _COMPANY_PREFIX.sub(" ", t)
    t = _NUMBERS.sub(" ", t)
    for word in _NOISE_ZH:
        t = t.replace(word, " ")
    return _INNER_RECRUIT.sub(" ", t)


def query_variants(text: str, language: str, max_variants: int = 6) -> list[str]:
    """The cleaned text first, then its segments (each at least two characters), without duplicates.

    Examples
    --------
    >>> query_variants("焱鑫烧烤招聘洗碗工（包吃住）", "zh")
    ['洗碗工']
    >>> query_variants("机械设计工程师+包食宿+10K", "zh")
    ['机械设计工程师']
    >>> query_variants("Welders. Use hand-welding equipment.", "en")[:2]
    ['Welders. Use hand-welding equipment.', 'Welders']
    """
    text = (text or "").strip()
    if language == "zh":
        cleaned = clean_zh(text)
        full = _SEPARATORS.sub("", cleaned)
        segments = [s for s in _SEPARATORS.split(cleaned) if len(s) >= 2]
        out = [full or unicodedata.normalize("NFKC", text)]
    else:
        out = [text]
        sentences = [s.strip().rstrip(".") for s in _SENTENCE.split(text) if s.strip()]
        segments = sentences[:1] + [_BRACKETS.sub("", s).strip() for s in sentences[:1]]
    for s in segments:
        if s and s not in out:
            out.append(s)
    return out[:max_variants]


def normalise_label(text: str) -> str:
    """Key for exact label matches: NFKC, lower case, no spaces or punctuation."""
    t = unicodedata.normalize("NFKC", text or "").lower()
    return re.sub(r"[\s\W_]+", "", t)
