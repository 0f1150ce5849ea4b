"""bench/run.py: `make bench` writes its figures afresh and keeps the sections written by hand beside them."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bench.run import sections, with_notes

WRITTEN = "# Benchmark results\n\nMachine: x\n\n## Page reruns\n\n| a | 1 |\n\n## Themes\n\n| t | 2 |\n"
PREVIOUS = (
    "# Benchmark results\n\nMachine: old\n\n## Page reruns\n\n| a | 9 |\n\n## 2026-12-07: the room at its limits\n\n"
    "Written by hand: why the console got faster.\n\n## Themes\n\n| t | 8 |\n\n## Rooms (#29)\n\nmeasured alone\n"
)


def test_the_figures_are_new_and_the_notes_are_kept_in_their_order() -> None:
    text = with_notes(WRITTEN, PREVIOUS)
    assert "| a | 1 |" in text and "| a | 9 |" not in text and "| t | 8 |" not in text and "Machine: old" not in text
    assert text.index("## 2026-12-07: the room at its limits") < text.index("## Rooms (#29)")
    assert text.index("## Themes") < text.index("## 2026-12-07")  # the measured sections first, as written
    assert "Written by hand: why the console got faster." in text and "measured alone" in text
    assert text.count("## Page reruns") == 1 and text.count("## Themes") == 1


def test_a_first_run_writes_only_its_figures() -> None:
    assert with_notes(WRITTEN, "") == WRITTEN


headings = st.lists(st.text("abcdef #", min_size=1, max_size=6).map(lambda t: "## " + t.strip()), unique=True, max_size=5)


@given(headings, headings)
def test_every_heading_appears_once_and_nothing_written_is_lost(ours: list[str], theirs: list[str]) -> None:
    written = "# R\n" + "".join(f"\n{h}\n\nnew {i}\n" for i, h in enumerate(ours))
    previous = "# R\n" + "".join(f"\n{h}\n\nold {i}\n" for i, h in enumerate(theirs))
    text = with_notes(written, previous)
    assert text.startswith(written.rstrip("\n"))
    for h in set(ours) | set(theirs):
        assert sum(line == h for line in text.splitlines()) == 1
    assert {heading for heading, _ in sections(text)} == {"", *ours, *theirs}


def test_figures_a_run_did_not_measure_are_kept_marked_as_an_earlier_run_s() -> None:
    previous = PREVIOUS + "\n## In the browser (headless Chromium)\n\n| tree drawn | 900 ms |\n"
    text = with_notes(WRITTEN, previous)  # a run with --no-browser
    kept = text[text.index("## In the browser") :]
    assert kept.startswith("## In the browser (headless Chromium)\n\n*Not measured by the run above") and "| tree drawn | 900 ms |" in kept
    assert "*Not measured" not in text[: text.index("## In the browser")]  # notes written by hand are not marked


def test_two_notes_under_one_heading_are_both_kept() -> None:
    text = with_notes(WRITTEN, PREVIOUS + "\n## Rooms (#29)\n\nmeasured again\n")
    assert "measured alone" in text and "measured again" in text
