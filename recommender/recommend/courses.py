"""Which courses of a program matter for a worker's job, and the words that show it.

Courses are scored against the worker's job text (title and duties) and the tasks of the occupations it was linked
to: TF-IDF-weighted overlap of segmented words (jieba for Chinese, words for English), so every score comes with
the shared words as evidence a worker can read.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from recommender.catalog.model import Course

_STOPWORD_TEXT = (
    "负责 工作 进行 相关 能力 基本 基础 课程 主要 掌握 了解 学习 知识 内容 方法 具备 能够 以及 包括 日常 常见 "
    "the and for with from into that this are was were have has can will use using of to in on by or an as at"
)
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())
_TOKEN = re.compile(r"[A-Za-z][A-Za-z\-]+|[\u4e00-\u9fff]+")


@lru_cache(maxsize=1)
def _jieba():
    import jieba

    jieba.setLogLevel(60)
    jieba.initialize()
    return jieba


@lru_cache(maxsize=65536)
def terms_of(text: str) -> tuple[str, ...]:
    """The content words of ``text``: jieba words of two or more characters, English words; no stopwords."""
    out: list[str] = []
    for chunk in _TOKEN.findall(text or ""):
        if chunk[0].isascii():
            word = chunk.lower()
            if word not in _STOPWORDS and len(word) > 2:
                out.append(word)
            continue
        for word in _jieba().cut_for_search(chunk):
            if len(word) >= 2 and word not in _STOPWORDS:
                out.append(word)
    return tuple(out)


@lru_cache(maxsize=65536)
def term_set(text: str) -> frozenset[str]:
    """``terms_of(text)`` as a set, cached: course texts repeat across programs and workers."""
    return frozenset(terms_of(text))


@dataclass(frozen=True)
class CourseMatch:
    course: Course
    score: float  # 0..1, share of the best course's weight
    evidence: tuple[str, ...]  # the job's words found in the course, most telling first


class CourseRelevance:
    """Scores courses against a job text; fitted once on every course of a catalog (for the IDF weights).

    Examples
    --------
    >>> from recommender.catalog.model import Course
    >>> courses = [Course("c1", "供配电技术", "460301", description="配电柜安装、检修与运行维护"),
    ...            Course("c2", "护理学基础", "520201", description="病人生活护理与基础护理操作")]
    >>> rel = CourseRelevance(courses)
    >>> [m.course.course_id for m in rel.rank("维修电工，负责配电柜检修", courses)][:1]
    ['c1']
    """

    def __init__(self, courses: list[Course] | tuple[Course, ...]):
        self._terms_of: dict[tuple[str, str], frozenset[str]] = {}
        df: Counter[str] = Counter()
        for course in courses:
            df.update(self._terms(course))
        self._n = max(len(courses), 1)
        self._df = df

    def _terms(self, course: Course) -> frozenset[str]:
        """The course's content words (name twice, description), remembered per (name, description)."""
        key = (course.name, course.description)
        found = self._terms_of.get(key)
        if found is None:
            found = self._terms_of[key] = term_set(self._text(course))
        return found

    @staticmethod
    def _text(course: Course) -> str:
        return f"{course.name} {course.name} {course.description}"

    def idf(self, term: str) -> float:
        return math.log(1 + self._n / (1 + self._df.get(term, 0)))

    def index(self, courses: list[Course] | tuple[Course, ...]) -> CourseIndex:
        """The positions of ``courses`` by content word, for ranking the same list against many job texts."""
        postings: dict[str, list[int]] = {}
        for pos, course in enumerate(courses):
            for term in self._terms(course):
                postings.setdefault(term, []).append(pos)
        return CourseIndex(len(courses), postings)

    def query(self, job_text: str, context: str = "") -> dict[str, float]:
        """The query's words and weights, in the query's order: job words count 1, context words ½, × IDF."""
        query: Counter[str] = Counter()
        for term in terms_of(job_text):
            query[term] += 1.0
        for term in terms_of(context):
            query[term] += 0.5
        return {t: query[t] * self.idf(t) for t in query}

    def rank(self, job_text: str, courses: list[Course], *, context: str = "", limit: int | None = None,
             index: CourseIndex | None = None, query: dict[str, float] | None = None) -> list[CourseMatch]:
        """Courses ordered by relevance to ``job_text`` (weighted fully) and ``context`` (occupation tasks, half).

        Courses with no shared word keep their catalog order after the matched ones, with score 0. A caller that
        ranks several course lists for one job may pass ``index`` (``self.index(courses)``) and ``query``
        (``self.query(job_text, context)``) it keeps.
        """
        index = index or self.index(courses)
        if index.size != len(courses):
            raise ValueError(f"the course index is for {index.size} courses, not {len(courses)}")
        weight_of = self.query(job_text, context) if query is None else query  # the sums add up in query order
        shared: dict[int, list[str]] = {}
        for term in weight_of:
            for pos in index.postings.get(term, ()):
                shared.setdefault(pos, []).append(term)
        weight = weight_of.__getitem__
        wanted = limit if limit else len(courses)
        matched = sorted((-sum(map(weight, terms)), pos) for pos, terms in shared.items())[:wanted]
        top = -matched[0][0] if matched else 1.0  # every shared word weighs > 0
        out = [CourseMatch(courses[pos], round(-negative / top, 4),
                           tuple(sorted(shared[pos], key=lambda t: -weight_of[t]))[:5]) for negative, pos in matched]
        if len(out) < wanted:  # then the courses without a shared word, in catalog order
            unmatched = (pos for pos in range(len(courses)) if pos not in shared)
            out.extend(CourseMatch(courses[pos], round(0 / top, 4), ())
                       for pos in itertools.islice(unmatched, wanted - len(out)))
        return out


@dataclass(frozen=True)
class CourseIndex:
    """Positions of a list of courses by content word (``CourseRelevance.index``)."""

    size: int
    postings: dict[str, list[int]]
