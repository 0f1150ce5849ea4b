"""The dashboard's trend charts: value over time with the target and the red/yellow/green bands, the projection to the
deadline and the data's own control limits, and each KPI's comparisons."""

from __future__ import annotations

import datetime as dt

import altair as alt
import pandas as pd
import streamlit as st

from kpidesign import control, learning, monitor
from kpidesign.forecast import Forecast
from kpidesign.model import AlertLevel, Direction, Workshop
from kpidesign.observations import TimeAxis, series_of, time_axis
from kpidesign.status import Status
from kpidesign.values import is_percent
from ui import compare, derived
from ui.badges import badge
from ui.cache import Snapshot, cached, workshop_with_actuals
from ui.text import looked_up, shown, tr
from ui.theme import projector


@cached(uses=("version", "actuals"), max_entries=256)
def ahead(snap: Snapshot, kpi: str) -> tuple[Forecast, list[tuple[dt.date, float, float, float]], control.ControlResult]:
    """One KPI's forecast with its path to the deadline, and its control chart."""
    _ws, _idx = workshop_with_actuals(snap), derived.readings(snap)[1]
    node = _ws.node(kpi)
    points = monitor.series(_ws, kpi, _idx)
    found, path = learning.projection(node, series_of(kpi, points) if points else None, node.deadline or _ws.kgi.deadline)
    return found, path, control.check_actuals(points)


def chart(
    ws: Workshop,
    kpi: str,
    idx: monitor.Index,
    projection: list[tuple[dt.date, float, float, float]] | None = None,
    limits: control.Limits | None = None,
    big: bool = False,
) -> alt.LayerChart | None:
    """Value over time with the target line and the red/yellow/green bands; with projection (date, projected, low, high),
    the forecast as a dotted line in its 80 % band up to the deadline; with limits, the control chart's centre and limits.
    Ticks follow the data's frequency (three months: three month ticks); big: taller, with large text (projector)."""
    points = monitor.series(ws, kpi, idx)
    if not points:
        return None
    node = ws.node(kpi)
    frame = pd.DataFrame({"date": [p.date for p in points], "value": [p.value for p in points]})
    levels = [v for v in (node.thresholds.green, node.thresholds.yellow, node.target) if v is not None]  # may be none: the actuals alone
    levels += [v for _, _, low, high in projection or [] for v in (low, high)]
    levels += [limits.lower, limits.upper] if limits is not None else []
    lo, hi = min([float(frame.value.min()), *levels]), max([float(frame.value.max()), *levels])
    pad = (hi - lo) * 0.15 or abs(hi) * 0.1 or 1
    lo, hi = lo - pad, hi + pad
    layers = []
    th = node.thresholds
    if th.green is not None:
        yellow = th.yellow if th.yellow is not None else th.green
        up = th.direction is Direction.HIGHER_IS_BETTER
        bands = [
            ("green", th.green, hi) if up else ("green", lo, th.green),
            ("yellow", yellow, th.green) if up else ("yellow", th.green, yellow),
            ("red", lo, yellow) if up else ("red", yellow, hi),
        ]
        band = pd.DataFrame([{"band": b, "y": min(a, c), "y2": max(a, c)} for b, a, c in bands])
        layers.append(
            alt.Chart(band)
            .mark_rect(opacity=0.18)
            .encode(
                y=alt.Y("y:Q", scale=alt.Scale(domain=[lo, hi])),
                y2="y2:Q",
                color=alt.Color(
                    "band:N", scale=alt.Scale(domain=["green", "yellow", "red"], range=["#16a34a", "#eab308", "#dc2626"]), legend=None
                ),
            )
        )
    axis = alt.Axis(format="%") if is_percent(node.unit) else alt.Axis()
    line = (
        alt.Chart(frame)
        .mark_line(point=alt.OverlayMarkDef(size=110 if big else 40, filled=True), strokeWidth=3.5 if big else 2, color="#1e3a8a")
        .encode(
            x=alt.X(
                "date:T", title=None, axis=_time_axis(time_axis([p.date for p in points], [d for d, *_ in projection or []], max_ticks=8))
            ),
            y=alt.Y("value:Q", title=node.unit or None, scale=alt.Scale(domain=[lo, hi]), axis=axis),
            tooltip=["date:T", "value:Q"],
        )
    )
    if projection:
        ahead_frame = pd.DataFrame(projection, columns=["date", "projected", "low", "high"])
        layers.append(alt.Chart(ahead_frame).mark_area(opacity=0.3, color="#475569").encode(x="date:T", y="low:Q", y2="high:Q"))
        layers.append(
            alt.Chart(ahead_frame)
            .mark_line(strokeDash=[2, 4], strokeWidth=4, strokeCap="round", color="#1e3a8a")
            .encode(x="date:T", y="projected:Q", tooltip=["date:T", "projected:Q", "low:Q", "high:Q"])
        )
    layers.append(line)
    if node.target is not None:
        layers.append(alt.Chart(pd.DataFrame({"target": [node.target]})).mark_rule(strokeDash=[6, 4], color="#7c3aed").encode(y="target:Q"))
    if limits is not None:
        rules = pd.DataFrame({"y": [limits.lower, limits.centre, limits.upper], "line": ["limit", "centre", "limit"]})
        layers.append(
            alt.Chart(rules)
            .mark_rule(strokeWidth=1.5)
            .encode(
                y="y:Q",
                strokeDash=alt.StrokeDash("line:N", scale=alt.Scale(domain=["centre", "limit"], range=[[1, 0], [8, 3]]), legend=None),
                color=alt.Color("line:N", scale=alt.Scale(domain=["centre", "limit"], range=["#6b7280", "#ea580c"]), legend=None),
            )
        )
    chart: alt.LayerChart = (
        alt.layer(*layers).resolve_scale(color="independent").properties(height=380 if big else 260, title=node.name[:60])
    )
    if big:  # read from the back row: axis labels, titles and the chart's title as large as the page's text
        large: alt.LayerChart = chart.configure_axis(labelFontSize=20, titleFontSize=22, labelLimit=320).configure_title(
            fontSize=26, anchor="start"
        )
        return large
    return chart


