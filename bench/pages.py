"""Server time of one rerun of each page (AppTest), store operations, exports and imports, per workshop size."""

from __future__ import annotations

import os
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from streamlit.testing.v1 import AppTest

from bench.generate import weekly_actuals, workshop
from kpidesign import agenda as A
from kpidesign import edits, themes
from kpidesign import room as R
from kpidesign.agenda_edits import default_agenda
from kpidesign.i18n import t
from kpidesign.io import files
from kpidesign.io.yaml_io import from_yaml, to_yaml
from kpidesign.language import is_language
from kpidesign.model import Workshop
from kpidesign.room import VoteKind
from kpidesign.settings import Settings
from kpidesign.store import Store
from ui.keys import ROOM_VIEW
from ui.pages import ALL
from ui.participant import joining as participant
from ui.room.console import INBOX, THEMES

APP = str(Path(__file__).resolve().parent.parent / "app.py")
FLOOR_SCRIPT = "import streamlit as st\nst.button('ok')\n"
AFTER_EDIT = "first rerun after an edit"
EXTRA_TABS = {"definitions": ("whole_sheet",), "decompose": ("tagging_table",)}  # pages draw only their open tab; these tabs are timed too


CLOCK = {"now": time.perf_counter}  # the clock of paired_ms: wall time; `python -m bench.pages room --cpu`: process CPU time


def median_ms(fn: Callable[[], object], repeat: int = 5) -> float:
    """Median wall time of fn in milliseconds (after one warm-up call)."""
    fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def paired_ms(fn: Callable[[], object], floor_fn: Callable[[], object], repeat: int = 9) -> tuple[float, float]:
    """Medians (ms) of fn and of the floor, timed alternately, so both see the machine at the same speed.

    On a shared machine the speed drifts within a run (neighbours, clock); a floor timed once at the start and
    pages timed minutes later gave ratios that moved by 1.5× between runs. Paired samples cancel that drift.
    """
    fn()
    floor_fn()
    own, floor = [], []
    now = CLOCK["now"]
    for _ in range(repeat):
        start = now()
        fn()
        own.append((now() - start) * 1000)
        start = now()
        floor_fn()
        floor.append((now() - start) * 1000)
    return statistics.median(own), statistics.median(floor)


def floor_ms() -> float:
    """One rerun of a trivial one-widget page: the framework's floor."""
    at = AppTest.from_string(FLOOR_SCRIPT, default_timeout=60).run()
    return median_ms(lambda: at.run(), repeat=9)


def page_rows(sizes: tuple[int, ...]) -> list[tuple[int, str, float, float]]:
    """(size, page, ms, × floor) for every page at every size; each page's floor is timed alongside it."""
    floor_app = AppTest.from_string(FLOOR_SCRIPT, default_timeout=60).run()
    rows = []
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            os.environ["KPIDESIGN_DB"] = str(Path(tmp) / "bench.db")
            ws = workshop(size)
            store = Store()
            wid = store.create(ws.model_copy(update={"actuals": weekly_actuals(ws)}))
            for spec in ALL:
                at = AppTest.from_file(APP, default_timeout=120)
                at.query_params["ws"] = wid
                at.run()
                at.switch_page(spec.file).run()
                assert not at.exception, (spec.file, at.exception)
                ms, floor = paired_ms(lambda: at.run(), lambda: floor_app.run())
                rows.append((size, f"page {spec.url}", ms, ms / floor))
                ms, floor = after_edit_ms(at, lambda: _edit(store, wid), floor_app)
                rows.append((size, f"page {spec.url}, {AFTER_EDIT}", ms, ms / floor))
                for tab in EXTRA_TABS.get(spec.url, ()):  # a tab holding a large table: timed open as well
                    language = at.session_state["lang"]
                    assert is_language(language), language
                    at.query_params["tab"] = t(tab, language)
                    at.run()
                    assert not at.exception and at.dataframe, (spec.file, tab)
                    ms, floor = paired_ms(lambda: at.run(), lambda: floor_app.run())
                    rows.append((size, f"page {spec.url} ({tab.replace('_', ' ')} tab)", ms, ms / floor))
            rows += share_rows(size, store, wid, floor_app)
            rows += room_rows(size, store, wid, floor_app)
            store.close()
    return rows


