"""The dashboard's parts: status overview, charts with bands, alerts and their delivery, review agendas, data entry."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import altair as alt
import pandas as pd
import streamlit as st

from kpidesign import actuals, alerting, control, delivery, edits, learning, monitor
from kpidesign.alerting import Delivery
from kpidesign.forecast import Forecast, forecasts
from kpidesign.i18n import problem_text
from kpidesign.model import AlertLevel, Channel, Direction, Layer, Workshop
from kpidesign.observations import TimeAxis, series_of, time_axis
from kpidesign.status import Status, status_word
from kpidesign.values import format_value, is_percent
from ui import graphs
from ui.badges import WORDS, badge, label, styled
from ui.cache import Snapshot
from ui.messages import flash
from ui.saving import commit, write
from ui.state import store
from ui.text import labeller, lang, md, tr
from ui.theme import projector

ARROW = lambda delta: "" if delta is None else ("↑" if delta > 0 else "↓" if delta < 0 else "→")  # noqa: E731


def filtered(ws: Workshop) -> tuple[list[str], tuple[tuple[str, ...], tuple[str, ...]]]:
    """The KPIs kept by the owner and cadence filters (all when nothing is chosen), and the choice itself: with the
    version it names the list, and is what a cache keys on (hashing the ids of 500 KPIs took 4 ms of every rerun)."""
    owners = sorted({n.definition.owner for n in ws.nodes if n.definition.owner})
    cadences = [c for c in ("daily", "weekly", "monthly", "quarterly") if any(r.cadence.value == c for r in ws.monitoring.reviews)]
    left, right = st.columns(2)
    chosen_owners = left.multiselect(tr("filter_owner"), owners, key="dash_owners", placeholder=tr("all"))
    chosen_cadences = right.multiselect(tr("filter_cadence"), cadences, key="dash_cadences", format_func=labeller(), placeholder=tr("all"))
    in_cadence = {k for r in ws.monitoring.reviews if r.cadence.value in chosen_cadences for k in r.kpis}
    kpis = [
        n.id for n in ws.nodes if (not chosen_owners or n.definition.owner in chosen_owners) and (not chosen_cadences or n.id in in_cadence)
    ]
    return kpis, (tuple(chosen_owners), tuple(chosen_cadences))


def overview(
    ws: Workshop,
    snap: Snapshot,
    now: dict[str, monitor.Reading],
    kpis: list[str],
    idx: monitor.Index,
    choice: tuple[tuple[str, ...], tuple[str, ...]],
) -> None:
    """Counts by status, the tree coloured by status, and leading → intermediate → lagging side by side (choice: the
    filter that kept kpis)."""
    state = (snap.workshop, snap.version, snap.actuals)
    counts, flow = _overview(state, lang(), choice, ws, now, idx, kpis)
    verdicts = _verdicts(state, ws)
    ahead = learning.verdict_counts([verdicts[k] for k in kpis if k in verdicts])
    columns = st.columns(len(WORDS) + 2)
    for column, word in zip(columns, WORDS):
        column.metric(badge(word), counts[word])
    for column, verdict in zip(columns[len(WORDS) :], ("off_track", "at_risk")):  # beside the red/yellow counts: where the trend is heading
        column.metric(tr(f"metric_{verdict}"), ahead[verdict], help=tr("metric_forecast_help"))
    depth = graphs.levels(snap, key="dash_levels")  # a folded box counts the red and yellow KPIs below it
    graphs.tree(snap, by_status=True, depth=depth)
    graphs.show_legend(status=True)
    st.caption(tr("dash_flow"))
    for column, text in zip(st.columns(3), flow):
        column.markdown(text)  # one block per column: hundreds of KPIs stay one element each side


@st.cache_resource(max_entries=16, show_spinner=False)
def _overview(
    state: tuple[str, int, int],
    language: str,
    choice: tuple[tuple[str, ...], tuple[str, ...]],
    _ws: Workshop,
    _now: dict[str, monitor.Reading],
    _idx: monitor.Index,
    _kpis: list[str],
) -> tuple[Counter[str], tuple[str, ...]]:
    """The counts by status word and the three columns' text, once per version, actuals revision, language and filter
    (the KPIs it keeps are named by the version and the filter's choice)."""
    nodes = {n.id: n for n in _ws.nodes}
    words = {k: status_word(_now[k].value, nodes[k].thresholds) for k in _kpis}  # no threshold and no data told apart
    badges = {word: badge(word) for word in WORDS}
    no_data, versus, no_prior = tr("no_data"), tr("cmp_prior_period"), tr("no_prior")
    flow = []
    for layer in (Layer.LEADING, Layer.INTERMEDIATE, Layer.LAGGING):
        lines = [f"**{tr(layer.value)}**"]
        for k in [k for k in _kpis if nodes[k].layer is layer]:
            r, node = _now[k], nodes[k]
            prior = monitor.prior_period(_ws, k, _idx)
            lines.append(
                f"{badges[words[k]]} {md(node.name)}  \n**{format_value(r.value, node.unit, precise=False) or no_data}** {ARROW(prior.delta)} "
                + (
                    f":gray[{prior.ratio:+.1%} {versus}]"
                    if prior.ratio is not None
                    else f":gray[{no_prior}]"
                    if r.value is not None
                    else ""
                )
            )
        flow.append("\n\n".join(lines))
    return Counter(words.values()), tuple(flow)


@st.cache_resource(max_entries=16, show_spinner=False)
def _verdicts(state: tuple[str, int, int], _ws: Workshop) -> dict[str, Forecast]:
    """Every KPI's forecast at its deadline, once per version and revision of the actuals (shared, never mutated)."""
    return {f.kpi: f for f in forecasts(_ws)}


@st.cache_resource(max_entries=256, show_spinner=False)
def ahead(
    state: tuple[str, int, int], kpi: str, _ws: Workshop, _idx: monitor.Index
) -> tuple[Forecast, list[tuple[dt.date, float, float, float]], control.ControlResult]:
    """One KPI's forecast with its path to the deadline, and its control chart, once per version and actuals revision."""
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
) -> alt.Chart | None:
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
    chart = alt.layer(*layers).resolve_scale(color="independent").properties(height=380 if big else 260, title=node.name[:60])
    if big:  # read from the back row: axis labels, titles and the chart's title as large as the page's text
        return chart.configure_axis(labelFontSize=20, titleFontSize=22, labelLimit=320).configure_title(fontSize=26, anchor="start")
    return chart


