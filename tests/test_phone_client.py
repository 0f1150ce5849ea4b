"""The protocol phone's bookkeeping without a server (bench/phone_client.py): which widget states it holds and forgets,
a form's submit, the fragment's timer and the ForwardMsg cache, fed with the ForwardMsgs a server sends."""

from __future__ import annotations

import asyncio

from streamlit.proto.AutoRerun_pb2 import AutoRerun, StopAutoRerun
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.Navigation_pb2 import Navigation

from bench.phone_client import Phone, auto_intervals, key_of, run_apart

FRAGMENT = "eff43afa5bb7f0469586ef6b2ff995f5"
NAME, JOIN, LANG = "$$ID-fda3-room_name", "$$ID-48a5-room_join", "$$ID-95a8-lang"
IDEA, SEND = "$$ID-236f-room_idea", "$$ID-9de8-FormSubmitter:room_send_form-送信"


class Socket:
    """What the phone writes to its websocket."""

    def __init__(self) -> None:
        self.sent: list[ClientState] = []

    async def send(self, payload: bytes) -> None:
        msg = BackMsg()
        msg.ParseFromString(payload)
        self.sent.append(msg.rerun_script)


def element(kind: str, wid: str, fragment: str = "", form: str = "", **fields: object) -> bytes:
    msg = ForwardMsg()
    msg.delta.fragment_id = fragment
    widget = getattr(msg.delta.new_element, kind)
    widget.id = wid
    if form:
        widget.form_id = form
    for name, value in fields.items():
        if isinstance(value, list):
            getattr(widget, name).extend(value)
        else:
            setattr(widget, name, value)
    return bytes(msg.SerializeToString())


def finished(status: ForwardMsg.ScriptFinishedStatus.ValueType) -> bytes:
    return bytes(ForwardMsg(script_finished=status).SerializeToString())


def form(form_id: str) -> bytes:
    msg = ForwardMsg()
    msg.delta.fragment_id = FRAGMENT
    msg.delta.add_block.form.form_id = form_id
    msg.delta.add_block.form.clear_on_submit = True
    return bytes(msg.SerializeToString())


def phone() -> tuple[Phone, Socket]:
    p = Phone("http://127.0.0.1:1", "join=T", locale="en-US")
    socket = Socket()
    p._ws = socket  # type: ignore[assignment]  # a test double in place of the websocket: it records what is sent
    p._changed = asyncio.Event()
    return p, socket


def held(state: ClientState) -> dict[str, object]:
    return {key_of(w.id): getattr(w, w.WhichOneof("value") or "id") for w in state.widget_states.widgets}


def test_key_of_reads_the_user_key() -> None:
    assert key_of(NAME) == "room_name" and key_of(SEND) == "FormSubmitter:room_send_form-送信" and key_of("plain") == "plain"


def test_states_held_as_drawn_sent_with_a_tap_and_forgotten_when_no_longer_drawn() -> None:
    async def run() -> list[ClientState]:
        p, socket = phone()
        p._on_message(ForwardMsg(navigation=Navigation(page_script_hash="page1")).SerializeToString())
        p._on_message(element("text_input", NAME, FRAGMENT, default=""))
        p._on_message(element("button", JOIN, FRAGMENT))
        p._on_message(element("radio", LANG, "", options=["日本語", "English"], default=1))
        p._on_message(finished(ForwardMsg.FINISHED_SUCCESSFULLY))
        p.type("room_name", "花子")
        p.tap("room_join")
        # the fragment's run after the join: the name and Join are gone, the form is drawn; the radio (outside) stays
        p._on_message(form("room_send_form"))
        p._on_message(element("text_input", IDEA, FRAGMENT, form="room_send_form"))
        p._on_message(element("button", SEND, FRAGMENT, form="room_send_form", is_form_submitter=True))
        p._on_message(finished(ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY))
        p.type("room_idea", "配送の速さ")
        p._send_rerun(FRAGMENT, auto=True)  # a refresh while typing: the form keeps the text to itself
        p.tap("FormSubmitter:room_send_form")
        p._send_rerun(FRAGMENT, auto=True)  # the form cleared on submit, the trigger sent once
        await asyncio.sleep(0)
        return socket.sent

    join, typing, send, after = run_apart(run(), 120)
    assert held(join) == {"room_name": "花子", "lang": "English", "room_join": True}
    assert join.fragment_id == FRAGMENT and join.page_script_hash == "page1" and not join.is_auto_rerun
    assert held(typing) == {"lang": "English", "room_idea": ""} and typing.is_auto_rerun
    assert held(send) == {"lang": "English", "room_idea": "配送の速さ", "FormSubmitter:room_send_form-送信": True}
    assert held(after) == {"lang": "English", "room_idea": ""}


def test_the_cache_resolves_references_and_forgets_old_messages() -> None:
    async def run() -> tuple[Phone, list[ClientState]]:
        p, socket = phone()
        big = ForwardMsg()
        big.ParseFromString(element("text_input", IDEA, FRAGMENT, default="idea777x " + "x" * 20))
        big.hash, big.metadata.cacheable = "h1", True
        p._on_message(big.SerializeToString())
        p._send_rerun(FRAGMENT, auto=True)
        ref = ForwardMsg(ref_hash="h1")
        ref.metadata.delta_path.extend([0, 1])
        p.watch("idea777x")
        p._on_message(ref.SerializeToString())  # a reference: the widget is drawn again from the cache
        for _ in range(4):
            p._on_message(finished(ForwardMsg.FINISHED_SUCCESSFULLY))
        p._send_rerun("", auto=False)
        await asyncio.sleep(0)
        return p, socket.sent

    p, (first, last) = run_apart(run(), 120)
    assert list(first.cached_message_hashes) == ["h1"] and p.seen("idea777x") is not None
    assert list(last.cached_message_hashes) == []  # older than max_cached_message_age runs


def test_auto_rerun_fires_at_a_fixed_rate_and_stops() -> None:
    async def run() -> Phone:
        p, _ = phone()
        p._on_message(ForwardMsg(auto_rerun=AutoRerun(interval=0.1, fragment_id=FRAGMENT)).SerializeToString())
        p._on_message(ForwardMsg(auto_rerun=AutoRerun(interval=0.1, fragment_id=FRAGMENT)).SerializeToString())  # kept, not doubled
        await asyncio.sleep(0.55)
        p._on_message(ForwardMsg(stop_auto_rerun=StopAutoRerun(fragment_ids=[FRAGMENT])).SerializeToString())
        await asyncio.sleep(0.3)
        return p

    p = run_apart(run(), 120)
    assert len(p.reruns) == 5 and all(r.auto and r.fragment == FRAGMENT for r in p.reruns)
    assert all(0.07 <= g <= 0.13 for g in auto_intervals(p.reruns))
