"""Two years of weekly actuals for the e-commerce template, consistent with its formulas (for the learning-loop tests).

Every formula input drifts as a random walk with a slight upward trend; parents are computed from their children, so
the tree adds up. Satisfaction (an influence of purchase frequency) leads frequency by two weeks, so that link holds.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random

from kpidesign import analysis
from kpidesign.model import Actual, Workshop

END = dt.date(2026, 11, 30)  # a Monday
WEEKS = 104
LEAD = 2


def weekly_actuals(ws: Workshop, weeks: int = WEEKS, end: dt.date = END, seed: int = 16) -> list[Actual]:
    """Weekly actuals for every node of the template, oldest first."""
    rng = random.Random(seed)
    model = analysis.TreeModel(ws)
    levers = [lv for lv in model.levers() if lv != "frequency"]
    level: dict[str, float] = {}
    for lv in levers:
        value = model.values[lv]
        assert value is not None, f"the template's lever {lv} has no value"
        level[lv] = value
    satisfaction = [3.8]
    for _ in range(weeks + LEAD):
        satisfaction.append(min(5.0, max(1.0, satisfaction[-1] + rng.gauss(0.004, 0.05))))
    mail = 0.22
    out: list[Actual] = []
    for week in range(weeks):
        date = end - dt.timedelta(weeks=weeks - 1 - week)
        level = {lv: v * (1 + rng.gauss(0.0004, 0.01)) for lv, v in level.items()}
        frequency = 4.0 * (satisfaction[week] / 3.8) ** 3 * (1 + rng.gauss(0, 0.003))  # satisfaction two weeks earlier
        values = analysis.what_if(ws, {**level, "frequency": frequency}).values
        mail = min(0.9, max(0.01, mail + rng.gauss(0, 0.01)))
        values = {**values, "satisfaction": satisfaction[week + LEAD], "mail_open_rate": mail}
        out += [Actual(kpi=k, date=date, value=round(v, 6)) for k, v in values.items() if v is not None]
    return out


def as_csv(actuals: list[Actual]) -> str:
    """The actuals as the dashboard's upload reads them: kpi, date, value."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["kpi", "date", "value"])
    for a in actuals:
        writer.writerow([a.kpi, a.date.isoformat(), repr(a.value)])
    return buffer.getvalue()
