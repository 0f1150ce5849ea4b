"""Do the links hold: a known lead is found at its lag, no relation and the opposite sign are told apart, bad data is refused."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from kpidesign import links as lk
from kpidesign.i18n import finding_text
from kpidesign.model import Actual, Aggregation, Direction, Frequency, Layer, Node, Thresholds, Workshop
from kpidesign.observations import series_of
from kpidesign.tree import update_node

START = dt.date(2025, 1, 6)  # a Monday


def weekly(kpi: str, levels: np.ndarray, start: dt.date = START, step: int = 7) -> list[Actual]:
    return [Actual(kpi=kpi, date=start + dt.timedelta(days=step * i), value=float(v)) for i, v in enumerate(levels)]


def workshop(
    parent_levels: np.ndarray,
    child_levels: np.ndarray,
    formula: str = "c + o",
    child_layer: Layer | None = None,
    child_direction: Direction = Direction.HIGHER_IS_BETTER,
    extra: list[Actual] | None = None,
) -> Workshop:
    """Parent 'p' with children 'c' (the one tested) and 'o'; formula over them ('' for influences)."""
    nodes = [
        Node(id="p", name="P", formula=formula),
        Node(id="c", parent="p", name="C", baseline=10, layer=child_layer, thresholds=Thresholds(direction=child_direction)),
        Node(id="o", parent="p", name="O", baseline=5),
    ]
    return Workshop(title="t", nodes=nodes, actuals=weekly("p", parent_levels) + weekly("c", child_levels) + (extra or []))


def leading_series(k: int, n: int = 60, sign: float = 1.0, noise: float = 0.3, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Child levels (a random walk) and parent levels whose change at t is sign × the child's change at t − k, plus noise."""
    rng = np.random.default_rng(seed)
    dc = rng.normal(0, 1, n + k)
    dp = sign * dc[:n] + rng.normal(0, noise, n)  # parent's change at t follows child's change at t - k
    child = 100 + np.cumsum(dc[k:])
    parent = 1000 + np.cumsum(dp)
    return parent, child


def link(ws: Workshop, child: str = "c") -> lk.Link:
    return next(x for x in lk.links(ws).links if x.child == child)


@pytest.mark.parametrize("k", [0, 1, 3, 6])
def test_a_known_lead_is_found_at_its_lag(k: int) -> None:
    parent, child = leading_series(k)
    result = link(workshop(parent, child))
    assert (result.kind, result.verdict, result.lag) == ("formula", lk.Verdict.HOLDS, k)
    assert result.correlation is not None and result.p_value is not None
    assert result.correlation > 0.9 and result.n == 60 and result.expected_sign == 1 and result.p_value < 1e-6


def test_no_relation() -> None:
    rng = np.random.default_rng(7)
    parent, child = 1000 + np.cumsum(rng.normal(0, 1, 52)), 100 + np.cumsum(rng.normal(0, 1, 52))
    result = link(workshop(parent, child))
    assert result.verdict is lk.Verdict.NO_RELATION and result.p_value is not None and result.p_value >= lk.ALPHA and result.n == 52


def test_two_trends_are_not_a_relation() -> None:
    rng = np.random.default_rng(3)
    t = np.arange(52)
    parent, child = 1000 + 10 * t + rng.normal(0, 3, 52), 100 + 2 * t + rng.normal(0, 1, 52)  # both grow; their wobbles are unrelated
    assert np.corrcoef(parent, child)[0, 1] > 0.9  # levels correlate
    assert link(workshop(parent, child)).verdict is lk.Verdict.NO_RELATION  # changes do not


def test_opposite_sign_against_the_formula() -> None:
    parent, child = leading_series(1, sign=-1.0)
    result = link(workshop(parent, child))  # p = c + o: expected +, data say −
    assert (result.verdict, result.lag) == (lk.Verdict.OPPOSITE, 1) and result.correlation is not None and result.correlation < -0.9


def test_expected_sign_from_the_formula_derivative() -> None:
    parent, child = leading_series(2, sign=-1.0)
    result = link(workshop(parent, child, formula="o / c"))  # c is a denominator: expected −
    assert (result.expected_sign, result.verdict, result.lag) == (-1, lk.Verdict.HOLDS, 2)
    result = link(workshop(parent, child, formula="o - c"))
    assert (result.expected_sign, result.verdict) == (-1, lk.Verdict.HOLDS)


