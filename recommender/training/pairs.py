"""Contrastive training examples from the knowledge graph: (anchor, positive, hard negative) per task and epoch.

The benchmarks ask short job titles to find majors / programs, so most examples pair a short title-like text
(大典 name or alias, O*NET title, alternate or reported title) with an item text of a major or program *linked to
that occupation by a known link*. Further tasks tie the same titles to their occupation's definition, the
definitions and task statements to the occupation and to its items, and each item's name to its own text, so
that occupations without known links (the open-world case) still land near the right items through content.

Hard negatives are siblings: another major of the same 专业类 or program of the same CIP series that is *not*
linked to the anchor's occupation, or an occupation of the same 大典 小类 / SOC broad group.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from recommender.training.knowledge import Entity, Knowledge

# Job-posting decorations, used to make Chinese title anchors look like real posting titles.
TITLE_PREFIXES = ("高级", "资深", "初级", "中级", "见习", "实习", "储备", "急招", "招聘", "诚聘", "熟练", "普工")
TITLE_SUFFIXES = ("学徒", "助理", "（急招）", "（包吃住）", "（五险一金）", "（双休）", "长白班", "主管", "组长", "专员")


@dataclass(frozen=True)
class Example:
    """One contrastive example: the anchor should be nearer to the positive than to anything else in its batch."""

    task: str
    anchor: str
    positive: str
    negative: str | None
    anchor_key: str
    positive_key: str
    negative_key: str | None


@dataclass(frozen=True)
class PairMix:
    """How many examples each task contributes per epoch (caps per entity), and augmentation rates."""

    titles_per_occupation: int = 8
    positives_per_title: int = 2
    tasks_per_occupation: int = 3
    decorate_rate: float = 0.3
    hard_negative_rate: float = 1.0
    negative_scope: str = "sibling"
    related_titles_per_occupation: int = 4
    max_related: int = 3
    related_languages: tuple[str, ...] = ("en",)
    self_training_from_epoch: int = 3
    self_training_top_k: int = 3
    related_bonus: float = 0.05
    # The link predictor as the teacher of open-world titles (``recommender.training.open_world``): the serving
    # model is trained again with, for each bench occupation without links (languages below), the predictor's
    # top ``teacher_top_k`` items as its titles' weak targets, from the first epoch; 0 turns the stage off.
    teacher_top_k: int = 5
    teacher_languages: tuple[str, ...] = ("en",)
    teacher_titles_per_occupation: int = 48


def item_views(e: Entity) -> dict[str, str]:
    """Texts of a major / program, from shortest to fullest (``full`` is what the dense index encodes)."""
    sep = "。" if e.lang == "cn" else ". "
    card = f"{e.name}{sep}{e.description}" if e.description else e.name
    full_parts = [e.name, e.context, e.description if e.lang == "en" else "", e.extra]
    full = sep.join(p for p in full_parts if p)
    return {"name": e.name, "card": card, "full": full}


def item_document(e: Entity) -> str:
    """The text indexed for an item (major or program) in the dense channel."""
    return item_views(e)["full"]


def occupation_views(e: Entity) -> dict[str, str]:
    """Texts of an occupation: its name + definition, and the same with its tasks."""
    sep = "。" if e.lang == "cn" else ". "
    card = f"{e.name}{sep}{e.description}" if e.description else e.name
    tasks = ("；" if e.lang == "cn" else " ").join(e.tasks[:8])
    return {"card": card, "full": f"{card}{sep}{tasks}" if tasks else card}


def decorate_title(title: str, rng: random.Random, places: list[str]) -> str:
    """Add a posting-style prefix and/or suffix (level, urgency, perks, city) to a Chinese title."""
    roll = rng.random()
    if roll < 0.35:
        return rng.choice(TITLE_PREFIXES) + title
    if roll < 0.7:
        return title + rng.choice(TITLE_SUFFIXES)
    if places and roll < 0.9:
        place = rng.choice(places)
        return f"{title}-{place}" if rng.random() < 0.5 else f"{place}{title}"
    return rng.choice(TITLE_PREFIXES) + title + rng.choice(TITLE_SUFFIXES)


class PairBuilder:
    """Builds each epoch's examples from a :class:`Knowledge` graph, deterministically from a seed.

    Parameters
    ----------
    knowledge : Knowledge
        Entities and known links.
    mix : PairMix
        Per-task caps and augmentation rates.

    Examples
    --------
    >>> builder = PairBuilder(knowledge)  # doctest: +SKIP
    >>> examples = builder.epoch(seed=13, epoch=0)  # doctest: +SKIP
    """

    def __init__(self, knowledge: Knowledge, mix: PairMix | None = None) -> None:
        self.kg = knowledge
        self.mix = mix or PairMix()
        self.by_group: dict[str, list[str]] = {}
        self.by_parent: dict[str, list[str]] = {}
        for key, e in sorted(knowledge.entities.items()):
            self.by_group.setdefault(e.group, []).append(key)
            self.by_parent.setdefault(e.parent_group, []).append(key)
        self.occupations = {lang: knowledge.of_kind(lang, "occ") for lang in ("cn", "en")}
        self.items = {"cn": knowledge.of_kind("cn", "major"), "en": knowledge.of_kind("en", "cip")}
        self.item_kind = {"cn": "major", "en": "cip"}
        # Weak item targets for occupations without known links, set by the trainer from the model's own
        # occupation-text → item ranking (self-training); empty until then.
        self.inferred_links: dict[str, list[str]] = {}
        # Weak item targets given by a teacher (the link predictor, ``recommender.training.open_world``); they
        # take precedence over self-training. Empty unless the trainer is given some.
        self.teacher_links: dict[str, list[str]] = {}

    def weak_targets(self, occ_key: str, lang: str) -> list[str]:
        """Weak item targets of an occupation without links: the teacher's, else self-training links, else related
        occupations' items."""
        if occ_key in self.teacher_links:
            return self.teacher_links[occ_key]
        if occ_key in self.inferred_links:
            return self.inferred_links[occ_key]
        if lang in self.mix.related_languages:
            return self.kg.inferred(occ_key, self.item_kind[lang], self.mix.max_related)
        return []

    # -- helpers -----------------------------------------------------------------------------------------------
    def sibling(self, key: str, avoid: set[str], rng: random.Random) -> str | None:
        """A hard negative for positive ``key``, not in ``avoid``.

        ``mix.negative_scope`` ``"sibling"``: same group (专业类, CIP series, 大典 小类, SOC broad occupation), else same
        parent group; ``"cousin"``: same parent group (专业大类, CIP family, 大典 中类, SOC minor group) but another
        group, since the links are incomplete and unlinked siblings are often relevant too.
        """
        e = self.kg.entities[key]
        if self.mix.negative_scope == "cousin":
            pools = [[k for k in self.by_parent.get(e.parent_group, []) if self.kg.entities[k].group != e.group]]
        else:
            pools = [self.by_group.get(e.group, []), self.by_parent.get(e.parent_group, [])]
        for pool in pools:
            choices = [k for k in pool if k != key and k not in avoid]
            if choices:
                return rng.choice(choices)
        return None

    def _title(self, text: str, lang: str, rng: random.Random) -> str:
        if lang == "cn" and rng.random() < self.mix.decorate_rate:
            return decorate_title(text, rng, self.kg.places)
        return text

    def _sample(self, seq: list[str], k: int, rng: random.Random) -> list[str]:
        return list(seq) if len(seq) <= k else rng.sample(seq, k)

    def _example(self, task: str, anchor: str, akey: str, pkey: str, view: Callable[[Entity], str],
                 avoid: set[str], rng: random.Random) -> Example:
        nkey = self.sibling(pkey, avoid, rng) if rng.random() < self.mix.hard_negative_rate else None
        return Example(task, anchor, view(self.kg.entities[pkey]), view(self.kg.entities[nkey]) if nkey else None,
                       akey, pkey, nkey)

    @staticmethod
    def _item_view(rng: random.Random) -> Callable[[Entity], str]:
        roll = rng.random()
        name = "full" if roll < 0.6 else "card" if roll < 0.9 else "name"
        return lambda e: item_views(e)[name]

    # -- tasks -------------------------------------------------------------------------------------------------
    def title_to_item(self, lang: str, rng: random.Random) -> list[Example]:
        """Occupation name / alias / reported title → a major or program linked to that occupation."""
        out = []
        for occ in self.occupations[lang]:
            items = self.kg.linked(occ.key, self.item_kind[lang])
            if not items:
                continue
            avoid = set(items) | {occ.key}
            titles = [occ.name] + self._sample(occ.short_texts[1:], self.mix.titles_per_occupation - 1, rng)
            for title in titles:
                for item in self._sample(items, self.mix.positives_per_title, rng):
                    out.append(self._example(f"{lang}-title-item", self._title(title, lang, rng), occ.key, item,
                                             self._item_view(rng), avoid, rng))
        return out

    def title_to_related_item(self, lang: str, rng: random.Random) -> list[Example]:
        """Title of an occupation *without* known links → one of its weak item targets.

        Weak targets come from the model itself once it has learnt occupation text → item (the top items for the
        occupation's definition and tasks, nudged towards the items of O*NET related occupations), else from
        related occupations alone. Open-world titles thus learn where their occupation's text points. An occupation
        with teacher targets contributes ``mix.teacher_titles_per_occupation`` titles, the others
        ``mix.related_titles_per_occupation``.
        """
        out = []
        kind = self.item_kind[lang]
        for occ in self.occupations[lang]:
            if self.kg.linked(occ.key, kind):
                continue
            items = self.weak_targets(occ.key, lang)
            if not items:
                continue
            avoid = set(items) | {occ.key}
            n = (self.mix.teacher_titles_per_occupation if occ.key in self.teacher_links
                 else self.mix.related_titles_per_occupation)
            for title in self._sample(occ.short_texts, n, rng):
                out.append(self._example(f"{lang}-title-related", self._title(title, lang, rng), occ.key,
                                         rng.choice(items), self._item_view(rng), avoid, rng))
        return out

    def title_to_occupation(self, lang: str, rng: random.Random) -> list[Example]:
        """Alias / alternate title → its occupation's name and definition (every occupation, linked or not)."""
        out = []
        for occ in self.occupations[lang]:
            titles = self._sample(occ.short_texts, self.mix.titles_per_occupation, rng)
            view = "full" if rng.random() < 0.3 else "card"
            for title in titles:
                out.append(self._example(f"{lang}-title-occ", self._title(title, lang, rng), occ.key, occ.key,
                                         lambda e, v=view: occupation_views(e)[v], {occ.key}, rng))
        return out

    def occupation_to_item(self, lang: str, rng: random.Random) -> list[Example]:
        """Occupation definition (and tasks) → a linked major or program."""
        out = []
        for occ in self.occupations[lang]:
            items = self.kg.linked(occ.key, self.item_kind[lang])
            if not items:
                continue
            views = occupation_views(occ)
            for item in self._sample(items, self.mix.positives_per_title, rng):
                anchor = views["full"] if rng.random() < 0.5 else views["card"]
                out.append(self._example(f"{lang}-occ-item", anchor, occ.key, item, self._item_view(rng),
                                         set(items) | {occ.key}, rng))
        return out

    def task_to_occupation(self, lang: str, rng: random.Random) -> list[Example]:
        """A task statement → its occupation's name (teaches what each occupation does, word by word)."""
        out = []
        for occ in self.occupations[lang]:
            for task in self._sample(occ.tasks, self.mix.tasks_per_occupation, rng):
                out.append(self._example(f"{lang}-task-occ", task, occ.key, occ.key, lambda e: e.name,
                                         {occ.key}, rng))
        return out

    def item_name_to_item(self, lang: str, rng: random.Random) -> list[Example]:
        """An item's name, example title or core course → the item's own fuller text."""
        out = []
        for item in self.items[lang]:
            if not (item.description or item.extra):
                continue
            anchors = [item.name] + self._sample(item.aliases + item.tasks, 2, rng)
            for anchor in anchors:
                out.append(self._example(f"{lang}-name-item", anchor, item.key, item.key,
                                         lambda e: item_views(e)["full"], {item.key}, rng))
        return out

    def item_to_linked_item(self, rng: random.Random) -> list[Example]:
        """中职 major → its continuing 高职专科 majors (接续专业)."""
        out = []
        for item in self.items["cn"]:
            higher = self.kg.linked(item.key, "major")
            for target in self._sample(higher, 2, rng):
                out.append(self._example("cn-item-item", item_views(item)["card"], item.key, target,
                                         lambda e: item_views(e)["full"], set(higher) | {item.key}, rng))
        return out

    # -- epoch -------------------------------------------------------------------------------------------------
    def epoch(self, seed: int, epoch: int, languages: tuple[str, ...] = ("cn", "en")) -> list[Example]:
        """All examples of one epoch (deterministic for a given seed and epoch)."""
        rng = random.Random(f"{seed}:{epoch}")
        out: list[Example] = []
        for lang in languages:
            out += self.title_to_item(lang, rng)
            if self.mix.related_titles_per_occupation > 0 or self.teacher_links:
                out += self.title_to_related_item(lang, rng)
            out += self.title_to_occupation(lang, rng)
            out += self.occupation_to_item(lang, rng)
            out += self.task_to_occupation(lang, rng)
            out += self.item_name_to_item(lang, rng)
        if "cn" in languages:
            out += self.item_to_linked_item(rng)
        return out


def batches(examples: list[Example], batch_size: int, seed: int, min_batch: int = 16) -> list[list[Example]]:
    """Shuffle examples within each task, cut them into batches of one task each, shuffle the batch order.

    One task per batch keeps in-batch negatives of the same kind (title → item against other items), which is what
    makes them informative.
    """
    rng = random.Random(seed)
    by_task: dict[str, list[Example]] = {}
    for ex in examples:
        by_task.setdefault(ex.task, []).append(ex)
    out: list[list[Example]] = []
    for task in sorted(by_task):
        rows = by_task[task]
        rng.shuffle(rows)
        out += [rows[i:i + batch_size] for i in range(0, len(rows), batch_size) if len(rows[i:i + batch_size]) >= min_batch]
    rng.shuffle(out)
    return out
