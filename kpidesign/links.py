"""Do the tree's links hold in the data? Each parent–child link tested on period-over-period changes, child leading.

For every link, the child's and the parent's actuals are put on their common period (day, ISO week, month, quarter,
year: the frequency each series' own spacing reads as) and turned into changes from one period to the next, so that two
series that merely both trend are not mistaken for a relation. The child's change at period ``t − L`` is correlated
with the parent's at ``t`` for lags ``L = 0 … MAX_LAG`` (Pearson), each lag with at least ``MIN_PAIRS`` pairs of
changes and some variation on both sides. Each lag's p-value is Pearson's t test on the *effective* number of pairs
(Pyper & Peterman's correction for autocorrelated series: changes of a KPI that wobbles around a level are negatively
autocorrelated, and two unrelated such series would otherwise look related one time in six on a year of weekly data).
The best lag is the one with the smallest p-value; that p-value is corrected for the lags tried (Bonferroni: multiplied
by their number, at most 7). Verdicts:

* ``holds``: significant at ``ALPHA`` after the correction, with the expected sign;
* ``opposite``: significant, with the sign against the expected one;
* ``related``: significant, but the expected sign cannot be worked out (a formula flat at the baseline values);
* ``no_relation``: not significant after the correction;
* ``insufficient_data``: fewer than ``MIN_OBSERVATIONS`` periods where both have a value (``n`` says how many), or no
  lag with enough varying pairs;
* ``not_comparable``: one of the two series has no regular rhythm.

Two series of different frequencies (weekly vs monthly…) are compared on the coarser one, each period's value made as
the KPI's aggregation says (kpidesign.aggregation: a flow summed, a stock's last value, a rate averaged); the finer
series' first and last periods are left out, as they may hold only part of their observations.

Expected sign: for a formula link, the sign of the partial derivative of the parent's formula with respect to the child
at the baseline values (numerically; at the latest actuals when a baseline is missing). For an influence link, positive
when the child's and the parent's threshold directions agree, negative when they differ (cart abandonment going down
should come before purchase frequency going up). A leading-layer node whose link does not hold at a lag of one period or
more, once tested, is flagged: it does not lead.

p-values are those of ``scipy.stats.pearsonr`` (two-sided t test on r with n − 2 degrees of freedom), worked out with
scipy's Student t distribution (``scipy.special.stdtr``, what ``scipy.stats.t`` calls) on all lags of a link at once:
``pearsonr`` itself costs about 0.3 ms a call, 3,500 calls for a 500-node tree, and importing ``scipy.stats`` alone
takes about a second, on every command line call.

A parent without actuals of its own is not computed from its children here (unlike explain): computed from the child,
it would correlate with it by construction.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np
from scipy import special

from kpidesign.aggregation import effective
from kpidesign.analysis import TreeModel
from kpidesign.findings import Finding, Severity
from kpidesign.model import Aggregation, Frequency, Layer, Workshop
from kpidesign.monitor import readings
from kpidesign.observations import Series, all_series

MAX_LAG = 6
MIN_OBSERVATIONS = 12
MIN_PAIRS = 8
ALPHA = 0.05


class Verdict(StrEnum):
    """What the data say about a link."""

    HOLDS = "holds"
    OPPOSITE = "opposite"
    RELATED = "related"
    NO_RELATION = "no_relation"
    INSUFFICIENT_DATA = "insufficient_data"
    NOT_COMPARABLE = "not_comparable"


TESTED = (Verdict.HOLDS, Verdict.OPPOSITE, Verdict.RELATED, Verdict.NO_RELATION)


@dataclass(frozen=True)
class Link:
    """One parent–child link and what the data say about it (lag in periods of the data's frequency)."""

    parent: str
    child: str
    kind: str  # "formula" | "influence"
    verdict: Verdict
    n: int  # periods where both have a value
    correlation: float | None = None
    lag: int | None = None
    p_value: float | None = None  # corrected for the lags tried
    expected_sign: int = 0  # +1, -1, or 0 when unknown
    frequency: Frequency | None = None
    reason: Finding | None = None


@dataclass(frozen=True)
class LinksReport:
    """Every link's verdict and the findings about nodes (duplicate dates, a leading indicator that leads nothing)."""

    links: list[Link]
    findings: list[Finding]


def links(ws: Workshop) -> LinksReport:
    """Test every parent–child link of the tree against the actuals."""
    model = TreeModel(ws)
    series = all_series(ws)
    nodes = {n.id: n for n in ws.nodes}
    fallback: dict[str, float | None] | None = None
    out: list[Link] = []
    for child in reversed(model.order):  # parents before children: display order
        parent = model.parent[child]
        if parent is None:
            continue
        f = model.formula.get(parent)
        if f is not None and child in f.names:
            kind = "formula"
            sign = _derivative_sign(model, parent, child, model.values)
            if sign == 0:
                if fallback is None:
                    fallback = {k: r.value for k, r in readings(ws).items()}
                sign = _derivative_sign(model, parent, child, fallback)
        else:
            kind = "influence"
            sign = 1 if nodes[child].thresholds.direction == nodes[parent].thresholds.direction else -1
        aggregations = (effective(nodes[child]), effective(nodes[parent]))
        out.append(judge_link(parent, child, kind, sign, series.get(child), series.get(parent), aggregations))
    data = [f for node_id in model.order if node_id in series for f in series[node_id].data_findings()]
    return LinksReport(out, data + _leading_findings(ws, out))


def _derivative_sign(model: TreeModel, parent: str, child: str, values: dict[str, float | None]) -> int:
    """The sign of ∂parent/∂child at the given values (central difference), 0 when flat or unknown."""
    f = model.formula[parent]
    x = values.get(child)
    if x is None or any(values.get(n) is None for n in f.names):
        return 0
    h = 1e-6 * max(1.0, abs(x))
    up = f.evaluate({**values, child: x + h})
    down = f.evaluate({**values, child: x - h})
    if up is None or down is None:
        return 0
    slope = (up - down) / (2 * h)
    scale = max(abs(up), abs(down), 1e-300)
    return 0 if abs(slope * h) <= 1e-12 * scale else (1 if slope > 0 else -1)


def judge_link(
    parent: str,
    child: str,
    kind: str,
    expected_sign: int,
    child_series: Series | None,
    parent_series: Series | None,
    aggregations: tuple[Aggregation, Aggregation] = (Aggregation.LAST, Aggregation.LAST),
) -> Link:
    """One link's verdict from the two series (child leading parent by 0…MAX_LAG periods), each series' periods made
    as its KPI's aggregation says (child's, parent's)."""
    base: dict[str, Any] = {"parent": parent, "child": child, "kind": kind, "expected_sign": expected_sign}
    for who, s in (("child", child_series), ("parent", parent_series)):
        if s is None or len(s) < 2:
            node = child if who == "child" else parent
            return Link(
                **base,
                verdict=Verdict.INSUFFICIENT_DATA,
                n=0,
                reason=Finding(Severity.HINT, "links_no_data", node, {"node": node, "count": 0 if s is None else len(s)}),
            )
    assert child_series is not None and parent_series is not None
    fc, fp = child_series.frequency, parent_series.frequency
    if fc is None or fp is None:
        node = child if fc is None else parent
        return Link(
            **base,
            verdict=Verdict.NOT_COMPARABLE,
            n=0,
            reason=Finding(
                Severity.WARNING,
                "links_irregular",
                node,
                {"node": node, "days": (child_series if fc is None else parent_series).period_days},
            ),
        )
    common_frequency = max(fc, fp, key=_ORDER.index)  # the coarser of the two
    c = _whole_periods(child_series, common_frequency, aggregations[0], fc != common_frequency)
    p = _whole_periods(parent_series, common_frequency, aggregations[1], fp != common_frequency)
    fc = common_frequency
    common = c.keys() & p.keys()
    n = len(common)
    if n < MIN_OBSERVATIONS:
        return Link(
            **base,
            verdict=Verdict.INSUFFICIENT_DATA,
            n=n,
            frequency=fc,
            reason=Finding(Severity.HINT, "links_too_few", child, {"n": n, "min": MIN_OBSERVATIONS}),
        )
    start = min(min(c), min(p))
    size = max(max(c), max(p)) - start + 1
    cv, pv = np.full(size, np.nan), np.full(size, np.nan)
    for k, v in c.items():
        cv[k - start] = v
    for k, v in p.items():
        pv[k - start] = v
    dc, dp = np.diff(cv), np.diff(pv)  # NaN where either period is missing: a gap is not a change
    lags, rs, ms = [], [], []
    for lag in range(MAX_LAG + 1):
        x, y = (dc[:-lag], dp[lag:]) if lag else (dc, dp)
        ok = np.isfinite(x) & np.isfinite(y)
        m = int(ok.sum())
        if m < MIN_PAIRS:
            continue
        x, y = x[ok], y[ok]
        x, y = x - x.sum() / m, y - y.sum() / m
        sxx, syy = float(x @ x), float(y @ y)
        if sxx <= 1e-300 or syy <= 1e-300 or not math.isfinite(sxx * syy):
            continue
        lags.append(lag)
        rs.append(max(-1.0, min(1.0, float(x @ y) / math.sqrt(sxx * syy))))
        ms.append(effective_size(x, y, sxx, syy))
    if not lags:
        return Link(
            **base,
            verdict=Verdict.INSUFFICIENT_DATA,
            n=n,
            frequency=fc,
            reason=Finding(Severity.HINT, "links_no_variation", child, {"min": MIN_PAIRS}),
        )
    p_raw = _p_values(np.array(rs), np.array(ms))
    best = int(np.argmin(p_raw))  # the first (shortest lag) on a tie
    p_adj = min(1.0, float(p_raw[best]) * len(lags))
    r = rs[best]
    if p_adj >= ALPHA:
        verdict = Verdict.NO_RELATION
    elif expected_sign == 0:
        verdict = Verdict.RELATED
    else:
        verdict = Verdict.HOLDS if (r > 0) == (expected_sign > 0) else Verdict.OPPOSITE
    return Link(**base, verdict=verdict, n=n, correlation=r, lag=lags[best], p_value=p_adj, frequency=fc)


_ORDER = list(Frequency)  # finest first


def _whole_periods(s: Series, frequency: Frequency, aggregation: Aggregation, finer: bool) -> dict[int, float]:
    """The series by period of frequency; read from a finer series, its first and last periods (maybe partial) left out."""
    values = s.by_period(frequency, aggregation)
    if finer and values:
        keys = sorted(values)
        values = {k: values[k] for k in keys[1:-1]}
    return values


def effective_size(x: np.ndarray, y: np.ndarray, sxx: float, syy: float) -> float:
    """Pairs worth of independent information in two centred series (Pyper & Peterman 1998), between 3 and len(x).

    Changes of a series that wobbles around a level are negatively autocorrelated (about −0.5 at lag 1): two such
    independent series then correlate by chance more often than n pairs suggest, and a plain test would call one link in
    six "related". 1/n* = 1/n + (2/n) Σ_j (n−j)/n · ρx(j) ρy(j), j up to n/5.
    """
    m = len(x)
    top = max(1, m // 5)
    lags = np.arange(1, top + 1)
    # P&P's "modified" autocorrelation: the sum over the m−j pairs at lag j scaled by m/(m−j), so that the (m−j)/m
    # weight of the formula is applied once (the plain estimator already shrinks by (m−j)/m)
    rx = np.correlate(x, x, "full")[m : m + top] / sxx * m / (m - lags)
    ry = np.correlate(y, y, "full")[m : m + top] / syy * m / (m - lags)
    total = float(((m - lags) / m * rx * ry).sum())
    return float(min(m, max(3.0, m / (1 + 2 * total))))


def _p_values(r: np.ndarray, m: np.ndarray) -> np.ndarray:
    """Two-sided p-values of Pearson's r on m (effective) pairs: scipy.stats.pearsonr's t test when m is the number of pairs."""
    df = m - 2
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.abs(r) * np.sqrt(df / np.maximum(1.0 - r * r, 0.0))
    return np.where(np.abs(r) >= 1.0, 0.0, 2.0 * special.stdtr(df, -t))  # stdtr: Student's t CDF (scipy.stats.t.sf(t) = stdtr(df, -t))


def _leading_findings(ws: Workshop, results: list[Link]) -> list[Finding]:
    """Leading-layer nodes whose tested links all fail to hold at a lag of one period or more."""
    by_child: dict[str, list[Link]] = {}
    for link in results:
        by_child.setdefault(link.child, []).append(link)
    out = []
    for node in ws.nodes:
        if node.layer is not Layer.LEADING or node.id not in by_child:
            continue
        tested = [link for link in by_child[node.id] if link.verdict in TESTED]
        if tested and not any(link.verdict is Verdict.HOLDS and (link.lag or 0) >= 1 for link in tested):
            best = tested[0]
            out.append(
                Finding(
                    Severity.WARNING,
                    "links_leading_leads_nothing",
                    node.id,
                    {
                        "name": node.name,
                        "parent": best.parent,
                        "verdict": best.verdict.value,
                        "lag": best.lag if best.lag is not None else "-",
                        # what the data say instead, in words: moving in the same period is not leading
                        "how": "links_how_same_period" if best.verdict is Verdict.HOLDS else f"link_verdict_{best.verdict.value}",
                    },
                )
            )
    return out
