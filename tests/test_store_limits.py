"""What the whole server shares, kept in the database (#29 item 2): the wrong-password budget per client and server-wide,
and leases. The rules are those the limit had in one process's memory (kpidesign.access.AttemptRules); the last tests
run two OS processes against one database file and show that they count together."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpidesign.access import CLIENT_COOLDOWN, CLIENT_LIMIT, COOLDOWN, LIMIT, WINDOW, AttemptRules
from kpidesign.store import Attempts, Store
from tests import processes as workers
from tests.processes import together


def limit(store: Store, rules: AttemptRules) -> Attempts:
    """The store's wrong-password budget under these rules."""
    return Attempts(store.connection, rules)


def test_wrong_passwords_from_every_session_lock_all_attempts_for_the_cooldown(store: Store) -> None:
    attempts = store.attempts
    t = 1000.0
    for i in range(LIMIT):  # each attempt goes ahead and is a failure (never forgiven), each from its own client
        assert attempts.acquire(t + i, f"192.0.2.{i}").wait == 0.0
    last = t + LIMIT - 1
    assert attempts.wait(last) == pytest.approx(COOLDOWN)
    assert attempts.acquire(last + 1).wait == pytest.approx(COOLDOWN - 1)  # refused: the right password would be too
    assert attempts.acquire(last + COOLDOWN - 0.5).wait == pytest.approx(0.5)
    assert attempts.acquire(last + COOLDOWN).wait == 0.0  # cooled down: a fresh count
    assert attempts.wait(last + COOLDOWN) == 0.0


def test_failures_spread_wider_than_the_window_never_lock(store: Store) -> None:
    step = WINDOW / (LIMIT - 1) + 0.01  # never LIMIT failures within one window
    for i in range(5 * LIMIT):
        assert store.attempts.acquire(i * step, f"c{i}").wait == 0.0


def test_a_right_password_is_forgiven_and_does_not_count(store: Store) -> None:
    attempts = limit(store, AttemptRules(limit=3, window=60, cooldown=120))
    for t in (0.0, 1.0):
        assert attempts.acquire(t).wait == 0.0
    right = attempts.acquire(2.0)
    assert right.wait == 0.0 and right.ticket
    attempts.succeeded(right.ticket)  # the third attempt was right: still two failures
    assert attempts.acquire(3.0).wait == 0.0  # third failure
    assert attempts.acquire(4.0).wait == pytest.approx(119.0)  # locked from the third failure (t=3) for 120 s
    assert attempts.acquire(5.0).ticket == ""  # refused: nothing to forgive
    attempts.succeeded("unknown")  # forgiving an unknown attempt is harmless
    attempts.succeeded("")


@given(st.lists(st.floats(min_value=0, max_value=5, allow_nan=False), min_size=1, max_size=200))
def test_never_more_than_limit_attempts_go_ahead_per_cooldown(gaps: list[float]) -> None:
    store = Store(memory=True)
    attempts = limit(store, AttemptRules(limit=4, window=10, cooldown=10))
    now, went = 0.0, []
    for gap in gaps:
        now += gap
        if attempts.acquire(now).wait == 0.0:
            went.append(now)
    store.close()
    for start in went:  # any span of one window plus one cooldown holds at most `limit` failures
        assert sum(1 for t in went if start <= t < start + 10) <= 4