def test_influence_links_expect_the_sign_of_their_directions() -> None:
    parent, child = leading_series(2, sign=-1.0)  # cart abandonment down, then frequency up
    ws = workshop(parent, child, formula="o", child_direction=Direction.LOWER_IS_BETTER)
    result = link(ws)
    assert (result.kind, result.expected_sign, result.verdict, result.lag) == ("influence", -1, lk.Verdict.HOLDS, 2)
    ws = workshop(parent, child, formula="", child_direction=Direction.HIGHER_IS_BETTER)
    assert (link(ws).expected_sign, link(ws).verdict) == (1, lk.Verdict.OPPOSITE)


def test_a_leading_indicator_that_leads_nothing_is_flagged() -> None:
    parent, child = leading_series(0)
    report = lk.links(workshop(parent, child, child_layer=Layer.LEADING))
    assert [(f.code, f.node) for f in report.findings] == [("links_leading_leads_nothing", "c")]
    parent, child = leading_series(2)
    assert lk.links(workshop(parent, child, child_layer=Layer.LEADING)).findings == []


def test_too_few_observations() -> None:
    parent, child = leading_series(1, n=11)
    result = link(workshop(parent, child))
    assert (result.verdict, result.n, result.correlation, result.lag) == (lk.Verdict.INSUFFICIENT_DATA, 11, None, None)
    assert result.reason is not None and result.reason.code == "links_too_few"
    result = link(workshop(parent, child), child="o")  # no actuals at all
    assert result.reason is not None
    assert (result.verdict, result.n, result.reason.code) == (lk.Verdict.INSUFFICIENT_DATA, 0, "links_no_data")


def test_one_observation_and_constant_series() -> None:
    ws = workshop(np.array([1.0]), np.array([2.0]))
    assert link(ws).verdict is lk.Verdict.INSUFFICIENT_DATA
    result = link(workshop(np.full(30, 5.0), np.arange(30.0)))
    assert result.reason is not None
    assert (result.verdict, result.reason.code) == (lk.Verdict.INSUFFICIENT_DATA, "links_no_variation")


def test_different_frequencies_are_compared_on_the_coarser_one_as_each_kpi_aggregates() -> None:
    """A weekly flow read by month is the month's sum: a monthly parent made of those sums is borne out (it was refused
    when the aggregation was not part of the definition); the partial first and last months are left out."""
    rng = np.random.default_rng(4)
    child = rng.uniform(50, 150, 160)  # weekly, about three years, a flow
    ws = workshop(np.zeros(1), child)
    months: dict[tuple[int, int], float] = {}
    for a in ws.actuals:
        if a.kpi == "c":
            months[a.date.year, a.date.month] = months.get((a.date.year, a.date.month), 0.0) + a.value
    monthly = [Actual(kpi="p", date=dt.date(y, m, 28), value=v + rng.normal(0, 5)) for (y, m), v in sorted(months.items())]
    ws = ws.model_copy(update={"actuals": [a for a in ws.actuals if a.kpi != "p"] + monthly})
    result = link(update_node(ws, "c", definition={"aggregation": Aggregation.SUM}))
    assert (result.verdict, result.frequency, result.lag) == (lk.Verdict.HOLDS, Frequency.MONTHLY, 0)
    assert result.n == len(months) - 2  # the child's first and last months may be partial
    as_stock = update_node(ws, "c", definition={"aggregation": Aggregation.LAST})
    stock_correlation = link(as_stock).correlation
    assert stock_correlation is not None and result.correlation is not None
    assert stock_correlation < result.correlation  # the month's last week is not what the parent is made of


def test_gaps_pair_only_common_periods_and_duplicates_keep_the_last_entry() -> None:
    parent, child = leading_series(1, n=60)
    ws = workshop(parent, child)
    kept = [a for a in ws.actuals if not (a.kpi == "c" and START + dt.timedelta(weeks=20) <= a.date < START + dt.timedelta(weeks=24))]
    kept.insert(0, Actual(kpi="p", date=START, value=-1e6))  # entered first, then corrected: the correction wins
    result = link(ws.model_copy(update={"actuals": kept}))
    assert (result.n, result.lag, result.verdict) == (56, 1, lk.Verdict.HOLDS)
    assert series_of("p", [a for a in kept if a.kpi == "p"]).duplicates == (START,)
    assert [(f.code, f.node) for f in lk.links(ws.model_copy(update={"actuals": kept})).findings] == [("data_duplicate_dates", "p")]