def _edit(store: Store, workshop_id: str) -> None:
    """The facilitator saves one edit (a new version of the workshop)."""
    loaded = store.load(workshop_id)
    changed = edits.set_field(loaded.workshop, loaded.workshop.nodes[0].id, "owner", f"owner {loaded.version}")
    store.save(workshop_id, changed, expected_version=loaded.version, summary="bench")


def after_edit_ms(at: AppTest | _All, edit: Callable[[], object], floor_app: AppTest, repeat: int = 9) -> tuple[float, float]:
    """Medians (ms) of a page's first rerun after an edit was saved (the save itself not timed: what is kept per
    version is rebuilt, as on the facilitator's screen after every change), and of the floor timed alongside."""
    own, floor = [], []
    for _ in range(repeat):
        edit()
        start = time.perf_counter()
        at.run()
        own.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        floor_app.run()
        floor.append((time.perf_counter() - start) * 1000)
    assert not at.exception, at.exception
    return statistics.median(own), statistics.median(floor)


def share_rows(size: int, store: Store, workshop_id: str, floor_app: AppTest) -> list[tuple[int, str, float, float]]:
    """The read-only view a share link opens: its rerun (it refreshes itself every few seconds, in every viewer's
    browser), and its first rerun after the facilitator saved an edit (a new version: what is kept per version is rebuilt)."""
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["share"] = store.shares.create(workshop_id)
    at.run()
    assert not at.exception and at.dataframe, at.exception  # it opens on the status tab: each KPI's status, red first
    ms, floor = paired_ms(lambda: at.run(), lambda: floor_app.run())
    rows = [(size, "page share link (read-only view)", ms, ms / floor)]
    ms, floor = after_edit_ms(at, lambda: _edit(store, workshop_id), floor_app)
    rows.append((size, f"page share link, {AFTER_EDIT}", ms, ms / floor))
    viewers = [at] + [_shared(store.shares.create(workshop_id)) for _ in range(VIEWERS - 1)]  # a room of stakeholders
    ms, floor = after_edit_ms(_All(viewers), lambda: _edit(store, workshop_id), floor_app)
    return rows + [(size, f"share link: {VIEWERS} viewers' refresh after an edit (all of them; ratio to one floor rerun)", ms, ms / floor)]


PARTICIPANTS = 30  # the room (#15): 30 phones, a facilitator and a projector
IDEAS_EACH = 5  # 150 ideas in the room


def full_room(store: Store, workshop_id: str) -> tuple[str, list[str]]:
    """Open the workshop's room and fill it: 30 participants (named), 5 ideas each answering nodes near the top of
    the tree (so the inbox has several groups). The join token and the participants' ids."""
    token = store.rooms.open(workshop_id, anonymous=False)
    ws = store.load(workshop_id).workshop
    parents = [n.id for n in ws.nodes[:6]]
    people = [store.rooms.join(workshop_id, f"Person {i}") for i in range(PARTICIPANTS)]
    for k in range(IDEAS_EACH):
        for i, pid in enumerate(people):
            store.rooms.add_idea(workshop_id, pid, f"アイデア {i}-{k}: 指名検索を増やす <b>{{x}}</b>", parents[(i + k) % len(parents)])
    return token, people