def test_parallel_sessions_cannot_slip_past_the_count(tmp_path: Path) -> None:
    """40 sessions of one process (each its own connection, as each browser session has) attempting at once."""
    Store(tmp_path / "k.db").close()
    went: list[float] = []
    barrier = threading.Barrier(40)

    def attempt() -> None:
        store = Store(tmp_path / "k.db")
        barrier.wait()
        if limit(store, AttemptRules(limit=5, window=60, cooldown=60)).acquire(10.0).wait == 0.0:
            went.append(10.0)
        store.close()

    threads = [threading.Thread(target=attempt) for _ in range(40)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert len(went) == 5


def test_one_clients_wrong_passwords_pause_that_client_only(store: Store) -> None:
    """#25 item 8: the pause was global, so anyone could keep every facilitator out; a client now spends its own budget
    (CLIENT_LIMIT) before the server-wide one."""
    attempts = store.attempts
    for i in range(CLIENT_LIMIT):
        assert attempts.acquire(100.0 + i, "203.0.113.5").wait == 0.0
    assert attempts.acquire(100.0 + CLIENT_LIMIT, "203.0.113.5").wait == pytest.approx(CLIENT_COOLDOWN - 1)
    assert attempts.wait(110.0, "203.0.113.5") > 0 and attempts.wait(110.0, "198.51.100.7") == 0.0
    facilitator = attempts.acquire(110.0, "198.51.100.7")  # the facilitator, elsewhere, still logs in
    assert facilitator.wait == 0.0
    attempts.succeeded(facilitator.ticket)


def test_many_clients_still_meet_the_server_wide_limit(store: Store) -> None:
    went = [store.attempts.acquire(1.0 + i / 100, f"10.0.{i // 250}.{i % 250}").wait for i in range(LIMIT + 5)]
    assert went[:LIMIT] == [0.0] * LIMIT and all(w > 0 for w in went[LIMIT:])


@given(st.lists(st.tuples(st.floats(min_value=0, max_value=5, allow_nan=False), st.integers(0, 3)), min_size=1, max_size=200))
def test_no_client_gets_more_than_its_budget_per_window_and_cooldown(steps: list[tuple[float, int]]) -> None:
    store = Store(memory=True)
    attempts = limit(store, AttemptRules(limit=50, window=10, cooldown=10, client_limit=3, client_window=10, client_cooldown=10))
    now, went = 0.0, []
    for gap, who in steps:
        now += gap
        if attempts.acquire(now, f"c{who}").wait == 0.0:
            went.append((now, who))
    store.close()
    for start, who in went:
        assert sum(1 for t, w in went if w == who and start <= t < start + 10) <= 3


def test_the_clients_remembered_and_the_rows_kept_stay_bounded(store: Store) -> None:
    attempts = limit(store, AttemptRules(limit=10_000, window=10, cooldown=10, client_window=10, client_cooldown=10))
    for i in range(2_000):
        attempts.acquire(float(i), f"c{i}")  # one failure each, every one aged out of the window 10 s later
    assert attempts.clients(2_000.0) <= 20
    assert store.db.execute("select count(*) from login_failures").fetchone()[0] <= 2 * 20


def test_a_client_is_stored_by_a_hash_of_its_address_only(store: Store) -> None:
    store.attempts.acquire(1.0, "203.0.113.77")
    stored = " ".join(str(v) for row in store.db.execute("select * from login_failures").fetchall() for v in row)
    assert "203.0.113.77" not in stored


def test_a_lease_has_one_holder_until_released_or_its_time_runs_out(store: Store) -> None:
    leases = store.leases
    assert leases.claim("job", "a", 60, now=100.0)
    assert not leases.claim("job", "b", 60, now=101.0) and leases.holder("job", now=101.0) == "a"
    assert leases.claim("job", "a", 60, now=102.0)  # its own holder may claim it again
    assert leases.claim("other", "b", 60, now=102.0)  # another name is another lease
    leases.release("job", "b")  # not b's: still a's
    assert leases.holder("job", now=103.0) == "a"
    leases.release("job", "a")
    assert leases.claim("job", "b", 60, now=104.0)
    assert leases.claim("job", "c", 60, now=164.0)  # b died without releasing: its time ran out
    leases.release("job", "b")  # b comes back late: it no longer holds the lease and releases nothing
    assert leases.holder("job", now=165.0) == "c"


# Two OS processes on one database file (#29 item 2): what one counts, the other sees.


def test_two_processes_share_one_clients_budget(tmp_path: Path) -> None:
    """Before #29 each process had its own count: two processes let a client try 2 × CLIENT_LIMIT passwords."""
    db = str(tmp_path / "k.db")
    Store(db).close()
    went = together(workers.attempts, [(db, "203.0.113.9", 3 * CLIENT_LIMIT, time.time()) for _ in range(2)])
    assert sum(went) == CLIENT_LIMIT, went
    store = Store(db)
    assert store.attempts.wait(time.time(), "203.0.113.9") > CLIENT_COOLDOWN - 60  # paused for every process
    assert store.attempts.wait(time.time(), "198.51.100.7") == 0.0
    store.close()


def test_two_processes_share_the_server_wide_budget(tmp_path: Path) -> None:
    """Each attempt from a client of its own: only the server-wide budget stops them, once for both processes."""
    db = str(tmp_path / "k.db")
    Store(db).close()
    went = together(workers.spread, [(db, prefix, LIMIT, time.time()) for prefix in ("198.51.100", "203.0.113")])
    assert sum(went) == LIMIT, went


def test_of_three_processes_claiming_the_same_leases_at_once_exactly_one_gets_each(tmp_path: Path) -> None:
    db = str(tmp_path / "k.db")
    Store(db).close()
    names = [f"job{n}" for n in range(30)]
    orders = [names[10 * i :] + names[: 10 * i] for i in range(3)]  # each from its own start: they meet on the way
    got = together(workers.claim_each, [(db, order, f"p{i}") for i, order in enumerate(orders)])
    for name in names:
        assert sum(1 for claimed in got if name in claimed) == 1, (name, got)
