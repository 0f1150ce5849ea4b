"""Command line: python -m kpidesign check | whatif | sensitivity | goalseek | list | import | export ..."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from kpidesign import actuals, alerting, analysis, delivery, monitor
from kpidesign import room as room_rules
from kpidesign import themes as theme_rules
from kpidesign.backup import BackupError
from kpidesign.findings import Finding, Severity
from kpidesign.i18n import finding_text, problem_text, t
from kpidesign.io import dbt, files, lightdash
from kpidesign.io.yaml_io import from_yaml
from kpidesign.language import Language
from kpidesign.model import Actual, Workshop
from kpidesign.progress import steps_done
from kpidesign.review import PRINCIPLES, review
from kpidesign.settings import Settings, UnreadableSecrets
from kpidesign.store import DatabaseUrlError, NewerSchemaError, Store
from kpidesign.values import Problem, format_number, format_value


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


def to_json(value: object, indent: int | None = 2) -> str:
    """Strict JSON (RFC 8259, what any parser reads): a non-finite number (an overflow, a ratio to zero) is written as null."""
    return json.dumps(_finite(value), ensure_ascii=False, indent=indent, allow_nan=False)


def _finite(value: object) -> object:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def finite_float(text: str) -> float:
    """A command-line number that must be finite (argparse type)."""
    value = float(text)
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text}: not a finite number")
    return value


def cmd_check(args: argparse.Namespace) -> int:
    """Design review; exit 1 when a finding is at or above --fail-on (errors by default)."""
    ws = load(args.file)
    r = review(ws)
    if args.json:
        print(
            to_json(
                {
                    "scores": {p: r.score(p) for p in PRINCIPLES},
                    "findings": [
                        {
                            "severity": f.severity.value,
                            "code": f.code,
                            "node": f.node,
                            "principle": f.params.get("principle"),
                            "message": finding_text(f, args.lang),
                        }
                        for f in r.findings
                    ],
                }
            )
        )
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
    out = {
        "kgi": ws.kgi.id,
        "before": result.kgi_before,
        "after": result.kgi_after,
        "change": result.kgi_change,
        "set": changes,
        "values": result.values,
    }
    if args.json:
        print(to_json(out))
    else:
        change = f"{result.kgi_change:+.2%}" if result.kgi_change is not None else "?"
        print(f"{ws.kgi.name}: {format_number(result.kgi_before)} -> {format_number(result.kgi_after)} ({change})")
    return 0


def cmd_sensitivity(args: argparse.Namespace) -> int:
    """Rank the levers by the KGI's change for +1 % and +10 %."""
    ws = load(args.file)
    levers = analysis.rank_levers(ws)
    names = {n.id: n.name for n in ws.nodes}
    if args.json:
        print(
            to_json(
                [
                    {
                        "node": lv.node,
                        "name": names[lv.node],
                        "value": lv.value,
                        "kgi_change_1": lv.kgi_change_1,
                        "kgi_change_10": lv.kgi_change_10,
                        "kgi_change_minus_10": lv.kgi_change_minus_10,
                        "elasticity": lv.elasticity,
                        "kgi_change_at_target": lv.kgi_change_at_target,
                    }
                    for lv in levers
                ]
            )
        )
        return 0
    print(f"{'node':<24} {'+1%':>9} {'+10%':>9} {'at target':>10}")
    for lv in levers:
        at = f"{lv.kgi_change_at_target:+.2%}" if lv.kgi_change_at_target is not None else "-"
        print(f"{lv.node:<24} {lv.kgi_change_1:+9.3%} {lv.kgi_change_10:+9.2%} {at:>10}")
    best = analysis.kfs(ws)
    if best:
        ties = analysis.tied_with_first(levers)
        tied = f"; tied at +1% with {', '.join(lv.node for lv in ties)}, ahead by its effect at its own target" if ties else ""
        print(f"KFS candidate: {best.node} ({names[best.node]}){tied}")
    return 0