def room_rows(size: int, store: Store, workshop_id: str, floor_app: AppTest) -> list[tuple[int, str, float, float]]:
    """A full room (#15): a participant's phone page and the facilitator's Room page with 30 participants and 150
    ideas, in three states: the ideas private (each phone lists its own five), revealed (every phone lists all of
    them), and a vote open on 50 of them (the most a vote takes; 3 dots each, most of them placed).

    AppTest reruns the whole script; in the browser both pages refresh every 2 s as a fragment (the phone's fragment is
    all of its page but the language switch, the facilitator's is the inbox below the room's settings), so these are
    upper bounds of each refresh's server time."""
    token, people = full_room(store, workshop_id)
    # what grouping imports (scikit-learn, scipy), imported before any timing: the console starts the import on a thread
    # on its first run, and that thread's seconds would be counted in whichever run it overlapped
    themes.warm()
    phone = AppTest.from_file(APP, default_timeout=120)
    phone.query_params["join"] = token
    participant._cookie = lambda: people[0]  # joined already: the browser's cookie names them (AppTest has no browser)
    phone.run()
    assert not phone.exception and phone.text_input(key="room_idea"), phone.exception
    desk = AppTest.from_file(APP, default_timeout=120)
    desk.query_params["ws"] = workshop_id
    desk.query_params["qr"] = token  # the facilitator's screen shows the QR code (kept in the address)
    desk.run()
    desk.switch_page("views/room.py").run()
    assert not desk.exception and desk.get("image"), desk.exception
    wall = AppTest.from_file(APP, default_timeout=120)  # the Room page in projector mode: what the room reads (#26)
    for key, value in (("ws", workshop_id), ("qr", token), ("projector", "1")):
        wall.query_params[key] = value
    wall.run()
    wall.switch_page("views/room.py").run()
    assert not wall.exception, wall.exception
    room = f"{PARTICIPANTS} participants, {PARTICIPANTS * IDEAS_EACH} ideas"
    rows = []

    def timed(state: str) -> None:
        for name, at in (("page participant (phone)", phone), ("page room (facilitator)", desk), ("page room (the wall)", wall)):
            at.run()
            assert not at.exception, at.exception
            ms, floor = paired_ms(lambda: at.run(), lambda: floor_app.run())
            rows.append((size, f"{name}, {room} {state}", ms, ms / floor))

    timed("private")
    store.rooms.reveal_ideas(workshop_id)
    timed("revealed")
    options = [str(i.id) for i in store.rooms.ideas(workshop_id)][:50]
    vote = store.votes.open(workshop_id, "どれから？", VoteKind.IDEAS, options)
    for i, pid in enumerate(people):
        for d in range(3 if i else 2):  # the phone timed has one dot left to place
            store.votes.place_dot(workshop_id, vote, pid, options[(i * 3 + d) % len(options)])
    timed("revealed, a vote open on 50 of them")
    pills = phone.button_group[0].key
    assert pills is not None and pills.startswith(f"room_dots_{vote}_")  # the vote's pills
    store.votes.close(workshop_id)
    room = at_the_limits(store, workshop_id, people)
    timed("revealed")
    desk.session_state[ROOM_VIEW] = THEMES  # the console's other view of the ideas (the one a reveal turns to)
    desk.run()
    ms, floor = paired_ms(lambda: desk.run(), lambda: floor_app.run())
    rows.append((size, f"page room (facilitator), {room} revealed, the themes view", ms, ms / floor))
    desk.session_state[ROOM_VIEW] = INBOX
    options = [str(i.id) for i in store.rooms.ideas(workshop_id)][-R.MAX_OPTIONS :]
    vote = store.votes.open(workshop_id, "どれから？", VoteKind.IDEAS, options)
    everyone = store.db.execute("select count(*) from room_participants").fetchone()[0]
    timed(f"revealed, a vote open on {len(options)} of them ({everyone} joined)")
    store.votes.close(workshop_id)
    return rows


