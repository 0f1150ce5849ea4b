"""kpidesign.lru: the least recently used entry goes first, a build is kept and shared, threads agree."""

from __future__ import annotations

import threading

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpidesign.lru import LRU


def test_the_least_recently_used_goes_first() -> None:
    cache: LRU[str, int] = LRU(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # a is now the most recently used
    cache.put("c", 3)
    assert "b" not in cache and cache.get("a") == 1 and cache.get("c") == 3 and len(cache) == 2


def test_get_or_build_builds_once_and_keeps_the_first_value() -> None:
    cache: LRU[str, list[int]] = LRU(4)
    calls: list[int] = []

    def build(n: int) -> list[int]:
        calls.append(n)
        return [n]

    first = cache.get_or_build("k", lambda: build(1))
    again = cache.get_or_build("k", lambda: build(2))
    assert first is again and calls == [1]


def test_drop_and_clear_forget() -> None:
    cache: LRU[int, int] = LRU(3)
    cache.put(1, 1)
    cache.put(2, 2)
    cache.drop(1)
    cache.drop(99)  # not kept: nothing happens
    assert cache.get(1) is None and cache.get(2) == 2
    cache.clear()
    assert len(cache) == 0


def test_a_size_below_one_is_refused() -> None:
    with pytest.raises(ValueError):
        LRU(0)


@given(st.integers(1, 8), st.lists(st.integers(0, 20), max_size=200))
def test_never_more_than_size_and_the_last_put_is_kept(size: int, keys: list[int]) -> None:
    cache: LRU[int, int] = LRU(size)
    for k in keys:
        cache.put(k, k * 10)
        assert len(cache) <= size and cache.get(k) == k * 10
    recent = list(dict.fromkeys(reversed(keys)))[:size]
    assert all(cache.get(k) == k * 10 for k in recent)


def test_threads_putting_at_once_leave_it_within_its_size() -> None:
    cache: LRU[int, int] = LRU(16)

    def work(base: int) -> None:
        for i in range(2000):
            cache.put(base * 10_000 + i % 50, i)
            cache.get(base * 10_000 + (i * 7) % 50)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(cache) == 16


def test_a_remembered_function_keeps_short_texts_only() -> None:
    """kpidesign.lru.remembered: the same answer either way; a call whose texts are longer than `longest` is worked out
    again each time and never kept, so no text, however long, stays in memory."""
    from kpidesign.lru import remembered

    calls: list[tuple[str, int]] = []

    @remembered(size=2, longest=5)
    def shout(text: str, times: int) -> str:
        calls.append((text, times))
        return text.upper() * times

    assert shout("ab", 2) == shout("ab", 2) == "ABAB" and calls == [("ab", 2)]  # worked out once
    assert shout("abcdef", 1) == shout("abcdef", 1) == "ABCDEF" and calls.count(("abcdef", 1)) == 2  # too long: never kept
    assert shout.kept.cache_info().currsize == 1
    shout("c", 1), shout("d", 1)
    assert shout.kept.cache_info().currsize == 2  # at most `size` kept