def cmd_goalseek(args: argparse.Namespace) -> int:
    """The value a node must reach for the KGI to hit its target."""
    ws = load(args.file)
    if args.node not in {n.id for n in ws.nodes}:
        raise UsageError(f"{args.node}: no such node")
    g = analysis.goal_seek(ws, args.node, args.target)
    if args.json:
        print(
            to_json(
                {"node": g.node, "current": g.current, "needed": g.needed, "kgi_target": g.kgi_target, "possible": g.possible}, indent=None
            )
        )
    elif g.possible:
        print(f"{g.node}: {format_number(g.current)} -> {format_number(g.needed)} for {ws.kgi.id} = {format_number(g.kgi_target)}")
    elif g.needed is not None:
        unit = ws.node(args.node).unit
        print(
            f"{g.node}: impossible, {ws.kgi.id} = {format_number(g.kgi_target)} would need {format_value(g.needed, unit)}, outside what {unit} allows"
        )
    else:
        print(f"{g.node}: impossible, no value of this node alone brings {ws.kgi.id} to {format_number(g.kgi_target)}")
    return 0 if g.possible else 1


def _store(args: argparse.Namespace) -> Store:
    return Store(args.db or None, steps_done=steps_done)


def _find(store: Store, key: str) -> str:
    """A workshop id from an id or an exact title."""
    matches = [s.id for s in store.workshops() if key in (s.id, s.title)]
    if len(matches) != 1:
        raise UsageError(
            f"{key}: {'no workshop' if not matches else 'several workshops'} with this id or title (see: python -m kpidesign list)"
        )
    return matches[0]


def cmd_list(args: argparse.Namespace) -> int:
    """Every workshop in the database."""
    rows = _store(args).workshops()
    if args.json:
        print(to_json([s.__dict__ for s in rows]))
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