def _time_axis(found: TimeAxis) -> alt.Axis:
    """The x axis of a trend: ticks at the data's own dates, labelled for its frequency (altair's default when irregular)."""
    if not found.ticks:
        return alt.Axis()
    ticks = [alt.DateTime(year=d.year, month=d.month, date=d.day) for d in found.ticks]
    return alt.Axis(values=ticks, format=found.format, labelAngle=0, labelOverlap=True)


MAX_CHARTS = 12


def charts(snap: Snapshot, kpis: list[str]) -> None:
    """Charts with the chosen comparison axes for the KPIs picked (by default the worst first), the projection to the
    deadline and the control limits when switched on."""
    ws, (now, idx) = workshop_with_actuals(snap), derived.readings(snap)
    with_data = sorted((k for k in kpis if k in idx), key=lambda k: -monitor.SEVERITY[now[k].status])
    if not with_data:
        st.info(tr("no_actuals_yet"))
        return
    names = {n.id: n.name for n in ws.nodes}
    default = [k for k in with_data if now[k].status in (Status.RED, Status.YELLOW)][:6] or with_data[:6]
    picked = st.multiselect(
        tr("chart_kpis"),
        with_data,
        default=default,
        format_func=looked_up(names),
        max_selections=MAX_CHARTS,
        key="dash_chart_kpis",
        placeholder=tr("choose"),
        select_all=False,
    )
    left, right = st.columns(2)
    projected = left.toggle(tr("show_forecast"), value=True, key="dash_forecast")
    limited = right.toggle(
        tr("show_limits"), value=any(a.when is AlertLevel.OUT_OF_CONTROL for a in ws.monitoring.alerts), key="dash_limits"
    )
    for k in picked:
        node, r = ws.node(k), now[k]
        axes = [c.value for c in node.definition.comparisons] or ["prior_period", "target"]
        found = monitor.compare(ws, k, idx)
        forecast, path, checked = ahead(snap, k)
        with st.container(border=True):
            drawn = chart(ws, k, idx, path if projected else None, checked.limits if limited else None, big=projector())
            if drawn is not None:  # a KPI with data (picked among them) has a chart
                st.altair_chart(drawn, width="stretch")
            if projected and path:
                st.caption(_forecast_line(forecast, node.unit))
            if limited and checked.limits is not None:
                lim = checked.limits
                text = tr(
                    "limits_line",
                    n=lim.n,
                    centre=shown(lim.centre, node.unit),
                    lower=shown(lim.lower, node.unit),
                    upper=shown(lim.upper, node.unit),
                )
                if checked.out_of_control:
                    text += " " + tr("limits_out", signals=", ".join(tr(f"signal_{s.value}") for s in checked.signals))
                st.caption(text)
            cols = st.columns(len(axes) + 1)
            cols[0].metric(f"{badge(r.status)} {tr('latest')}", shown(r.value, node.unit), help=str(r.date))
            for col, axis in zip(cols[1:], axes):
                c = found[axis]
                moved = compare.change(c, node.unit)
                col.metric(
                    compare.label(c),
                    shown(c.other, node.unit) or tr("no_data"),
                    moved,
                    delta_color="off"
                    if moved and moved.startswith("±")
                    else "normal"
                    if node.thresholds.direction is Direction.HIGHER_IS_BETTER
                    else "inverse",
                    help=compare.detail(c, node),
                )


def _forecast_line(f: Forecast, unit: str) -> str:
    """The caption under a projected chart: where the line ends, its band, the target and the verdict."""
    texts = {k: shown(getattr(f, k), unit) for k in ("projected", "low", "high", "target")}
    return tr("forecast_line", at=f.at.isoformat() if f.at else "", verdict=tr(f"verdict_{f.verdict.value}") if f.verdict else "—", **texts)