def at_the_limits(store: Store, workshop_id: str, people: list[str]) -> str:
    """Fill the room to its limits (#25 item 3: MAX_PARTICIPANTS people, ROOM_IDEAS ideas, every one revealed); the
    rows' name for it."""
    more = [store.rooms.join(workshop_id, f"Person {i}", client=f"bench-{i}") for i in range(len(people), R.MAX_PARTICIPANTS)]
    everyone = people + more
    sent = len(store.rooms.ideas(workshop_id))
    ws = store.load(workshop_id).workshop
    parents = [n.id for n in ws.nodes[:6]]
    k = 0
    while sent < R.ROOM_IDEAS:
        pid = everyone[k % len(everyone)]
        store.rooms.add_idea(workshop_id, pid, f"アイデア {k}: 指名検索を増やす <b>{{x}}</b>", parents[k % len(parents)])
        sent, k = sent + 1, k + 1
    store.rooms.reveal_ideas(workshop_id)
    loaded = store.load(workshop_id)  # and the session runs to time: the 120-minute agenda, on its third segment (#30)
    agenda = default_agenda(loaded.workshop, 120, "ja")
    store.save(workshop_id, loaded.workshop.model_copy(update={"agenda": agenda}), expected_version=loaded.version, summary="agenda")
    room = store.rooms.get(workshop_id)
    assert room is not None
    moved, run = A.go(room, agenda, 2, None, time.time(), {n.id for n in loaded.workshop.nodes})
    store.agenda.go(moved, run, expected=None)
    themes = len(store.themes.all(workshop_id))  # the revealed ideas grouped, as the console and the wall show them
    return f"at the room's limits ({R.MAX_PARTICIPANTS} participants, {R.ROOM_IDEAS} ideas, {themes} themes, an agenda running)"


VIEWERS = 20


def _shared(token: str) -> AppTest:
    """A session opened with a share link, run once."""
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["share"] = token
    at.run()
    assert not at.exception and at.dataframe, at.exception
    return at


class _All:
    """Several sessions rerun one after the other, as one AppTest-like run (each viewer refreshes once)."""

    def __init__(self, sessions: list[AppTest]) -> None:
        self.sessions = sessions

    def run(self) -> None:
        """Rerun every session once."""
        for at in self.sessions:
            at.run()

    @property
    def exception(self) -> list[object]:
        """The exceptions of every session's last run."""
        return [e for at in self.sessions for e in at.exception]


def store_rows(sizes: tuple[int, ...], floor: float) -> list[tuple[int, str, float, float]]:
    """Open a workshop, save one edit, restore a version; exports and the YAML import."""
    rows = []
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "s.db"
            store = Store(path)
            ws = workshop(size)
            wid = store.create(ws.model_copy(update={"actuals": weekly_actuals(ws)}))
            state = {"v": 0}

            def restore() -> None:
                state["v"] = store.restore(wid, 1, expected_version=state["v"] or store.load(wid).version)

            full = store.actuals.attach(store.load(wid).workshop, wid)
            doc = store.db.execute("select doc from workshops where id = ?", (wid,)).fetchone()[0]
            text = to_yaml(full)
            timings: list[tuple[str, Callable[[], float]]] = [
                (
                    "store: open a workshop (new session; the version already read in this process)",
                    lambda: median_ms(lambda: _open(path, wid)),
                ),
                ("store: parse a version (its first reader in this process)", lambda: median_ms(lambda: Workshop.model_validate_json(doc))),
                ("store: reload an unchanged workshop", lambda: median_ms(lambda: store.load(wid))),
                ("store: save one edit", lambda: _saved_ms(store, wid)),
                ("store: restore a version", lambda: median_ms(restore)),
                ("export xlsx", lambda: median_ms(lambda: files.export(full, "xlsx"))),
                ("export yaml", lambda: median_ms(lambda: files.export(full, "yaml"))),
                ("export metricflow", lambda: median_ms(lambda: files.export(full, "metricflow"))),
                ("export lightdash", lambda: median_ms(lambda: files.export(full, "lightdash"))),
                ("import yaml", lambda: median_ms(lambda: from_yaml(text))),
                ("refresh every KPI's query from SQLite", lambda: _refresh_ms(Path(tmp), full)),
            ]
            for name, timed in timings:
                ms = timed()
                rows.append((size, name, ms, ms / floor))
            store.close()
    return rows


