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
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from recommender.catalog.model import Course

_STOPWORD_TEXT = (
    "负责 工作 进行 相关 能力 基本 基础 课程 主要 掌握 了解 学习 知识 内容 方法 具备 能够 以及 包括 日常 常见 "
    "the and for with from into that this are was were have has can will use using of to in on by or an as at"
)
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())
DENSE_TEXTS = 100_000  # ``CourseRelevance.scores`` keeps one float per distinct course text and query
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
        self._text_tables: _TextTables | None = None  # for ``scores``; built on first use

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

    def scores(self, query: dict[str, float]) -> QueryScores | None:
        """``query`` (``self.query(job_text, context)``) scored once against every distinct course text, to rank
        many programs' courses with ``QueryScores.rank`` (the same results as ``rank``); None when there are
        more than ``DENSE_TEXTS`` distinct texts (then a query's weights would cost more than they save)."""
        if len(self._terms_of) > DENSE_TEXTS:
            return None
        return QueryScores(self, self._texts(), query)

    def text_numbers(self, courses: list[Course] | tuple[Course, ...]) -> np.ndarray | None:
        """The number of every course's text for ``QueryScores.rank``, or None when one of them was not seen by
        this ``CourseRelevance`` (then ``QueryScores.rank`` ranks them as ``rank`` does, word by word)."""
        return self._texts().numbers(courses)

    def _texts(self) -> _TextTables:
        if self._text_tables is None:
            self._text_tables = _TextTables(self._terms_of)
        return self._text_tables


class _TextTables:
    """The distinct course texts (name, description) known to a ``CourseRelevance``, numbered, and for every
    content word the numbers of the texts that contain it."""

    def __init__(self, terms_of: dict[tuple[str, str], frozenset[str]]):
        self.number: dict[tuple[str, str], int] = {}
        self.terms: list[frozenset[str]] = []
        postings: dict[str, list[int]] = {}
        for key, terms in terms_of.items():
            self.number[key] = len(self.terms)
            for term in terms:
                postings.setdefault(term, []).append(len(self.terms))
            self.terms.append(terms)
        self.postings = {term: np.array(ids, dtype=np.intp) for term, ids in postings.items()}

    def numbers(self, courses: list[Course] | tuple[Course, ...]) -> np.ndarray | None:
        """The text number of every course, or None when one of them is not known."""
        number = self.number
        try:
            return np.array([number[(c.name, c.description)] for c in courses], dtype=np.intp)
        except KeyError:
            return None


class QueryScores:
    """One query's weight against every distinct course text (``CourseRelevance.scores``).

    Each text's weight is the sum of the weights of the query words it contains, added in query order, as
    ``CourseRelevance.rank`` adds them, so ``rank`` here returns what ``CourseRelevance.rank`` returns.
    """

    def __init__(self, relevance: CourseRelevance, tables: _TextTables, query: dict[str, float]):
        self.relevance, self.query, self._tables = relevance, query, tables
        # Every weight > 0: a course shares a word with the query exactly when its weight is > 0.
        self.positive = all(w > 0 for w in query.values())
        postings = tables.postings
        found = [(postings[t], w) for t, w in query.items() if t in postings]
        if found:  # bincount adds the weights in the order given: query order for every text
            ids = np.concatenate([ids for ids, _ in found])
            each = np.repeat(np.array([w for _, w in found], dtype=np.float64), [len(ids) for ids, _ in found])
            self.weights = np.bincount(ids, weights=each, minlength=len(tables.terms))
        else:
            self.weights = np.zeros(len(tables.terms), dtype=np.float64)
        by_weight = sorted(query, key=lambda t: -query[t])  # stable: ties keep the query order
        self._evidence_rank = {t: i for i, t in enumerate(by_weight)}
        self._query_terms = frozenset(query)
        self._evidence: dict[int, tuple[str, ...]] = {}

    def evidence(self, number: int) -> tuple[str, ...]:
        """The query's words in text ``number``, most telling first (at most five)."""
        found = self._evidence.get(number)
        if found is None:
            shared = self._tables.terms[number] & self._query_terms
            found = self._evidence[number] = tuple(sorted(shared, key=self._evidence_rank.__getitem__)[:5])
        return found

    def rank(self, courses: list[Course] | tuple[Course, ...], numbers: np.ndarray | None = None,
             limit: int | None = None) -> list[CourseMatch]:
        """``relevance.rank(job_text, courses, context=context, limit=limit)`` for the query's job text and
        context; ``numbers`` are the courses' text numbers (``CourseRelevance.text_numbers``), when the caller keeps
        them."""
        if numbers is None:
            numbers = self._tables.numbers(courses)
        if numbers is None or not self.positive:
            return self.relevance.rank("", list(courses), limit=limit, query=self.query)
        weight = self.weights[numbers]
        wanted = limit if limit else len(courses)
        matched = np.flatnonzero(weight > 0)
        order = matched[np.argsort(-weight[matched], kind="stable")[:wanted]].tolist()
        top = float(weight[order[0]]) if order else 1.0
        scores = weight[order].tolist()
        out = [CourseMatch(courses[pos], round(score / top, 4), self.evidence(int(numbers[pos])))
               for pos, score in zip(order, scores)]
        if len(out) < wanted:  # then the courses without a shared word, in catalog order
            out.extend(CourseMatch(courses[pos], round(0 / top, 4), ())
                       for pos in np.flatnonzero(weight <= 0)[: wanted - len(out)].tolist())
        return out

    def rank_many(self, programs: Sequence[tuple[Sequence[Course], np.ndarray | None]],
                  limit: int | None = None) -> list[list[CourseMatch]]:
        """``[self.rank(courses, numbers, limit) for courses, numbers in programs]``, sorted in one go.

        Within each list the courses are ordered by weight, then position: the matched ones as ``rank`` orders
        them, then (weight 0) the others in catalog order, so each result is the head of its list.
        """
        if not self.positive or (limit is not None and limit < 0) or any(n is None for _, n in programs):
            return [self.rank(courses, numbers, limit) for courses, numbers in programs]
        if not programs:
            return []
        sizes = [len(numbers) for _, numbers in programs]
        numbers = np.concatenate([numbers for _, numbers in programs])
        weight = self.weights[numbers]
        order = np.lexsort((-weight, np.repeat(np.arange(len(programs)), sizes)))  # stable: then position
        starts = np.cumsum([0, *sizes[:-1]]).tolist()
        heads = [order[start: start + min(limit or size, size)] for start, size in zip(starts, sizes)]
        picked = np.concatenate(heads) if heads else order[:0]
        picked_weight, picked_number = weight[picked].tolist(), numbers[picked].tolist()
        picked = picked.tolist()
        out = []
        at = 0
        evidence = self.evidence
        for (courses, _), start, head in zip(programs, starts, heads):
            end = at + len(head)
            top = picked_weight[at] if end > at and picked_weight[at] > 0 else 1.0
            out.append([CourseMatch(courses[pos - start], round(w / top, 4), evidence(number)) if w > 0 else
                        CourseMatch(courses[pos - start], round(0 / top, 4), ())
                        for pos, w, number in zip(picked[at:end], picked_weight[at:end], picked_number[at:end])])
            at = end
        return out


@dataclass(frozen=True)
class CourseIndex:
    """Positions of a list of courses by content word (``CourseRelevance.index``)."""

    size: int
    postings: dict[str, list[int]]