def _time_axis(found: TimeAxis) -> alt.Axis:
    """The x axis of a trend: ticks at the data's own dates, labelled for its frequency (altair's default when irregular)."""
    if not found.ticks:
        return alt.Axis()
    ticks = [alt.DateTime(year=d.year, month=d.month, date=d.day) for d in found.ticks]
    return alt.Axis(values=ticks, format=found.format, labelAngle=0, labelOverlap=True)


MAX_CHARTS = 12


def charts(ws: Workshop, state: tuple[str, int, int], now: dict[str, monitor.Reading], kpis: list[str], idx: monitor.Index) -> None:
    """Charts with the chosen comparison axes for the KPIs picked (by default the worst first), the projection to the
    deadline and the control limits when switched on."""
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
        format_func=names.get,
        max_selections=MAX_CHARTS,
        key="dash_chart_kpis",
        placeholder=tr("choose"),
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
        forecast, path, checked = ahead(state, k, ws, idx)
        with st.container(border=True):
            st.altair_chart(
                chart(ws, k, idx, path if projected else None, checked.limits if limited else None, big=projector()), width="stretch"
            )
            if projected and path:
                st.caption(_forecast_line(forecast, node.unit))
            if limited and checked.limits is not None:
                lim = checked.limits
                text = tr(
                    "limits_line",
                    n=lim.n,
                    centre=format_value(lim.centre, node.unit, precise=False),
                    lower=format_value(lim.lower, node.unit, precise=False),
                    upper=format_value(lim.upper, node.unit, precise=False),
                )
                if checked.out_of_control:
                    text += " " + tr("limits_out", signals=", ".join(tr(f"signal_{s.value}") for s in checked.signals))
                st.caption(text)
            cols = st.columns(len(axes) + 1)
            cols[0].metric(f"{badge(r.status)} {tr('latest')}", format_value(r.value, node.unit, precise=False), help=str(r.date))
            for col, axis in zip(cols[1:], axes):
                c = found[axis]
                col.metric(
                    tr("cmp_" + axis),
                    format_value(c.other, node.unit, precise=False) or tr("no_data"),
                    None if c.ratio is None else f"{c.ratio:+.1%}",
                    delta_color="normal" if node.thresholds.direction is Direction.HIGHER_IS_BETTER else "inverse",
                )


def _forecast_line(f: Forecast, unit: str) -> str:
    """The caption under a projected chart: where the line ends, its band, the target and the verdict."""
    shown = {k: format_value(getattr(f, k), unit, precise=False) for k in ("projected", "low", "high", "target")}
    return tr("forecast_line", at=f.at.isoformat() if f.at else "", verdict=tr(f"verdict_{f.verdict.value}") if f.verdict else "—", **shown)


