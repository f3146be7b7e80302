"""The bulk helpers: pausing the cyclic garbage collector."""

from __future__ import annotations

import gc
import weakref

from transition.bulk import collector_paused


class _Node:
    def __init__(self) -> None:
        self.other: _Node | None = None


def test_objects_made_while_paused_go_to_the_oldest_generation_unscanned() -> None:
    gc.collect()  # every generation's count at zero: what follows is a young collection at most
    with collector_paused():
        assert not gc.isenabled()
        kept = [[index] for index in range(10_000)]
    assert gc.isenabled()
    # Re-enabled with 10,000 young objects, the collector would scan them at the next
    # allocation and move them to the middle generation; handed over, they are already oldest.
    oldest = {id(obj) for obj in gc.get_objects(generation=2)}
    assert id(kept[0]) in oldest and id(kept[-1]) in oldest


def test_cycles_made_while_paused_are_still_collected() -> None:
    with collector_paused():
        first, second = _Node(), _Node()
        first.other, second.other = second, first
        alive = weakref.ref(first)
        del first, second
    assert alive() is not None  # a cycle: reference counting alone cannot free it
    gc.collect()
    assert alive() is None


def test_a_nested_pause_leaves_the_collector_paused() -> None:
    with collector_paused():
        with collector_paused():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()
