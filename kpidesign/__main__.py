"""Command line: python -m kpidesign check | whatif | sensitivity | goalseek | list | import | export ..."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Sequence

from kpidesign import alerting, analysis, delivery, monitor
from kpidesign.findings import Severity
from kpidesign.i18n import finding_text
from kpidesign.io import files
from kpidesign.io.yaml_io import from_yaml
from kpidesign.model import Workshop
from kpidesign.review import PRINCIPLES, review
from kpidesign.status import status_word
from kpidesign.store import Store
from kpidesign.values import format_number


class UsageError(Exception):
    """A command line that cannot be carried out (exit status 2)."""


def load(path: str) -> Workshop:
    """Read a workshop from a kpidesign YAML file, or raise UsageError with every finding."""
    try:
        text = Path(path).read_bytes()
    except OSError as e:
        raise UsageError(f"{path}: {e.strerror}") from None
    result = from_yaml(text)
    if result.workshop is None:
        raise UsageError("\n".join(f"{path}: {finding_text(f, 'en')}" for f in result.findings))
    return result.workshop


FAIL_ON = {"error": (Severity.ERROR,), "warning": (Severity.ERROR, Severity.WARNING)}


def cmd_check(args: argparse.Namespace) -> int:
    """Design review; exit 1 when a finding is at or above --fail-on (errors by default)."""
    ws = load(args.file)
    r = review(ws)
    if args.json:
        print(json.dumps({
            "scores": {p: r.score(p) for p in PRINCIPLES},
            "findings": [{"severity": f.severity.value, "code": f.code, "node": f.node, "principle": f.params.get("principle"),
                          "message": finding_text(f, args.lang)} for f in r.findings],
        }, ensure_ascii=False, indent=2))
    else:
        for p in PRINCIPLES:
            print(f"{p:<11} {r.score(p):>3}")
        for f in r.findings:
            print(f"{f.severity.value:<7} {f.params.get('principle', ''):<11} {f.node or '-':<20} {finding_text(f, args.lang)}")
    failing = FAIL_ON[args.fail_on]
    return 1 if any(f.severity in failing for f in r.findings) else 0


def cmd_whatif(args: argparse.Namespace) -> int:
    """Apply --set NODE=+10% / NODE=120 changes and print the KGI before and after."""
    ws = load(args.file)
    model = analysis.TreeModel(ws)
    changes = {}
    for item in args.set or []:
        node, _, change = item.partition("=")
        if node not in model.values or not change:
            raise UsageError(f"--set {item}: expected NODE=+10% or NODE=VALUE with a node id of the file")
        try:
            changes[node] = analysis.parse_change(change, model.values[node])
        except ValueError:
            raise UsageError(f"--set {item}: cannot read {change!r}") from None
    result = analysis.what_if(ws, changes)
    out = {"kgi": ws.kgi.id, "before": result.kgi_before, "after": result.kgi_after, "change": result.kgi_change,
           "set": changes, "values": result.values}
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        change = f"{result.kgi_change:+.2%}" if result.kgi_change is not None else "?"
        print(f"{ws.kgi.name}: {format_number(result.kgi_before)} -> {format_number(result.kgi_after)} ({change})")
    return 0


def cmd_sensitivity(args: argparse.Namespace) -> int:
    """Rank the levers by the KGI's change for +1 % and +10 %."""
    ws = load(args.file)
    levers = analysis.sensitivity(ws)
    names = {n.id: n.name for n in ws.nodes}
    if args.json:
        print(json.dumps([{"node": lv.node, "name": names[lv.node], "value": lv.value, "kgi_change_1": lv.kgi_change_1,
                           "kgi_change_10": lv.kgi_change_10, "kgi_change_minus_10": lv.kgi_change_minus_10, "elasticity": lv.elasticity, "kgi_change_at_target": lv.kgi_change_at_target}
                          for lv in levers], ensure_ascii=False, indent=2))
        return 0
    print(f"{'node':<24} {'+1%':>9} {'+10%':>9} {'at target':>10}")
    for lv in levers:
        at = f"{lv.kgi_change_at_target:+.2%}" if lv.kgi_change_at_target is not None else "-"
        print(f"{lv.node:<24} {lv.kgi_change_1:+9.3%} {lv.kgi_change_10:+9.2%} {at:>10}")
    best = analysis.kfs(ws)
    if best:
        print(f"KFS candidate: {best.node} ({names[best.node]})")
    return 0


