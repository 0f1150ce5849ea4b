"""Generate workshops of any size that look like real ones: formulas that add up, definitions, thresholds."""

from __future__ import annotations

import datetime as dt
import random

from kpidesign.model import (
    Actual,
    Alert,
    Cadence,
    Definition,
    Frequency,
    Layer,
    Monitoring,
    Node,
    ReviewMeeting,
    Sensitivity,
    Thresholds,
    Workshop,
)


def workshop(size: int, seed: int = 7, fanout: int = 4) -> Workshop:
    """A tree of `size` nodes; each parent is the product (or, one in three, the sum) of its children."""
    rng = random.Random(seed)
    nodes = [Node(id="kgi", name="年間売上高 Annual sales", unit="JPY", deadline=None, layer=Layer.LAGGING)]
    frontier = ["kgi"]
    children: dict[str, list[str]] = {"kgi": []}
    i = 0
    while len(nodes) < size:
        parent = frontier[i % len(frontier)]
        for _ in range(rng.randint(2, fanout)):
            if len(nodes) >= size:
                break
            node_id = f"k{len(nodes)}"
            nodes.append(
                Node(
                    id=node_id,
                    parent=parent,
                    name=f"指標 {len(nodes)} KPI",
                    unit="件",
                    layer=rng.choice(list(Layer)),
                    sensitivity=rng.choice(list(Sensitivity)),
                    definition=Definition(
                        expression="a × b", source="DWH", owner="team", why="grow", frequency=rng.choice(list(Frequency))
                    ),
                    thresholds=Thresholds(green=1.05, yellow=0.95),
                )
            )
            children.setdefault(parent, []).append(node_id)
            children[node_id] = []
            frontier.append(node_id)
        i += 1
    by_id = {n.id: n for n in nodes}
    for node in reversed(nodes):  # leaves get numbers, parents their formula and the computed number
        kids = children.get(node.id, [])
        if not kids:
            base = round(rng.uniform(0.8, 1.2), 3)  # near 1, so deep products stay in a sensible range
            by_id[node.id] = node.model_copy(update={"baseline": base, "target": round(base * rng.uniform(1.0, 1.2), 3)})
            continue
        op = " + " if rng.random() < 0.33 else " * "
        values: list[float] = []
        targets: list[float] = []
        for k in kids:  # numbered before their parent (reversed: children come after it in nodes)
            kid = by_id[k]
            assert kid.baseline is not None and kid.target is not None, kid.id
            values.append(kid.baseline)
            targets.append(kid.target)
        combine = sum if op == " + " else _product
        by_id[node.id] = node.model_copy(update={"formula": op.join(kids), "baseline": combine(values), "target": combine(targets)})
    ordered = [by_id[n.id] for n in nodes]
    reviews = [ReviewMeeting(name=f"{c} review", cadence=c, kpis=[n.id for n in ordered[i::4]]) for i, c in enumerate(Cadence)]
    alerts = [Alert(kpi=n.id, when="red", channel="slack", to="#kpi", action="look") for n in ordered[1:20]]
    return Workshop(title=f"Generated {size}", language="ja", nodes=ordered, monitoring=Monitoring(reviews=reviews, alerts=alerts))


def weekly_actuals(ws: Workshop, weeks: int = 52, seed: int = 3) -> list[Actual]:
    """A year of weekly actuals for every KPI with a baseline."""
    rng = random.Random(seed)
    start = dt.date(2025, 11, 6)
    return [
        Actual(kpi=n.id, date=start + dt.timedelta(days=7 * w), value=round(n.baseline * (1 + rng.uniform(-0.1, 0.1)), 4))
        for n in ws.nodes
        if n.baseline is not None
        for w in range(weeks)
    ]


def _product(values: list[float]) -> float:
    out = 1.0
    for v in values:
        out *= v
    return out