def _settings() -> delivery.Settings:
    try:
        secrets = {k: str(v) for k, v in st.secrets.items() if k.startswith("KPIDESIGN_")}
    except Exception:
        secrets = {}
    return delivery.Settings.from_env(secrets)


def alerts(ws: Workshop, workshop_id: str) -> None:
    """The rules that fire now, delivery (each alert once), a test message, and the delivery log."""
    settings = _settings()
    outcomes = alerting.run(store(), workshop_id, settings, ws=ws)
    names = {n.id: n.name for n in ws.nodes}
    if not outcomes:
        st.success(tr("no_alerts_fire"), icon=":material/notifications_off:")
    else:
        frame = pd.DataFrame(
            [
                {
                    tr("col_status"): label(o.firing.status),
                    tr("kpi"): names[o.firing.alert.kpi],
                    tr("when"): tr("level_" + o.firing.level),
                    tr("date"): o.firing.date,
                    tr("channel"): tr(o.firing.alert.channel.value),
                    tr("to"): o.firing.alert.to,
                    tr("action"): o.firing.alert.action,
                    tr("col_delivery"): tr("alert_" + o.state),
                }
                for o in outcomes
            ]
        )
        st.dataframe(styled(frame, tr("col_status"), [o.firing.status for o in outcomes]), hide_index=True, width="stretch")
        st.button(
            tr("alerts_send"),
            type="primary",
            icon=":material/send:",
            on_click=_send,
            args=(workshop_id, settings),
            key="dash_send",
            disabled=not any(o.state is Delivery.LISTED for o in outcomes),
        )
    st.caption(
        tr(
            "delivery_config",
            slack=tr("configured") if settings.slack_webhook else tr("not_configured"),
            smtp=tr("configured") if settings.smtp_host else tr("not_configured"),
        )
    )
    with st.expander(tr("send_test"), icon=":material/science:"):
        channel = st.radio(tr("channel"), [c.value for c in Channel], format_func=labeller(), horizontal=True, key="dash_test_channel")
        to = st.text_input(tr("to"), key="dash_test_to", help=tr("to_help"))
        st.button(tr("send_test"), key="dash_test", on_click=_test, args=(workshop_id, settings, channel, to))
    log = store().alert_log(workshop_id)
    if log:
        st.markdown(f"**{tr('delivery_log')}**")
        st.dataframe(pd.DataFrame(log), hide_index=True, width="stretch")


def _send(workshop_id: str, settings: delivery.Settings) -> None:
    ok, done = write(lambda: alerting.run(store(), workshop_id, settings, send=True), workshop_id=workshop_id)
    if not ok or done is None:
        return
    sent, failed = sum(o.state is Delivery.SENT for o in done), [o.detail for o in done if o.state is Delivery.FAILED]
    flash("error" if failed else "info", tr("alerts_sent", sent=sent, failed=len(failed)) + (f" ({md(failed[0])})" if failed else ""))


def _test(workshop_id: str, settings: delivery.Settings, channel: str, to: str) -> None:
    try:
        ok, receipt = write(lambda: alerting.send_test(store(), workshop_id, settings, Channel(channel), to), workshop_id=workshop_id)
    except delivery.DeliveryError as e:
        flash("error", tr("test_failed", detail=md(str(e))))
        return
    if not ok:
        return
    flash("info", tr("test_sent", receipt=md(str(receipt))))


def reviews(ws: Workshop, now: dict[str, monitor.Reading]) -> None:
    """Per meeting: its agenda with status, and the facts → causes → next action form that feeds the learning log."""
    if not ws.monitoring.reviews:
        st.info(tr("no_reviews"))
        return
    names = {n.id: n for n in ws.nodes}
    index = st.selectbox(
        tr("review_name"),
        range(len(ws.monitoring.reviews)),
        key="dash_review",
        format_func={i: f"{r.name} ({tr(r.cadence.value)})" for i, r in enumerate(ws.monitoring.reviews)}.get,
    )
    review = ws.monitoring.reviews[index]
    order = sorted((k for k in review.kpis if k in now), key=lambda k: -monitor.SEVERITY[now[k].status])
    agenda = [status_word(now[k].value, names[k].thresholds) for k in order]
    frame = pd.DataFrame(
        [
            {
                tr("col_status"): label(word),
                tr("kpi"): names[k].name,
                tr("latest"): format_value(now[k].value, names[k].unit, precise=False),
                tr("date"): now[k].date,
                tr("owner"): names[k].definition.owner,
            }
            for k, word in zip(order, agenda)
        ]
    )
    st.dataframe(styled(frame, tr("col_status"), agenda), hide_index=True, width="stretch")
    with st.form("dash_review_form", border=True):
        st.markdown(f"**{tr('review_dialogue')}**")
        st.selectbox(
            tr("kpi"), [None, *order], format_func=lambda k, none=tr("any_kpi"): none if k is None else names[k].name, key="rv_kpi"
        )
        st.text_area(tr("rv_facts"), key="rv_facts", height=70)
        st.text_area(tr("rv_causes"), key="rv_causes", height=70)
        st.text_area(tr("rv_next"), key="rv_next", height=70)
        st.form_submit_button(tr("add_entry"), type="primary", on_click=_record, args=(review.name,))
    st.caption(tr("review_dialogue_help"))


