"""Views of a workshop the step and result pages show, worked out once per snapshot (ui.cache) and shared."""

from __future__ import annotations

import pandas as pd

from kpidesign import monitor, progress, review, tree
from kpidesign.findings import Finding
from kpidesign.io import image
from kpidesign.model import Workshop
from kpidesign.observations import Series, series_by_kpi
from kpidesign.redact import for_share
from kpidesign.values import format_value
from ui.cache import Snapshot, cached, stored_actuals, workshop, workshop_with_actuals
from ui.tables import blank


@cached()
def tagging_frame(snap: Snapshot) -> pd.DataFrame:
    """Every node's layer and speed, the names indented by depth."""
    rows = [(n, d) for n, d in tree.walk(workshop(snap)) if n.parent is not None]
    return pd.DataFrame(
        {
            "name": ["　" * (d - 1) + n.name for n, d in rows],
            "layer": [blank(n.layer) for n, _ in rows],
            "sensitivity": [blank(n.sensitivity) for n, _ in rows],
        }
    )


@cached()
def balance(snap: Snapshot) -> review.Balance:
    """How many KPIs of each layer and speed."""
    return review.balance(workshop(snap))


@cached()
def png_problem(snap: Snapshot) -> str | None:
    """Why the tree cannot be a PNG (too large, no renderer), or None."""
    return image.png_problem(workshop_with_actuals(snap), snap.language)  # the object the SVG preview draws: one layout


@cached(uses=("version",))
def threshold_findings(snap: Snapshot) -> list[Finding]:
    """Thresholds set the wrong way round for their direction (step 4 warns about each)."""
    return review.threshold_findings(workshop(snap))


@cached(uses=("version",))
def kpi_choices(snap: Snapshot) -> tuple[list[str], dict[str, str]]:
    """Node ids in tree order and their short names, for a KPI select."""
    order = [n for n, _ in tree.walk(workshop(snap))]
    return [n.id for n in order], {n.id: n.name[:80] for n in order}


@cached(uses=("version",))
def definition_sheet(snap: Snapshot) -> pd.DataFrame:
    """Step 4's whole sheet: one row per KPI in tree order, numbers formatted for typing over."""
    order = [n for n, _ in tree.walk(workshop(snap))]
    return pd.DataFrame(
        {
            "name": [n.name for n in order],
            "expression": [n.definition.expression for n in order],
            "numerator": [n.definition.numerator for n in order],
            "denominator": [n.definition.denominator for n in order],
            "period": [n.definition.period for n in order],
            "source": [n.definition.source for n in order],
            "frequency": [blank(n.definition.frequency) for n in order],
            "aggregation": [blank(n.definition.aggregation) for n in order],
            "owner": [n.definition.owner for n in order],
            "why": [n.definition.why for n in order],
            "comparisons": [[c.value for c in n.definition.comparisons] for n in order],
            "direction": [n.thresholds.direction.value for n in order],
            "green": [format_value(n.thresholds.green, n.unit) for n in order],
            "yellow": [format_value(n.thresholds.yellow, n.unit) for n in order],
            "baseline": [format_value(n.baseline, n.unit) for n in order],
            "target": [format_value(n.target, n.unit) for n in order],
        }
    )


@cached(uses=("version",))
def node_choices(snap: Snapshot) -> tuple[list[str], dict[str, str]]:
    """Node ids in tree order and their labels indented by level (the node picker of steps 2 and 3)."""
    rows = list(tree.walk(workshop(snap)))
    return [n.id for n, _ in rows], {n.id: "　" * d + ("└ " if d else "") + n.name[:60] for n, d in rows}


@cached(uses=("version",))
def placements(snap: Snapshot, node_id: str) -> tuple[set[str], list[str], dict[str, str]]:
    """A node's descendants, the nodes it may move under (tree order), and every node's short name."""
    ws = workshop(snap)
    below = tree.descendants(ws, node_id)
    parents = [n.id for n, _ in tree.walk(ws) if n.id != node_id and n.id not in below]
    return below, parents, {n.id: n.name[:60] for n in ws.nodes}


@cached(uses=("version",))
def node_ids(snap: Snapshot) -> frozenset[str]:
    """The ids of every node (what a click on the graph may name)."""
    return frozenset(n.id for n in workshop(snap).nodes)


@cached(uses=("actuals",), max_entries=16)
def actuals_index(snap: Snapshot) -> monitor.Index:
    """Every stored actual by KPI, once per revision of the actuals: an edit of the design does not change it (looked
    up by the KPIs of the version shown, so those of a deleted KPI are never read)."""
    return monitor.index_of(stored_actuals(snap))


@cached(uses=("version", "actuals"), max_entries=16)
def readings(snap: Snapshot) -> tuple[dict[str, monitor.Reading], monitor.Index]:
    """Every KPI's reading now and the actuals by KPI (the dashboard's, the share view's and the graph's)."""
    idx = actuals_index(snap)
    return monitor.readings(workshop_with_actuals(snap), idx), idx


@cached(uses=("version", "actuals"), max_entries=16)
def status_colours(snap: Snapshot) -> dict[str, str]:
    """Every KPI's status now, as the tree colours it."""
    return {k: r.status.value for k, r in readings(snap)[0].items()}


@cached(uses=("actuals",), max_entries=16)
def prior_periods(snap: Snapshot) -> monitor.PriorPeriods:
    """Each KPI's latest value against its prior period, kept per revision of the actuals (an edit of the design
    works out only the comparisons of a KPI whose frequency it changed)."""
    return monitor.PriorPeriods(actuals_index(snap))


@cached(uses=("actuals",), max_entries=16)
def series(snap: Snapshot) -> dict[str, Series]:
    """Every stored KPI's series at one revision of the actuals (an edit of the design does not change them; a KPI
    the version shown no longer has may be among them: look them up by the version's KPIs)."""
    return series_by_kpi(stored_actuals(snap))


def measured(snap: Snapshot) -> bool:
    """True when a KPI of the version shown has actuals."""
    found = series(snap)
    return any(n.id in found for n in workshop(snap).nodes)


@cached(uses=("version",))
def sheet_gaps(snap: Snapshot) -> list[progress.FieldGap]:
    """What step 4's sheet still lacks, field by field (how many KPIs, which)."""
    return progress.sheet_gaps(workshop(snap))


@cached(uses=("version", "actuals"))
def shared_copy(snap: Snapshot) -> Workshop:
    """The workshop as a share link may show it (kpidesign.redact.for_share: no recipients, queries or addresses), with
    its actuals: everything the share view draws, its tree's labels and its status table too, is read from it; worked
    out once per version and actuals, not on each viewer's refresh."""
    return for_share(workshop_with_actuals(snap))
