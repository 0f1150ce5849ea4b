"""Alerts from the data's own limits: an `out_of_control` rule fires when the KPI's latest actual breaks its control
limits (kpidesign.control), is de-duplicated and delivered as red/yellow are, and round-trips in YAML and Excel."""

import datetime as dt
from pathlib import Path

from kpidesign import alerting, control, delivery, monitor
from kpidesign.io.excel import from_xlsx, to_xlsx
from kpidesign.io.yaml_io import from_yaml, to_yaml
from kpidesign.model import Actual, Alert, AlertLevel, Workshop
from kpidesign.store import Store
from tests.conftest import build_ec

START = dt.date(2026, 1, 5)
STEADY: list[float] = [
    100,
    104,
    98,
    101,
    97,
    103,
    99,
    102,
    100,
    96,
    104,
    101,
    98,
    102,
    99,
    101,
    97,
    103,
    100,
    102,
]  # centre 100.35, mean moving range 74 / 19


def ws_with(values: list[float], when: str = "out_of_control", kpi: str = "items") -> Workshop:
    ws = build_ec()
    ws = ws.model_copy(
        update={
            "monitoring": ws.monitoring.model_copy(
                update={"alerts": [Alert(kpi=kpi, when=when, channel="slack", to="#ops", action="look")]}
            )
        }
    )
    return ws.model_copy(update={"actuals": [Actual(kpi=kpi, date=START + dt.timedelta(weeks=i), value=v) for i, v in enumerate(values)]})


def test_a_point_beyond_the_limits_fires_and_one_within_does_not() -> None:
    lim = control.limits(STEADY)
    assert lim is not None
    assert round(lim.upper, 3) == round(100.35 + 2.66 * 74 / 19, 3) == 110.71  # hand-computed: 19 moving ranges summing to 74
    beyond = ws_with(STEADY + [112.0])  # above the upper limit, 110.71
    [f] = monitor.firing(beyond)
    assert (f.level, f.value, f.date, f.signals) == ("out_of_control", 112.0, START + dt.timedelta(weeks=20), ("above_upper",))
    assert f.key == ("items", "out_of_control", (START + dt.timedelta(weeks=20)).isoformat(), "slack", "#ops")
    assert monitor.firing(ws_with(STEADY + [109.0])) == []  # inside the limits: the data's own noise
    assert monitor.firing(ws_with(STEADY + [89.0]))[0].signals == ("below_lower",)


def test_a_run_of_eight_above_the_centre_fires_and_seven_do_not() -> None:
    assert monitor.firing(ws_with(STEADY + [99.0] + [101.0] * 7)) == []  # 99 is below the centre (100.35): a run of 7
    [f] = monitor.firing(ws_with(STEADY + [99.0] + [101.0] * 8))
    assert f.signals == ("run_above",)


def test_too_few_points_or_no_actuals_never_fire() -> None:
    assert monitor.firing(ws_with([100.0, 300.0, 100.0])) == []  # fewer than 8 baseline points: not judged
    ws = ws_with(STEADY + [200.0], kpi="items")
    computed = ws.model_copy(
        update={"monitoring": ws.monitoring.model_copy(update={"alerts": [Alert(kpi="avg_spend", when="out_of_control")]})}
    )
    assert monitor.firing(computed) == []  # a KPI without actuals of its own has no series to judge


def test_red_and_out_of_control_rules_on_one_kpi_are_delivered_apart(tmp_path: Path) -> None:
    ws = ws_with(STEADY + [112.0])
    both = ws.monitoring.alerts + [Alert(kpi="items", when="yellow", channel="slack", to="#ops")]
    ws = ws.model_copy(
        update={
            "monitoring": ws.monitoring.model_copy(update={"alerts": both}),
            "nodes": [
                n.model_copy(update={"thresholds": n.thresholds.model_copy(update={"green": 200, "yellow": 150})}) if n.id == "items" else n
                for n in ws.nodes
            ],
        }
    )
    fired = monitor.firing(ws)
    assert [f.level for f in fired] == ["out_of_control", "red"] and len({f.key for f in fired}) == 2
    subject, body = delivery.message(ws, fired[0])
    assert subject.startswith("[OUT_OF_CONTROL]") and "out of control" in body
    store = Store(tmp_path / "a.db")
    wid = store.create(ws.model_copy(update={"actuals": []}))
    store.actuals.add(wid, ws.actuals)
    store.alerts.log(wid, fired[0].key, True, "ok")
    states = {o.firing.level: o.state for o in alerting.run(store, wid, delivery.Settings())}
    assert states == {"out_of_control": "already_sent", "red": "listed"}  # the same de-duplication as red/yellow


def test_the_level_round_trips_in_yaml_and_excel() -> None:
    ws = ws_with(STEADY)
    assert ws.monitoring.alerts[0].when is AlertLevel.OUT_OF_CONTROL
    assert "when: out_of_control" in to_yaml(ws)
    from_file = from_yaml(to_yaml(ws)).workshop
    assert from_file is not None and from_file.monitoring.alerts[0].when is AlertLevel.OUT_OF_CONTROL
    for lang in ("ja", "en"):
        from_book = from_xlsx(to_xlsx(ws, lang)).workshop
        assert from_book is not None and from_book.monitoring.alerts[0].when is AlertLevel.OUT_OF_CONTROL