def cmd_actuals(args: argparse.Namespace) -> int:
    """Load actual values from a CSV or Excel file, as the dashboard's upload does: bad rows listed, good ones kept; exit 1 if the file is refused."""
    store = _store(args)
    wid = _find(store, args.workshop)
    try:
        data = Path(args.file).read_bytes()
    except OSError as e:
        raise UsageError(f"{args.file}: {e.strerror}") from None
    ws = store.load(wid).workshop
    lang = ws.language
    rows, problem = actuals.read_table(args.file, data)
    if problem:
        print(f"{args.file}: {problem_text(problem, lang)}", file=sys.stderr)
        return 1
    good, bad = actuals.parse_rows(ws, rows)
    if bad:
        print(t("rows_refused", lang, count=len(bad)))
    for b in bad:
        print(f"{t('row', lang)} {b.row}{f' ({b.column})' if b.column else ''}: {problem_text(b.problem, lang)}")
    if good:
        store.actuals.add(wid, good)
    print(t("actuals_added", lang, count=len(good)))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Write a workshop in one format."""
    store = _store(args)
    wid = _find(store, args.workshop)
    ws = store.with_room(store.actuals.attach(store.load(wid).workshop, wid), wid)
    if args.format != "dbt" and (args.prefix or args.no_time_spine):
        raise UsageError("--prefix and --no-time-spine are for --format dbt")
    if args.format == "dbt":
        try:
            written = dbt.write(ws, Path(args.output), args.prefix or "", time_spine=not args.no_time_spine)
        except ValueError:
            raise UsageError(f"--prefix {args.prefix!r}: lower-case letters, digits and single underscores, a letter first") from None
        except OSError as e:
            raise UsageError(f"{args.output}: {e.strerror or e}") from None
        for path in written:
            print(path)
        return 0
    out = files.export(ws, args.format, args.lang or ws.language)
    if out is None:
        raise UsageError("png: no renderer here (pip install pillow and a CJK font such as Debian's fonts-noto-cjk); use --format svg")
    try:
        Path(args.output).write_bytes(out.data)
    except OSError as e:  # a folder that is not there, a file that cannot be written: a message, never a traceback
        raise UsageError(f"{args.output}: {e.strerror or e}") from None
    print(f"{args.output} ({len(out.data):,} bytes)")
    if args.format == "lightdash":  # the Spotlight categories its metrics use, declared where Lightdash reads them
        config = Path(args.output).parent / lightdash.CONFIG
        try:
            config.write_text(lightdash.to_config(ws, config.read_text(encoding="utf-8") if config.exists() else ""), encoding="utf-8")
        except (ValueError, UnicodeDecodeError) as e:
            raise UsageError(f"{config}: not changed, it cannot be read as Lightdash's project config ({e})") from None
        print(config)
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    """Every KPI's value, status and comparisons from the file's actuals."""
    ws = load(args.file)
    now = monitor.readings(ws)
    words = monitor.status_words(ws, now)
    rows: list[dict[str, Any]] = []
    for node in ws.nodes:
        r = now[node.id]
        comparisons = {
            k: {
                "other": c.other,
                "delta": c.delta,
                "ratio": c.ratio,
                "date": c.date.isoformat() if c.date else None,  # the date of the value compared with (prior period or year)
                "period": c.period.value if c.period else None,  # the prior period's length: stated, or the data's own
                "from_data": c.from_data,  # the stated frequency had no observation: the data's own previous period
            }
            for k, c in monitor.compare(ws, node.id).items()
        }
        rows.append(
            {
                "kpi": node.id,
                "name": node.name,
                "value": r.value,
                "basis": r.basis,
                "date": r.date.isoformat() if r.date else None,
                "status": words[node.id],
                "comparisons": comparisons,
            }
        )
    if args.json:
        print(to_json(rows))
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
    return 1 if any(o.state is alerting.Delivery.FAILED for o in outcomes) else 0


def cmd_refresh(args: argparse.Namespace) -> int:
    """Run every KPI's query and store what it returned (a new actuals revision); exit 1 when any query failed (for cron)."""
    from kpidesign import connectors

    store = _store(args)
    wid = _find(store, args.workshop)
    ws = store.load(wid).workshop
    try:
        settings = Settings.load()  # the environment and both secrets files, as the app reads them
    except UnreadableSecrets as e:
        raise UsageError(problem_text(Problem("secrets_unreadable", {"detail": e.detail}), "en")) from None
    kept: list[Actual] = []
    failed = 0
    for o in connectors.refresh(ws, settings):
        if o.problem is not None:
            failed += 1
            print(f"failed  {o.kpi:<24} {o.connection or '-':<14} {problem_text(o.problem, 'en')}")
            continue
        kept += o.actuals
        print(f"loaded  {o.kpi:<24} {o.connection:<14} {len(o.actuals)} rows ({o.seconds:.2f} s)")
        for r in o.refused:
            print(f"          row {r.row}: {problem_text(r.problem, 'en')}")
    if not connectors.kpis_with_queries(ws):
        print("no KPI of this workshop has a query (definition: query and connection)", file=sys.stderr)
    if kept:
        store.actuals.add(wid, kept)
    return 1 if failed else 0


def _reasons_json(findings: list[Finding], lang: Language) -> list[dict[str, Any]]:
    """Findings as JSON objects: severity, code, node, params and the sentence in the chosen language (to_json makes it strict)."""
    return [
        {"severity": f.severity.value, "code": f.code, "node": f.node, "params": dict(f.params), "message": finding_text(f, lang)}
        for f in findings
    ]