def test_dates_on_different_weekdays_share_their_week() -> None:
    parent, child = leading_series(2)
    ws = workshop(parent, child)
    shifted = [a.model_copy(update={"date": a.date + dt.timedelta(days=4)}) if a.kpi == "p" else a for a in ws.actuals]
    result = link(ws.model_copy(update={"actuals": shifted}))
    assert (result.verdict, result.lag, result.n) == (lk.Verdict.HOLDS, 2, 60)


def test_p_values_are_pearsonrs_on_independent_pairs() -> None:
    rng = np.random.default_rng(5)
    for m in (8, 20, 51):
        x, y = rng.normal(size=m), rng.normal(size=m)
        r, p = stats.pearsonr(x, y)
        assert lk._p_values(np.array([r]), np.array([float(m)]))[0] == pytest.approx(p, rel=1e-9)


def test_effective_size_shrinks_for_autocorrelated_changes() -> None:
    rng = np.random.default_rng(11)
    x, y = np.diff(rng.normal(size=200)), np.diff(rng.normal(size=200))  # changes of noise: lag-1 autocorrelation ≈ −0.5
    x, y = x - x.mean(), y - y.mean()
    assert lk.effective_size(x, y, float(x @ x), float(y @ y)) < 0.85 * len(x)
    a, b = rng.normal(size=199), rng.normal(size=199)
    a, b = a - a.mean(), b - b.mean()
    assert lk.effective_size(a, b, float(a @ a), float(b @ b)) > 0.85 * len(a)


def test_false_alarms_stay_near_the_nominal_rate() -> None:
    rng = np.random.default_rng(2)
    verdicts = []
    for _ in range(200):  # unrelated KPIs wobbling around a level: changes are negatively autocorrelated
        c, p = series_of("c", weekly("c", 100 + rng.normal(0, 1, 52))), series_of("p", weekly("p", 1000 + rng.normal(0, 1, 52)))
        verdicts.append(lk.judge_link("p", "c", "formula", 1, c, p).verdict)
    assert sum(v is not lk.Verdict.NO_RELATION for v in verdicts) / len(verdicts) <= 0.09


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["p", "c"]), st.integers(0, 400), st.floats(-1e6, 1e6, allow_nan=False)), max_size=120))
def test_any_actuals_give_a_verdict_never_an_exception(rows: list[tuple[str, int, float]]) -> None:
    ws = workshop(np.array([]), np.array([]))
    ws = ws.model_copy(update={"actuals": [Actual(kpi=k, date=START + dt.timedelta(days=d), value=v) for k, d, v in rows]})
    for result in lk.links(ws).links:
        assert result.verdict in lk.Verdict
        assert result.correlation is None or -1 <= result.correlation <= 1
        assert (result.verdict in lk.TESTED) == (result.correlation is not None)


def _pyper_peterman(x: np.ndarray, y: np.ndarray) -> float:
    """Pyper & Peterman (1998), eq. 1 with their modified autocorrelation, written out term by term."""
    n = len(x)
    x, y = x - x.mean(), y - y.mean()

    def r(s: np.ndarray, j: int) -> float:
        return n / (n - j) * float(np.sum(s[: n - j] * s[j:])) / float(np.sum(s * s))

    inverse = 1 / n + 2 / n * sum((n - j) / n * r(x, j) * r(y, j) for j in range(1, max(1, n // 5) + 1))
    return min(n, max(3.0, 1 / inverse))


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=10, max_value=60), st.integers(min_value=0, max_value=10_000), st.floats(min_value=-0.9, max_value=0.9))
def test_effective_size_is_pyper_and_petermans_with_the_weight_applied_once(n: int, seed: int, phi: float) -> None:
    rng = np.random.default_rng(seed)
    x, y = np.zeros(n), np.zeros(n)
    for i in range(1, n):  # two AR(1) series of the same persistence
        x[i], y[i] = phi * x[i - 1] + rng.normal(), phi * y[i - 1] + rng.normal()
    xc, yc = x - x.mean(), y - y.mean()
    assert lk.effective_size(xc, yc, float(xc @ xc), float(yc @ yc)) == pytest.approx(_pyper_peterman(x, y), rel=1e-9)


def test_leading_nothing_reads_as_one_sentence_that_does_not_contradict_itself() -> None:
    parent, child = leading_series(0)  # the child moves with the parent in the same period: holds at lag 0, leads nothing
    [f] = lk.links(workshop(parent, child, child_layer=Layer.LEADING)).findings
    text = finding_text(f, "ja")
    assert "同じ期間" in text and "成り立つ" not in text, text
    assert "same period" in finding_text(f, "en")