def _record(meeting: str) -> None:
    get = st.session_state.get
    if commit(
        lambda w: edits.add_learning(
            w,
            date=dt.date.today(),
            kpi=get("rv_kpi"),
            observe=get("rv_facts"),
            insight=get("rv_causes"),
            act=get("rv_next"),
            integrate=tr("rv_from", meeting=meeting),
        ),
        tr("sum_monitoring", part=tr("learning_log")),
        error_key="rv.add",
    ):
        for key in ("rv_facts", "rv_causes", "rv_next"):
            st.session_state[key] = ""


def data_entry(ws: Workshop, workshop_id: str) -> None:
    """Enter one observed value, or upload a CSV/Excel file (kpi, date, value[, market]); bad rows are listed."""
    ids = [n.id for n in ws.nodes]
    names = {n.id: n.name for n in ws.nodes}
    units = {n.id: n.unit for n in ws.nodes}
    with st.form("dash_actual", border=True):
        a, b, c, d = st.columns([3, 2, 2, 2])
        a.selectbox(tr("kpi"), ids, format_func=names.get, key="act_kpi")
        b.date_input(tr("date"), value=dt.date.today(), key="act_date", format="YYYY-MM-DD")
        c.text_input(tr("value"), key="act_value", help=tr("number_help"))
        d.text_input(tr("market_value"), key="act_market")
        st.form_submit_button(tr("add_actual"), type="primary", on_click=_add_one, args=(ws, workshop_id))
    st.file_uploader(
        tr("upload_actuals"),
        type=["csv", "xlsx"],
        key="act_upload",
        help=tr("upload_actuals_help"),
        on_change=_upload,
        args=(ws, workshop_id),
    )  # read as soon as the upload arrives
    if problems := st.session_state.get("act_problems"):
        st.error(tr("rows_refused", count=len(problems)) + "\n" + "\n".join(f"- {md(p)}" for p in problems[:50]))  # they quote the file
    recent = sorted(ws.actuals, key=lambda x: x.date, reverse=True)[:100]
    if recent:
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        tr("date"): x.date,
                        tr("kpi"): names.get(x.kpi, x.kpi),
                        tr("value"): format_value(x.value, units.get(x.kpi, "")),  # 11%, not 0.11
                        tr("market_value"): format_value(x.market, units.get(x.kpi, "")),
                    }
                    for x in recent
                ]
            ),
            hide_index=True,
            width="stretch",
        )


def _add_one(ws: Workshop, workshop_id: str) -> None:
    get = st.session_state.get
    good, bad = actuals.parse_rows(
        ws, [{"kpi": get("act_kpi"), "date": get("act_date"), "value": get("act_value"), "market": get("act_market")}]
    )
    if bad:
        st.session_state["act_problems"] = [problem_text(b.problem, lang()) for b in bad]
        return
    ok, _ = write(lambda: store().add_actuals(workshop_id, good), workshop_id=workshop_id)
    if not ok:
        return
    st.session_state["act_problems"] = []
    st.session_state["act_value"] = st.session_state["act_market"] = ""
    flash("saved", tr("actuals_added", count=1))


def _upload(ws: Workshop, workshop_id: str) -> None:
    upload = st.session_state.get("act_upload")
    if upload is None:
        return
    rows, problem = actuals.read_table(upload.name, upload.getvalue())
    if problem:
        st.session_state["act_problems"] = [problem_text(problem, lang())]
        return
    good, bad = actuals.parse_rows(ws, rows)
    if good and not write(lambda: store().add_actuals(workshop_id, good), workshop_id=workshop_id)[0]:
        return  # nothing was added: the message says why, and the rows can be sent again
    st.session_state["act_problems"] = [
        f"{tr('row')} {b.row}{f' ({b.column})' if b.column else ''}: {problem_text(b.problem, lang())}" for b in bad
    ]
    flash("saved", tr("actuals_added", count=len(good)))
