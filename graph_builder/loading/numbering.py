"""The numbering of a meeting series: which numbers are missing, and how a list of numbers is written.

``customs-kg check`` (``meeting-number-gap``) and the timeline of a series
(its notes) both report gaps with these two functions; the named query
``missing-meeting-numbers`` asks the same of a graph store.
"""

from __future__ import annotations

from typing import Iterable


def missing_numbers(known: Iterable[int]) -> list[int]:
    """The numbers between the smallest and the largest known one that are not known."""
    numbers = set(known)
    return sorted(set(range(min(numbers), max(numbers) + 1)) - numbers) if numbers else []


def number_ranges(numbers: Iterable[int]) -> str:
    """``[13, 14, ..., 23, 29]`` -> ``"13–23, 29"``."""
    nums = sorted(set(numbers))
    parts: list[str] = []
    i = 0
    while i < len(nums):
        j = i
        while j + 1 < len(nums) and nums[j + 1] == nums[j] + 1:
            j += 1
        parts.append(str(nums[i]) if i == j else f"{nums[i]}–{nums[j]}")
        i = j + 1
    return ", ".join(parts)