def _refresh_ms(folder: Path, ws: Workshop) -> float:
    """Median ms of `kpidesign refresh`'s work: one query per KPI (a year of weekly values each) on an indexed SQLite file."""
    from kpidesign import connectors

    path = folder / "warehouse.db"
    with sqlite3.connect(path) as db:
        db.execute("create table facts (kpi text, day text, value real)")
        db.executemany("insert into facts values (?,?,?)", [(a.kpi, a.date.isoformat(), a.value) for a in ws.actuals])
        db.execute("create index facts_kpi on facts (kpi)")
    queried = ws.model_copy(
        update={
            "nodes": [
                n.model_copy(
                    update={
                        "definition": n.definition.model_copy(
                            update={
                                "query": f"select day as date, value from facts where kpi = '{n.id}' order by day",
                                "connection": "warehouse",
                            }
                        )
                    }
                )
                for n in ws.nodes
            ]
        }
    )
    settings = Settings.load({"KPIDESIGN_CONNECTION_WAREHOUSE": f"sqlite:///{path}"}, {})
    return median_ms(lambda: list(connectors.refresh(queried, settings)), repeat=3)


def _saved_ms(store: Store, workshop_id: str, repeat: int = 5) -> float:
    """Median ms of a click that edits one field: the callback reads the workshop at the version the page shows (already
    parsed by the page's rerun, so not parsed again), changes the field and saves. Parsing the version it wrote is the
    next rerun's work, timed there (the pages' "first rerun after an edit")."""
    samples = []
    for i in range(repeat + 1):  # the first is a warm-up
        store.load(workshop_id)  # the page's rerun after the previous save (not timed)
        start = time.perf_counter()
        _edit(store, workshop_id)
        if i:
            samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def _open(path: Path, workshop_id: str) -> None:
    """What a new browser session does: connect to the database and read the workshop (parsed once per version in a
    process, so only the first session to read a version parses it: timed apart)."""
    store = Store(path)
    store.load(workshop_id)
    store.close()


def room_only(size: int) -> list[tuple[int, str, float, float]]:
    """The room's rows alone (`python -m bench.pages room [--nodes 500]`): the phone, the console and the wall in each
    state up to the room's limits, on a generated workshop of `size` nodes, without the rest of `make bench`."""
    floor_app = AppTest.from_string(FLOOR_SCRIPT, default_timeout=60).run()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["KPIDESIGN_DB"] = str(Path(tmp) / "bench.db")
        ws = workshop(size)
        store = Store()
        wid = store.create(ws.model_copy(update={"actuals": weekly_actuals(ws)}))
        try:
            return room_rows(size, store, wid, floor_app)
        finally:
            store.close()


def main() -> None:
    """Print a subset of the page rows as a Markdown table (ms and the ratio to the floor timed alongside)."""
    import argparse

    parser = argparse.ArgumentParser(description="a subset of bench/pages.py's rows")
    parser.add_argument("subset", choices=["room"])
    parser.add_argument("--nodes", type=int, default=500)
    parser.add_argument(
        "--cpu",
        action="store_true",
        help="time the process's CPU (the script's thread and AppTest's) instead of the wall clock: on a machine shared "
        "with other work, waiting for a core is left out",
    )
    args = parser.parse_args()
    if args.cpu:
        CLOCK["now"] = time.process_time
    print("| measurement | ms | × floor |\n|---|---:|---:|")
    for _, name, ms, ratio in room_only(args.nodes):
        print(f"| {name} | {ms:.1f} | {ratio:.1f} |", flush=True)


if __name__ == "__main__":
    main()
