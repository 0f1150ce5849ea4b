"""Several OS processes against one database file, as N app processes behind nginx (or a cron job beside the app) are:
each worker opens its own Store, then calls `ready()` (a barrier: all of them go on together), and returns what it saw."""

from __future__ import annotations

import multiprocessing
import queue
import time
from collections.abc import Callable, Sequence
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from typing import Any, TypeVar

TIMEOUT = 600.0  # a loaded machine (CI runs browser tests beside these) spawns and imports slowly
READY = 300.0  # how long the first worker at the barrier waits for the last one

T = TypeVar("T")
# What a worker sends back: its index, whether it returned, and what it returned (unpickled: any type) or its error.
Result = tuple[int, bool, Any]


def _worker(index: int, target: Callable[..., object], args: tuple[object, ...], start: Barrier, results: Queue[Result]) -> None:
    try:
        results.put((index, True, target(*args, lambda: start.wait(READY))))
    except BaseException as e:  # noqa: BLE001 (the parent reports whatever a worker raised)
        results.put((index, False, f"{type(e).__name__}: {e}"))


def together(target: Callable[..., T], args: Sequence[tuple[object, ...]], timeout: float = TIMEOUT) -> list[T]:
    """Run target(*args[i], ready) in len(args) fresh processes (spawned: nothing shared but the files they open), each
    going on from ready() when all have reached it; their results in the order of args. A worker that raised fails the
    caller with its error."""
    context = multiprocessing.get_context("spawn")
    start, results = context.Barrier(len(args)), context.Queue()
    workers = [context.Process(target=_worker, args=(i, target, a, start, results)) for i, a in enumerate(args)]
    for w in workers:
        w.start()
    out: dict[int, T] = {}
    deadline = time.monotonic() + timeout
    try:
        while len(out) < len(workers):
            try:
                index, ok, value = results.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"{len(workers) - len(out)} worker process(es) gave no result within {timeout:.0f} s") from None
            if not ok:
                raise AssertionError(f"worker {index} failed: {value}")
            out[index] = value
    finally:
        for w in workers:
            w.join(timeout=10)
            if w.is_alive():
                w.kill()
    return [out[i] for i in range(len(workers))]


# Workers (what each process does): kept here, where importing them costs a child little (the store, not the tests).


def attempts(db: str, client: str, tries: int, start: float, ready: Callable[[], object]) -> int:
    """How many of `tries` password attempts from one client the store let go ahead."""
    from kpidesign.store import Store

    store = Store(db)
    ready()
    went = sum(1 for i in range(tries) if store.attempts.acquire(start + i / 1000, client).wait == 0.0)
    store.close()
    return went


def spread(db: str, prefix: str, tries: int, start: float, ready: Callable[[], object]) -> int:
    """How many of `tries` attempts, each from a client of its own, the store let go ahead."""
    from kpidesign.store import Store

    store = Store(db)
    ready()
    went = sum(1 for i in range(tries) if store.attempts.acquire(start + i / 1000, f"{prefix}.{i}").wait == 0.0)
    store.close()
    return went


def claim_each(db: str, names: list[str], holder: str, ready: Callable[[], object]) -> list[str]:
    """The leases of `names` this holder got, claiming each in turn (never released)."""
    from kpidesign.store import Store

    store = Store(db)
    ready()
    try:
        return [name for name in names if store.leases.claim(name, holder, 60)]
    finally:
        store.close()


def send_alerts(db: str, workshop_id: str, webhook: str, smtp_port: int, ready: Callable[[], object]) -> list[tuple[str, str]]:
    """Deliver a workshop's new alerts (as `kpidesign alerts --send` does); (KPI, what became of its alert) each."""
    from kpidesign import alerting, delivery
    from kpidesign.store import Store

    store = Store(db)
    settings = delivery.Settings(slack_webhook=webhook, smtp_host="127.0.0.1", smtp_port=smtp_port, smtp_starttls=False)
    ws = store.actuals.attach(store.load(workshop_id).workshop, workshop_id)  # read before the start: all look at once
    ready()
    try:
        return [(o.firing.alert.kpi, o.state.value) for o in alerting.run(store, workshop_id, settings, send=True, ws=ws)]
    finally:
        store.close()


def join_many(db: str, workshop_id: str, client: str, tries: int, ready: Callable[[], object]) -> int:
    """How many of `tries` joins from one client address the room took."""
    from kpidesign.store import Store
    from kpidesign.values import EditError

    store = Store(db)
    ready()
    joined = 0
    for i in range(tries):
        try:
            store.rooms.join(workshop_id, f"p{i}", client=client)
            joined += 1
        except EditError:
            pass
    store.close()
    return joined


def add_idea(db: str, workshop_id: str, secret: str, text: str, ready: Callable[[], object]) -> int:
    """A participant's idea sent through another process; its id."""
    from kpidesign.store import Store

    store = Store(db)
    ready()
    try:
        return store.rooms.add_idea(workshop_id, secret, text)
    finally:
        store.close()


def rename(db: str, workshop_id: str, title: str, ready: Callable[[], object]) -> int:
    """Save the workshop under a new title through another process; the new version."""
    from kpidesign.store import Store

    store = Store(db)
    ready()
    try:
        loaded = store.load(workshop_id)
        return store.save(workshop_id, loaded.workshop.model_copy(update={"title": title}), expected_version=loaded.version, summary=title)
    finally:
        store.close()
