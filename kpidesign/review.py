"""Design review of a workshop, as findings tied to nodes and to the method's principles."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from kpidesign.findings import Finding, Severity
from kpidesign.model import Direction, Layer, Node, Sensitivity, Workshop


def threshold_order(node: Node) -> Finding | None:
    """A warning when green and yellow are in the wrong order for the node's direction."""
    th = node.thresholds
    if th.green is None or th.yellow is None or th.green == th.yellow:
        return None
    wrong = th.green < th.yellow if th.direction is Direction.HIGHER_IS_BETTER else th.green > th.yellow
    if not wrong:
        return None
    return Finding(Severity.WARNING, "threshold_order", node.id, {"direction": th.direction.value, "green": th.green, "yellow": th.yellow})


def threshold_findings(ws: Workshop) -> list[Finding]:
    """Threshold warnings for every node."""
    return [f for f in (threshold_order(n) for n in ws.nodes) if f is not None]


@dataclass(frozen=True)
class Balance:
    """How many KPIs (KGI excluded) sit in each layer and each speed."""

    layers: dict[str, int]
    speeds: dict[str, int]

    @property
    def missing_layers(self) -> list[str]:
        """Layers with no indicator at all."""
        return [layer.value for layer in Layer if self.layers.get(layer.value, 0) == 0]

    @property
    def one_speed_only(self) -> bool:
        """True when tagged indicators are all fast or all slow."""
        high, low = self.speeds.get("high", 0), self.speeds.get("low", 0)
        return (high + low) > 0 and (high == 0 or low == 0)


def balance(ws: Workshop) -> Balance:
    """Count the KPIs by layer (leading/intermediate/lagging/untagged) and by sensitivity."""
    kpis = [n for n in ws.nodes if n.parent is not None]
    layers = Counter(n.layer.value if n.layer else "untagged" for n in kpis)
    speeds = Counter(n.sensitivity.value for n in kpis if n.sensitivity)
    return Balance(
        {key: layers[key] for key in [*(layer.value for layer in Layer), "untagged"]},
        {key: speeds[key] for key in (speed.value for speed in Sensitivity)},
    )
