"""Drawing from weighted choices, millions of times: the cumulative weights are summed once."""

from __future__ import annotations

import itertools
import random
from bisect import bisect
from collections.abc import Sequence
from typing import Generic, TypeVar

T = TypeVar("T")


class Weighted(Generic[T]):
    def __init__(self, choices: Sequence[T], weights: Sequence[float]) -> None:
        self._choices = tuple(choices)
        self._cumulative = tuple(itertools.accumulate(weights))
        self._total = self._cumulative[-1]

    def pick(self, rng: random.Random) -> T:
        return self._choices[bisect(self._cumulative, rng.random() * self._total)]