def _date_arg(text: str, flag: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{flag} {text}: expected a date such as 2026-03-31") from None


def cmd_explain(args: argparse.Namespace) -> int:
    """Why a node (the KGI by default) moved between two dates, split through the formulas; exit 1 when it has no change."""
    from kpidesign import explain  # numpy and scipy load only for the commands that need them

    ws = load(args.file)
    if args.node is not None and args.node not in {n.id for n in ws.nodes}:
        raise UsageError(f"{args.node}: no such node")
    e = explain.explain(ws, _date_arg(args.date_from, "--from"), _date_arg(args.date_to, "--to"), args.node)
    if args.json:
        print(
            to_json(
                {
                    "node": e.node,
                    "from": e.value_from,
                    "to": e.value_to,
                    "change": e.change,
                    "contributions": [
                        {
                            "node": c.node,
                            "parent": c.parent,
                            "contribution": c.contribution,
                            "depth": c.depth,
                            "value_from": c.value_from,
                            "value_to": c.value_to,
                        }
                        for c in e.contributions
                    ],
                    "date_from": e.date_from.isoformat(),
                    "date_to": e.date_to.isoformat(),
                    "unit": ws.node(e.node).unit,
                    "influences": [
                        {"node": i.node, "parent": i.parent, "from": i.value_from, "to": i.value_to, "change": i.change}
                        for i in e.influences
                    ],
                    "reasons": _reasons_json(e.findings, args.lang),
                }
            )
        )
        return 0 if e.change is not None else 1
    print(
        f"{e.node}: {format_number(e.value_from) or '-'} ({e.date_from}) -> {format_number(e.value_to) or '-'} ({e.date_to}), "
        f"change {format_number(e.change) or '-'}"
    )
    if e.contributions:
        print(f"{'node':<32} {'parent':<20} {'contribution':>16} {'share':>8}")
    for c in e.contributions:
        share = f"{c.contribution / e.change:+.1%}" if e.change else "-"
        print(f"{'  ' * (c.depth - 1) + c.node:<32} {c.parent:<20} {format_number(c.contribution):>16} {share:>8}")
    for i in e.influences:
        print(f"influence {i.node} (on {i.parent}): {format_number(i.value_from) or '-'} -> {format_number(i.value_to) or '-'}")
    for f in e.findings:
        print(f"{f.severity.value:<7} {f.node or '-':<20} {finding_text(f, args.lang)}")
    return 0 if e.change is not None else 1


def cmd_links(args: argparse.Namespace) -> int:
    """Whether each parent-child link holds in the actuals (correlation of changes at lags 0-6, child leading)."""
    from kpidesign import links as learning_links

    ws = load(args.file)
    report = learning_links.links(ws)
    rows = [
        {
            "parent": lk.parent,
            "child": lk.child,
            "kind": lk.kind,
            "correlation": lk.correlation,
            "lag": lk.lag,
            "verdict": lk.verdict.value,
            "n": lk.n,
            "p_value": lk.p_value,
            "expected_sign": lk.expected_sign,
            "frequency": lk.frequency.value if lk.frequency else None,
            "reason": _reasons_json([lk.reason], args.lang)[0] if lk.reason else None,
        }
        for lk in report.links
    ]
    if args.json:
        print(to_json({"links": rows, "findings": _reasons_json(report.findings, args.lang)}))
        return 0
    print(f"{'parent':<20} {'child':<20} {'kind':<9} {'verdict':<17} {'r':>6} {'lag':>3} {'n':>4}")
    for row, lk in zip(rows, report.links):
        r = f"{row['correlation']:+.2f}" if row["correlation"] is not None else "-"
        lag = row["lag"] if row["lag"] is not None else "-"
        why = f"  {finding_text(lk.reason, args.lang)}" if lk.reason else ""
        print(f"{row['parent']:<20} {row['child']:<20} {row['kind']:<9} {row['verdict']:<17} {r:>6} {lag:>3} {row['n']:>4}{why}")
    for f in report.findings:
        print(f"{f.severity.value:<7} {f.node or '-':<20} {finding_text(f, args.lang)}")
    return 0


def cmd_forecast(args: argparse.Namespace) -> int:
    """Each KPI's trend projected to the deadline with an 80 % interval: on_track, at_risk or off_track."""
    from kpidesign import forecast

    ws = load(args.file)
    rows: list[dict[str, Any]] = []
    for fc in forecast.forecasts(ws):
        rows.append(
            {
                "kpi": fc.kpi,
                "at": fc.at.isoformat() if fc.at else None,
                "projected": fc.projected,
                "low": fc.low,
                "high": fc.high,
                "target": fc.target,
                "verdict": fc.verdict.value if fc.verdict else None,
                "needed_per_period": fc.needed_per_period,
                "latest": fc.latest,
                "latest_date": fc.latest_date.isoformat() if fc.latest_date else None,
                "periods_left": fc.periods_left,
                "slope_per_period": fc.slope_per_period,
                "n": fc.n,
                "method": fc.method,
                "reasons": _reasons_json(fc.findings, args.lang),
            }
        )
    if args.json:
        print(to_json({"forecasts": rows}))
        return 0
    print(f"{'kpi':<24} {'verdict':<10} {'projected':>14} {'80% interval':>31} {'target':>14} {'needed/period':>14}  at")
    for row in rows:
        band = f"{format_number(row['low'])} .. {format_number(row['high'])}" if row["low"] is not None else "-"
        print(
            f"{row['kpi']:<24} {row['verdict'] or '-':<10} {format_number(row['projected']) or '-':>14} {band:>31} "
            f"{format_number(row['target']) or '-':>14} {format_number(row['needed_per_period']) or '-':>14}  {row['at'] or '-'}"
        )
        for reason in row["reasons"]:
            print(f"    {reason['severity']:<7} {reason['message']}")
    return 0


def _db_path(args: argparse.Namespace) -> Path:
    from kpidesign.store import default_path

    return Path(args.db) if args.db else default_path()


def _postgres_url(args: argparse.Namespace) -> str | None:
    """The PostgreSQL database the store is in (--db given as a URL, else the setting), or None for an SQLite file."""
    from kpidesign.store import postgres
    from kpidesign.store.base import database_url

    if args.db:
        return str(args.db) if postgres.is_url(args.db) else None
    return database_url()


def cmd_backup(args: argparse.Namespace) -> int:
    """Copy the database with SQLite's online backup API (safe while the app saves); exit 1 when the copy cannot be written.
    On PostgreSQL nothing is copied: the message names pg_dump (exit 2)."""
    from kpidesign import backup
    from kpidesign.store import postgres

    url = _postgres_url(args)
    if url:
        raise backup.postgres_refused("backup", postgres.describe(url))
    copy = backup.backup(_db_path(args), Path(args.to))
    print(f"{copy.path} ({copy.size:,} bytes, schema {copy.schema}, {copy.workshops} workshops, {copy.versions} versions, integrity ok)")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    """Replace the database with a checked backup, keeping the replaced file beside it; refused while the database is in use.
    On PostgreSQL nothing is replaced: the message names pg_restore (exit 2)."""
    from kpidesign import backup
    from kpidesign.store import postgres

    url = _postgres_url(args)
    if url:
        raise backup.postgres_refused("restore", postgres.describe(url))
    db = _db_path(args)
    checked, kept = backup.restore(Path(args.file), db, force=args.force)
    print(f"{db} restored from {checked.path} (schema {checked.schema}, {checked.workshops} workshops, {checked.versions} versions)")
    if kept:
        print(f"the replaced database is kept as {kept}")
    return 0


def cmd_compact(args: argparse.Namespace) -> int:
    """Remove all but the last --keep versions of each workshop (never the current one), then VACUUM; print the bytes.
    On PostgreSQL the versions are removed and the space left to autovacuum (the files do not shrink): it says so."""
    from kpidesign import backup
    from kpidesign.store import postgres

    url = _postgres_url(args)
    if url:
        removed = backup.compact_postgres(url, args.keep)
        print(
            f"{removed} versions removed from {postgres.describe(url)}; PostgreSQL reuses their space for new rows "
            "(autovacuum): the database does not shrink on disk (VACUUM FULL would, locking every table while it runs)"
        )
        return 0
    done = backup.compact(_db_path(args), args.keep)
    print(f"{done.versions_removed} versions removed; {done.bytes_before:,} -> {done.bytes_after:,} bytes")
    return 0


def _room_tallies(store: Store, wid: str) -> Counter[int]:
    votes = store.votes.all(wid)
    return room_rules.idea_votes(votes, [store.votes.tally(v, wid) for v in votes])


def cmd_room(args: argparse.Namespace) -> int:
    """Open or close a workshop's room (participant mode), or list the ideas its participants sent, or their themes."""
    store = _store(args)
    wid = _find(store, args.workshop)
    if args.action == "open":
        token = store.rooms.open(wid, anonymous=not args.named if args.named else None)
        print(room_rules.join_address(token, Settings.load(secrets={}).base_url))  # the environment's KPIDESIGN_BASE_URL
        print("the token is shown only now; `room close` ends every participant's access", file=sys.stderr)
        return 0
    if args.action == "close":
        store.rooms.close(wid)
        print("closed")
        return 0
    if args.action == "themes":
        found = store.themes.all(wid)
        if args.json:
            print(to_json({"themes": theme_rules.listing(found)}))
            return 0
        for t in found:
            print(
                f"{t.parent or '-'}  {t.label}  ({len(t.ideas)}: {' '.join(str(i) for i in t.ideas)})"
                + (f"  -> {t.node}" if t.node else "")
            )
        return 0
    room = store.rooms.get(wid)
    shown = [i for i in store.rooms.ideas(wid) if not i.muted]  # a muted participant's ideas are listed nowhere
    rows = room_rules.listing(shown, room.anonymous if room else True, _room_tallies(store, wid))
    if args.json:
        print(to_json({"ideas": rows}))
        return 0
    for r in rows:
        print(
            f"{r['id']:>5}  {r['status']:<9} {r['votes']:>3}  {r['parent'] or '-'}  {r['text']}"
            + (f"  ({r['author']})" if r["author"] else "")
        )
    return 0


def parser() -> argparse.ArgumentParser:
    """The command line's arguments."""
    p = argparse.ArgumentParser(prog="python -m kpidesign", description="KPI design workshop tools")
    sub = p.add_subparsers(dest="command", required=True)
    for name, fn, help_ in [
        ("check", cmd_check, "design review (exit 1 on errors)"),
        ("whatif", cmd_whatif, "change nodes, see the KGI"),
        ("sensitivity", cmd_sensitivity, "rank the levers (KFS)"),
        ("goalseek", cmd_goalseek, "value needed to hit the KGI target"),
    ]:
        s = sub.add_parser(name, help=help_)
        s.add_argument("file", help="a kpidesign YAML file")
        s.add_argument("--json", action="store_true", help="machine-readable output")
        s.add_argument("--lang", choices=["en", "ja"], default="en")
        s.set_defaults(fn=fn)
        if name == "whatif":
            s.add_argument("--set", action="append", metavar="NODE=CHANGE", help="e.g. cvr=+10%% or price=3000 (repeatable)")
        if name == "check":
            s.add_argument(
                "--fail-on",
                choices=list(FAIL_ON),
                default="error",
                help="exit 1 when a finding is at this level or above (default: error); 0 otherwise, 2 when the file cannot be read",
            )
        if name == "goalseek":
            s.add_argument("node")
            s.add_argument("--target", type=finite_float, default=None, help="KGI value to reach (default: the KGI's target)")
    s = sub.add_parser("status", help="every KPI's status from the file's actuals")
    s.add_argument("file")
    s.add_argument("--json", action="store_true")
    s.set_defaults(fn=cmd_status)
    s = sub.add_parser("alerts", help="alerts that fire now; --send delivers new ones (Slack/SMTP from the environment)")
    s.add_argument("workshop", help="id or exact title")
    s.add_argument("--send", action="store_true")
    s.add_argument("--db")
    s.set_defaults(fn=cmd_alerts)
    s = sub.add_parser("refresh", help="run every KPI's SQL query and store the actuals it returns (exit 1 if any query failed)")
    s.add_argument("workshop", help="id or exact title")
    s.add_argument("--db")
    s.set_defaults(fn=cmd_refresh)
    s = sub.add_parser(
        "actuals", help="load actual values from a .csv or .xlsx file (bad rows listed, good ones kept; exit 1 if the file is refused)"
    )
    s.add_argument("workshop", help="id or exact title")
    s.add_argument("file", help="kpi, date, value[, market] columns, or a KPI × date grid (as the dashboard's upload)")
    s.add_argument("--db")
    s.set_defaults(fn=cmd_actuals)
    s = sub.add_parser("list", help="the workshops in the database")
    s.add_argument(
        "--db", help="database file or postgresql:// URL (default: $KPIDESIGN_DATABASE_URL, else $KPIDESIGN_DB or data/kpidesign.db)"
    )
    s.add_argument("--json", action="store_true")
    s.set_defaults(fn=cmd_list)
    s = sub.add_parser("import", help="create a workshop from a .yaml or .xlsx file")
    s.add_argument("file")
    s.add_argument("--db")
    s.add_argument("--lang", choices=["en", "ja"], default="en")
    s.set_defaults(fn=cmd_import)
    s = sub.add_parser(
        "export", help="write a workshop as xlsx, yaml, metricflow, dbt (a folder), lightdash, svg, png or html (the summary to send)"
    )
    s.add_argument("workshop", help="id or exact title")
    s.add_argument("--format", "-f", choices=files.FORMATS, required=True)
    s.add_argument("--output", "-o", required=True, help="the file written (for dbt: the folder)")
    s.add_argument("--prefix", help="dbt: name every metric, measure, semantic model and model PREFIX_… (several workshops in one project)")
    s.add_argument("--no-time-spine", action="store_true", help="dbt: leave out the time spine model (the project has one)")
    s.add_argument("--db")
    s.add_argument(
        "--lang", choices=["en", "ja"], help="language of sheet and column names, and of the summary (default: the workshop's own)"
    )
    s.set_defaults(fn=cmd_export)
    s = sub.add_parser("explain", help="why a node moved between two dates, split through the formulas")
    s.add_argument("file")
    s.add_argument("--from", dest="date_from", required=True, metavar="DATE")
    s.add_argument("--to", dest="date_to", required=True, metavar="DATE")
    s.add_argument("--node", help="node to explain (default: the KGI)")
    s.add_argument("--json", action="store_true")
    s.add_argument("--lang", choices=["en", "ja"], default="en")
    s.set_defaults(fn=cmd_explain)
    for name, fn, help_ in [
        ("links", cmd_links, "do the tree's links hold in the actuals?"),
        ("forecast", cmd_forecast, "is each target reachable by the deadline?"),
    ]:
        s = sub.add_parser(name, help=help_)
        s.add_argument("file")
        s.add_argument("--json", action="store_true")
        s.add_argument("--lang", choices=["en", "ja"], default="en")
        s.set_defaults(fn=fn)
    s = sub.add_parser("backup", help="copy the database while the app runs (SQLite's online backup API), checked")
    s.add_argument("--to", required=True, metavar="FILE", help="the copy (its folder must exist; written whole or not at all)")
    s.add_argument(
        "--db", help="database file or postgresql:// URL (default: $KPIDESIGN_DATABASE_URL, else $KPIDESIGN_DB or data/kpidesign.db)"
    )
    s.set_defaults(fn=cmd_backup)
    s = sub.add_parser("restore", help="replace the database with a checked backup (the replaced file is kept beside it)")
    s.add_argument("file", help="a backup made by `backup`")
    s.add_argument("--db")
    s.add_argument("--force", action="store_true", help="replace it even though another process has it open")
    s.set_defaults(fn=cmd_restore)
    s = sub.add_parser("room", help="participant mode: open or close a workshop's room, list the ideas sent or their themes")
    s.add_argument("action", choices=["open", "close", "ideas", "themes"])
    s.add_argument("workshop", help="id or exact title")
    s.add_argument("--db")
    s.add_argument("--json", action="store_true", help="ideas, themes: machine-readable output")
    s.add_argument("--named", action="store_true", help="open: show ideas with their authors' names (default: anonymous)")
    s.set_defaults(fn=cmd_room)
    s = sub.add_parser("compact", help="remove old versions (never the current one), then VACUUM")
    s.add_argument("--keep", type=int, default=100, metavar="N", help="versions kept per workshop (default 100)")
    s.add_argument("--db")
    s.set_defaults(fn=cmd_compact)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = parser().parse_args(argv)
    command: Callable[[argparse.Namespace], int] = args.fn
    try:
        return command(args)
    except UsageError as e:
        print(str(e), file=sys.stderr)
        return 2
    except BackupError as e:
        print(str(e), file=sys.stderr)
        return e.code
    except (NewerSchemaError, DatabaseUrlError) as e:
        print(str(e), file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
