import datetime as dt

from kpidesign.model import Actual, Frequency
from kpidesign.observations import MAX_TICKS, series_of, time_axis


def days(start: dt.date, step: int, n: int) -> list[dt.date]:
    return [start + dt.timedelta(days=step * i) for i in range(n)]


def test_three_monthly_points_get_three_month_ticks() -> None:
    months = [dt.date(2026, 1, 1), dt.date(2026, 2, 1), dt.date(2026, 3, 1)]
    axis = time_axis(months)
    assert axis.frequency is Frequency.MONTHLY and axis.format == "%Y-%m" and axis.ticks == tuple(months)
    month_ends = [dt.date(2026, 1, 31), dt.date(2026, 2, 28), dt.date(2026, 3, 31)]  # dated at the end: the same
    assert time_axis(month_ends).ticks == tuple(month_ends) and time_axis(month_ends).format == "%Y-%m"


def test_weekly_daily_quarterly_and_yearly_data_get_their_own_ticks() -> None:
    weekly = time_axis(days(dt.date(2026, 1, 5), 7, 10))
    assert weekly.frequency is Frequency.WEEKLY and weekly.format == "%m-%d" and len(weekly.ticks) == 10
    daily = time_axis(days(dt.date(2026, 3, 1), 1, 5))
    assert daily.frequency is Frequency.DAILY and daily.ticks == tuple(days(dt.date(2026, 3, 1), 1, 5))
    quarters = time_axis([dt.date(2025, 1, 1), dt.date(2025, 4, 1), dt.date(2025, 7, 1), dt.date(2025, 10, 1)])
    assert quarters.frequency is Frequency.QUARTERLY and quarters.format == "%Y Q%q"
    years = time_axis([dt.date(2023, 1, 1), dt.date(2024, 1, 1), dt.date(2025, 1, 1)])
    assert years.frequency is Frequency.YEARLY and years.format == "%Y"
    across = time_axis(days(dt.date(2025, 11, 3), 7, 12))  # weeks across a new year: the year is named
    assert across.format == "%Y-%m-%d"


def test_many_dates_are_thinned_to_at_most_twelve_ticks_keeping_the_latest() -> None:
    weeks = days(dt.date(2025, 1, 6), 7, 104)
    axis = time_axis(weeks)
    assert 6 <= len(axis.ticks) <= MAX_TICKS and axis.ticks[-1] == weeks[-1]
    assert all(t in weeks for t in axis.ticks)


def test_a_projection_extends_the_ticks_and_irregular_data_keeps_the_default_axis() -> None:
    months = [dt.date(2026, m, 1) for m in (1, 2, 3)]
    ahead = [dt.date(2026, m, 1) for m in (4, 5, 6)]
    assert time_axis(months, ahead).ticks == tuple(months + ahead)
    irregular = time_axis([dt.date(2026, 1, 1), dt.date(2026, 1, 14), dt.date(2026, 2, 3)])  # 13 and 20 days apart
    assert irregular.frequency is None and irregular.ticks == () and irregular.format == ""
    assert time_axis([dt.date(2026, 1, 1)]).frequency is None


def test_the_series_frequency_reads_the_same_spacing() -> None:
    s = series_of("k", [Actual(kpi="k", date=d, value=1.0) for d in days(dt.date(2026, 1, 1), 7, 6)])
    assert s.frequency is Frequency.WEEKLY is time_axis(list(s.dates)).frequency


def test_a_periods_value_follows_the_kpis_aggregation() -> None:
    """Weekly observations read by month: a flow's sum, a rate's mean, a stock's last value (the semantic layer's rule)."""
    from kpidesign.model import Aggregation

    days = [dt.date(2026, 1, 5), dt.date(2026, 1, 12), dt.date(2026, 1, 26), dt.date(2026, 2, 2)]
    s = series_of("k", [Actual(kpi="k", date=d, value=v) for d, v in zip(days, [1.0, 2.0, 6.0, 10.0])])
    january, february = 2026 * 12, 2026 * 12 + 1
    assert s.by_period(Frequency.MONTHLY, Aggregation.SUM) == {january: 9.0, february: 10.0}
    assert s.by_period(Frequency.MONTHLY, Aggregation.AVERAGE) == {january: 3.0, february: 10.0}
    assert s.by_period(Frequency.MONTHLY, Aggregation.LAST) == {january: 6.0, february: 10.0} == s.by_period(Frequency.MONTHLY)
    assert s.by_period(Frequency.WEEKLY, Aggregation.SUM) == s.by_period(Frequency.WEEKLY, Aggregation.LAST)  # one a week
