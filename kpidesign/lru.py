"""A small thread-safe LRU dictionary: the most recently used entries kept, the oldest dropped when it is full.

Shared by the store's caches (each workshop's last parsed version, what was read of a room at a revision) and the
screens' cached views (ui.cache): sessions run on their own threads, so every access holds a lock; a lookup costs a
hash (~2 us), where Streamlit's own cache hashed every argument again. `remembered` keeps a pure function's results
for short texts only (a unit's kind, an inferred aggregation, a share view row's numbers).
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, ParamSpec, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class LRU(Generic[K, V]):
    """At most `size` entries, the least recently used dropped first."""

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError("an LRU holds at least one entry")
        self.size = size
        self._entries: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def __contains__(self, key: object) -> bool:
        with self._lock:
            return key in self._entries

    def get(self, key: K) -> V | None:
        """The value kept under key (now the most recently used), or None."""
        with self._lock:
            if key not in self._entries:
                return None
            self._entries.move_to_end(key)
            return self._entries[key]

    def put(self, key: K, value: V) -> V:
        """Keep value under key (replacing one kept); the oldest entries go while there are too many. Returns value."""
        with self._lock:
            self._entries[key] = value
            self._trim(key)
        return value

    def get_or_build(self, key: K, build: Callable[[], V]) -> V:
        """The value kept under key, else what build returns (kept). build runs outside the lock, so a slow one never
        holds up the others; two threads asking at once may both build, and the first kept is the one shared."""
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
        value = build()
        with self._lock:
            value = self._entries.setdefault(key, value)
            self._trim(key)
        return value

    def drop(self, key: K) -> None:
        """Forget one entry (nothing happens when it is not kept)."""
        with self._lock:
            self._entries.pop(key, None)

    def clear(self) -> None:
        """Forget everything."""
        with self._lock:
            self._entries.clear()

    def _trim(self, key: K) -> None:
        self._entries.move_to_end(key)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)


P = ParamSpec("P")
R = TypeVar("R")


class Remembered(Generic[P, R]):
    """A pure function remembered for arguments whose texts are short (see `remembered`)."""

    def __init__(self, fn: Callable[P, R], size: int, longest: int) -> None:
        self.fn = fn
        self.longest = longest
        self.kept = functools.lru_cache(maxsize=size)(fn)  # C-fast: a unit's kind is asked for every number shown
        functools.update_wrapper(self, fn)

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        """fn's result, remembered when the arguments' texts together are at most `longest` characters."""
        if kwargs or sum(len(a) for a in args if isinstance(a, str)) > self.longest:
            return self.fn(*args, **kwargs)
        return self.kept(*args)


def remembered(size: int, longest: int) -> Callable[[Callable[P, R]], Remembered[P, R]]:
    """Remember a pure function of hashable arguments, mostly texts a team writes rarely and reads after every edit (a
    unit, a name), for at most `size` argument lists whose texts together are at most `longest` characters: a longer
    text is worked out every time, so no text, however long, is kept."""
    return lambda fn: Remembered(fn, size, longest)
