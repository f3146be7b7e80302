"""Fast, reproducible random draws shared by the generator, built on ``Random.random()`` alone.

Two reasons. Python promises that ``random()`` gives the same sequence for a seed in every
version, but not ``choice``, ``sample`` or ``shuffle`` (their algorithms have changed before):
drawing everything from ``random()`` keeps the shipped sample byte-identical on any Python.
And ``choice`` and ``randint`` cost several times more than a multiplication; the generator
makes about fifty draws per person, which at 100,000 people is seconds saved.
"""

from __future__ import annotations

import itertools
import unicodedata
from bisect import bisect
from collections.abc import Sequence
from random import Random
from typing import Generic, TypeVar

from transition.generator import vocabulary as words

T = TypeVar("T")


def pick(rng: Random, options: Sequence[T]) -> T:
    """``rng.choice``, several times faster (one ``random()`` call); fine for synthetic data."""
    return options[int(rng.random() * len(options))]


def between(rng: Random, low: int, high: int) -> int:
    """``rng.randint(low, high)``, several times faster."""
    return low + int(rng.random() * (high - low + 1))


def below(rng: Random, limit: int) -> int:
    return int(rng.random() * limit)


def shuffle(rng: Random, items: list[T]) -> None:
    """Shuffle in place (Fisher-Yates)."""
    for i in range(len(items) - 1, 0, -1):
        j = int(rng.random() * (i + 1))
        items[i], items[j] = items[j], items[i]


def sample(rng: Random, population: Sequence[T], count: int) -> list[T]:
    """``count`` distinct members of ``population`` in random order."""
    size = len(population)
    if count * 2 > size:
        order = list(range(size))
        shuffle(rng, order)
        return [population[i] for i in order[:count]]
    seen: set[int] = set()
    chosen: list[T] = []
    while len(chosen) < count:
        index = int(rng.random() * size)
        if index not in seen:
            seen.add(index)
            chosen.append(population[index])
    return chosen


class Weighted(Generic[T]):
    """A fixed weighted choice: one ``rng.random()`` and a bisect per pick."""

    def __init__(self, pairs: Sequence[tuple[T, float]]):
        self.values = [value for value, _ in pairs]
        self.cumulative = list(itertools.accumulate(weight for _, weight in pairs))
        self.total = self.cumulative[-1]

    def pick(self, rng: Random) -> T:
        return self.values[bisect(self.cumulative, rng.random() * self.total)]


def ascii_name(text: str) -> str:
    """Zoë O'Neill -> zoe.oneill (for email addresses)."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalnum())


def pick_name(rng: Random, origin: words.Origin, gender: str, older: bool) -> tuple[str, str]:
    """A given and family name from ``origin`` that suits ``gender`` (and age, where it helps)."""
    if gender == "male":
        pool = origin.male_older if older and origin.male_older else origin.male
    elif gender == "female":
        pool = origin.female_older if older and origin.female_older else origin.female
    elif rng.random() < 0.6:
        pool = words.NEUTRAL_GIVEN
    else:
        pool = origin.male if rng.random() < 0.5 else origin.female
    family = pick(rng, origin.family)
    if "|" in family:
        masculine, feminine = family.split("|")
        family = feminine if gender == "female" else masculine
    return pick(rng, pool), family