def cmd_goalseek(args: argparse.Namespace) -> int:
    """The value a node must reach for the KGI to hit its target."""
    ws = load(args.file)
    if args.node not in {n.id for n in ws.nodes}:
        raise UsageError(f"{args.node}: no such node")
    g = analysis.goal_seek(ws, args.node, args.target)
    if args.json:
        print(json.dumps({"node": g.node, "current": g.current, "needed": g.needed, "kgi_target": g.kgi_target, "possible": g.possible}))
    elif g.possible:
        print(f"{g.node}: {format_number(g.current)} -> {format_number(g.needed)} for {ws.kgi.id} = {format_number(g.kgi_target)}")
    else:
        print(f"{g.node}: impossible, no value of this node alone brings {ws.kgi.id} to {format_number(g.kgi_target)}")
    return 0 if g.possible else 1


def _store(args: argparse.Namespace) -> Store:
    return Store(args.db) if args.db else Store()


def _find(store: Store, key: str) -> str:
    """A workshop id from an id or an exact title."""
    matches = [s.id for s in store.workshops() if key in (s.id, s.title)]
    if len(matches) != 1:
        raise UsageError(f"{key}: {'no workshop' if not matches else 'several workshops'} with this id or title (see: python -m kpidesign list)")
    return matches[0]


