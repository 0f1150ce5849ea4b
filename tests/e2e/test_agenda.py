"""The agenda in Chromium (#30 item 1): Next on the console moves the room to the next segment, and the wall on a
1920x1080 projector shows the segment and its time left, legible from the back of the room; screenshots in Japanese."""

from __future__ import annotations

import pytest

from kpidesign.agenda_edits import default_agenda
from kpidesign.store import Store
from tests.e2e.conftest import NewPage, idle, login
from tests.e2e.test_room import SHOTS
from tests.e2e.test_wall import IDEAS, NO_SCROLL, japanese

BOXES = """() => {
  const element = document.querySelector('.kd-agenda'), band = element.getBoundingClientRect();
  return [parseFloat(getComputedStyle(element).fontSize), band.top, band.bottom, [...document.querySelectorAll('.kd-card')].map(e => e.getBoundingClientRect().bottom)];
}"""


@pytest.mark.e2e
def test_next_on_the_console_moves_the_wall_to_the_next_segment(server: dict[str, str], new_page: NewPage) -> None:
    SHOTS.mkdir(exist_ok=True)
    store = Store(server["db"])
    ws = japanese()
    agenda = default_agenda(ws, 120, "ja")
    wid = store.create(ws.model_copy(update={"agenda": agenda}))
    token = store.rooms.open(wid)
    people = [store.rooms.join(wid, f"参加者{n}", client=f"10.0.1.{n}") for n in range(4)]
    for n, (parent, text) in enumerate(IDEAS[:5]):
        store.rooms.add_idea(wid, people[n % len(people)], text, parent)
    store.rooms.reveal_ideas(wid)

    console = new_page(locale="ja-JP", width=1920, height=1080)
    login(console, server["base"], f"room?ws={wid}&qr={token}", lang="ja")
    wall = new_page(locale="ja-JP", width=1920, height=1080)
    login(wall, server["base"], f"room?ws={wid}&projector=1&qr={token}", lang="ja")
    wall.wait_for_selector(".kd-card", timeout=10_000)
    assert wall.locator(".kd-agenda").count() == 0  # no agenda running: no band

    console.locator(".st-key-agenda_start button").click()
    idle(console)
    wall.wait_for_selector(".kd-agenda", timeout=10_000)
    assert wall.locator(".kd-seg-title").inner_text() == agenda[0].title

    console.locator(".st-key-agenda_next button").click()
    idle(console)
    wall.wait_for_function(
        "t => document.querySelector('.kd-seg-title') && document.querySelector('.kd-seg-title').innerText === t",
        arg=agenda[1].title,
        timeout=10_000,
    )
    assert wall.locator(".kd-seg-no").inner_text() == f"2/{len(agenda)}"
    left = wall.locator(".kd-seg-left").inner_text()
    assert left.startswith("残り 14:") or left == "残り 15:00", left  # its 15-minute box, counting down
    assert agenda[1].prompt in wall.locator(".kd-question").inner_text()  # the segment's own question
    assert "15:00" >= wall.locator(".kd-timer").inner_text() >= "14:00"  # the room's timer, set and running
    for n, (parent, text) in enumerate(IDEAS[5:]):  # the room answers the new question: the ideas back on the wall
        store.rooms.add_idea(wid, people[n], text, parent)
    store.rooms.reveal_ideas(wid)
    wall.wait_for_selector(".kd-card", timeout=10_000)
    idle(wall)
    room, run = store.rooms.get(wid), store.agenda.run(wid)
    assert run is not None and run.segment == 1 and room is not None and room.step == "kgi" and room.timer.running
    # measured in one go in the page: the wall is redrawn every second, so an element held across calls may be gone
    size, top, bottom, cards = wall.evaluate(BOXES)
    assert size >= 36  # read from the back row
    assert top >= 0 and bottom <= 1080 and cards and max(cards) <= 1080  # the band takes no idea off the first screen
    assert max(wall.evaluate(NO_SCROLL)) <= 1
    wall.screenshot(path=str(SHOTS / "wall-agenda-ja.png"))

    console.wait_for_selector("text=2/9", timeout=10_000)
    assert "予定どおり" in console.content() or "前倒し" in console.content()  # the first segment closed early
    console.screenshot(path=str(SHOTS / "console-agenda-ja.png"))
    console.locator(".st-key-room_prompt_open summary").click()  # the prompt form, drawn when opened, from the room
    console.wait_for_function(  # the prompt form follows the room (its field drawn once the expander has opened)
        """() => [...document.querySelectorAll('.st-key-room_step')].some(e => (e.innerText + ' ' +
            [...e.querySelectorAll('input')].map(i => i.value + ' ' + (i.getAttribute('aria-label') || '')).join(' '))
            .includes('1 KGIを決める'))""",
        timeout=20_000,
    )