def cmd_list(args: argparse.Namespace) -> int:
    """Every workshop in the database."""
    rows = _store(args).workshops()
    if args.json:
        print(json.dumps([s.__dict__ for s in rows], ensure_ascii=False, indent=2))
    for s in [] if args.json else rows:
        print(f"{s.id}  v{s.version:<4} {s.steps_done}/5  {s.updated_at}  {s.title}")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    """Create a workshop from a YAML or Excel file; the database is untouched when the file is refused."""
    try:
        data = Path(args.file).read_bytes()
    except OSError as e:
        raise UsageError(f"{args.file}: {e.strerror}") from None
    result = files.read(args.file, data)
    if result.workshop is None:
        raise UsageError("\n".join(f"{args.file}: {finding_text(f, args.lang)}" for f in result.findings))
    wid = _store(args).create(result.workshop, summary=f"imported {Path(args.file).name}")
    for f in result.findings:
        print(f"{args.file}: {finding_text(f, args.lang)}", file=sys.stderr)
    print(wid)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Write a workshop in one format."""
    store = _store(args)
    wid = _find(store, args.workshop)
    ws = store.with_actuals(store.load(wid).workshop, wid)
    out = files.export(ws, args.format, args.lang or ws.language)
    if out is None:
        raise UsageError("png: no renderer here (pip install pillow and a CJK font such as Debian's fonts-noto-cjk); use --format svg")
    Path(args.output).write_bytes(out.data)
    print(f"{args.output} ({len(out.data):,} bytes)")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    """Every KPI's value, status and comparisons from the file's actuals."""
    ws = load(args.file)
    now = monitor.readings(ws)
    rows = []
    for node in ws.nodes:
        r = now[node.id]
        comparisons = {k: {"other": c.other, "delta": c.delta, "ratio": c.ratio} for k, c in monitor.compare(ws, node.id).items()}
        rows.append({"kpi": node.id, "name": node.name, "value": r.value, "basis": r.basis, "date": r.date.isoformat() if r.date else None,
                     "status": status_word(r.value, node.thresholds), "comparisons": comparisons})
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    for row in rows:
        print(f"{row['status']:<7} {row['kpi']:<24} {format_number(row['value']) or '-':>16} {row['date'] or '':<10} {row['basis'] or ''}")
    return 0


def cmd_alerts(args: argparse.Namespace) -> int:
    """List the alerts that fire now; with --send, deliver each new one once (for cron)."""
    store = _store(args)
    wid = _find(store, args.workshop)
    outcomes = alerting.run(store, wid, delivery.Settings.from_env(), send=args.send)
    for o in outcomes:
        a = o.firing.alert
        print(f"{o.state:<12} {a.kpi:<20} {o.firing.status.value:<6} {o.firing.date} {a.channel.value}:{a.to}  {a.action}  {o.detail}")
    return 1 if any(o.state == "failed" for o in outcomes) else 0


def parser() -> argparse.ArgumentParser:
    """The command line's arguments."""
    p = argparse.ArgumentParser(prog="python -m kpidesign", description="KPI design workshop tools")
    sub = p.add_subparsers(dest="command", required=True)
    for name, fn, help_ in [("check", cmd_check, "design review (exit 1 on errors)"), ("whatif", cmd_whatif, "change nodes, see the KGI"),
                            ("sensitivity", cmd_sensitivity, "rank the levers (KFS)"), ("goalseek", cmd_goalseek, "value needed to hit the KGI target")]:
        s = sub.add_parser(name, help=help_)
        s.add_argument("file", help="a kpidesign YAML file")
        s.add_argument("--json", action="store_true", help="machine-readable output")
        s.add_argument("--lang", choices=["en", "ja"], default="en")
        s.set_defaults(fn=fn)
        if name == "whatif":
            s.add_argument("--set", action="append", metavar="NODE=CHANGE", help="e.g. cvr=+10%% or price=3000 (repeatable)")
        if name == "check":
            s.add_argument("--fail-on", choices=list(FAIL_ON), default="error",
                           help="exit 1 when a finding is at this level or above (default: error); 0 otherwise, 2 when the file cannot be read")
        if name == "goalseek":
            s.add_argument("node")
            s.add_argument("--target", type=float, default=None, help="KGI value to reach (default: the KGI's target)")
    s = sub.add_parser("status", help="every KPI's status from the file's actuals")
    s.add_argument("file")
    s.add_argument("--json", action="store_true")
    s.set_defaults(fn=cmd_status)
    s = sub.add_parser("alerts", help="alerts that fire now; --send delivers new ones (Slack/SMTP from the environment)")
    s.add_argument("workshop", help="id or exact title")
    s.add_argument("--send", action="store_true")
    s.add_argument("--db")
    s.set_defaults(fn=cmd_alerts)
    s = sub.add_parser("list", help="the workshops in the database")
    s.add_argument("--db", help="database file (default: $KPIDESIGN_DB or data/kpidesign.db)")
    s.add_argument("--json", action="store_true")
    s.set_defaults(fn=cmd_list)
    s = sub.add_parser("import", help="create a workshop from a .yaml or .xlsx file")
    s.add_argument("file")
    s.add_argument("--db")
    s.add_argument("--lang", choices=["en", "ja"], default="en")
    s.set_defaults(fn=cmd_import)
    s = sub.add_parser("export", help="write a workshop as xlsx, yaml, metricflow, svg or png")
    s.add_argument("workshop", help="id or exact title")
    s.add_argument("--format", "-f", choices=files.FORMATS, required=True)
    s.add_argument("--output", "-o", required=True)
    s.add_argument("--db")
    s.add_argument("--lang", choices=["en", "ja"], help="language of sheet and column names (default: the workshop's own)")
    s.set_defaults(fn=cmd_export)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = parser().parse_args(argv)
    try:
        return args.fn(args)
    except UsageError as e:
        print(str(e), file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
