"""A room's themes (kpidesign.themes): what the facilitator kept of them, and the room's themes now.

store.themes.all(wid) -> the themes now (the kept ones brought up to date with the ideas: kpidesign.themes.update),
.regroup(wid) (keep them as they are now: after a reveal), .rename / .move / .make_node (the facilitator's edits,
each in one write transaction on top of the themes as they are inside it). Every write bumps the room's revision
(kpidesign.store.rooms), and reads are cached by it. SQL is portable (PostgreSQL runs it too).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from kpidesign import themes as rules
from kpidesign.model import RoomTheme
from kpidesign.room import IdeaStatus
from kpidesign.store.base import Connection, Noun
from kpidesign.store.base import now as _now
from kpidesign.store.engine import Sql
from kpidesign.store.rooms import UNDECIDED, Rooms
from kpidesign.themes import Theme
from kpidesign.values import EditError, Problem

Change = Callable[[list[Theme]], list[Theme] | Problem]


class Themes(Noun):
    """The themes of each workshop's room."""

    def __init__(self, conn: Connection, rooms: Rooms) -> None:
        super().__init__(conn)
        self.rooms = rooms

    def stored(self, workshop_id: str) -> tuple[Theme, ...]:
        """The themes as last kept (their ideas as they were then), in their order."""
        members: dict[int, list[int]] = {}
        for idea, theme in self.db.execute(
            "select idea_id, theme_id from room_theme_ideas where workshop_id = ? order by idea_id", (workshop_id,)
        ).fetchall():
            members.setdefault(int(theme), []).append(int(idea))
        rows = self.db.execute(
            "select id, label, named, node from room_themes where workshop_id = ? order by position, id", (workshop_id,)
        ).fetchall()
        return tuple(Theme(int(r[0]), r[1], tuple(members.get(int(r[0]), ())), named=bool(r[2]), node=r[3]) for r in rows)

    def all(self, workshop_id: str) -> list[Theme]:
        """The room's themes now: the kept ones with the ideas revealed since placed (read once per room revision)."""
        return list(
            self.rooms.cached(
                workshop_id, ("themes",), lambda: tuple(rules.update(self.stored(workshop_id), self.rooms.ideas(workshop_id)))
            )
        )

    def _keep(self, conn: Sql, workshop_id: str, themes: Sequence[Theme]) -> None:
        """Replace what is kept with these themes, in this order."""
        conn.execute("delete from room_theme_ideas where workshop_id = ?", (workshop_id,))
        conn.execute("delete from room_themes where workshop_id = ?", (workshop_id,))
        conn.executemany(
            "insert into room_themes (workshop_id, id, label, named, node, position) values (?,?,?,?,?,?)",
            [(workshop_id, t.id, t.label, int(t.named), t.node, n) for n, t in enumerate(themes)],
        )
        conn.executemany(
            "insert into room_theme_ideas (workshop_id, idea_id, theme_id) values (?,?,?)",
            [(workshop_id, i, t.id) for t in themes for i in t.ideas],
        )
        self.rooms.touch(conn, workshop_id)

    def _edit(self, workshop_id: str, change: Change) -> list[Theme]:
        """Apply a change to the themes as they are inside one write transaction and keep the result (EditError when
        it is refused: nothing changes)."""
        with self._write() as conn:
            now = rules.update(self.stored(workshop_id), self.rooms.ideas(workshop_id))
            changed = change(now)
            if isinstance(changed, Problem):
                raise EditError(changed)
            self._keep(conn, workshop_id, changed)
            return changed

    def regroup(self, workshop_id: str) -> int:
        """Keep the themes as they are now (after a reveal: the new ideas placed); how many themes."""
        return len(self._edit(workshop_id, lambda now: now))

    def rename(self, workshop_id: str, theme_id: int, label: str, ideas: Sequence[int] | None = None) -> None:
        """Name a theme (EditError for a name refused, or a theme gone or no longer holding `ideas`, what was shown)."""
        self._edit(workshop_id, lambda now: rules.rename(now, theme_id, label, ideas))

    def move(self, workshop_id: str, idea_id: int, to: int | None) -> None:
        """Move an idea into another theme (to: its id), or into one of its own (None)."""
        self._edit(workshop_id, lambda now: rules.move(now, idea_id, to))

    def make_node(self, workshop_id: str, theme_id: int, node: str, ideas: Sequence[int] | None = None) -> int:
        """Record that a theme became a node (the node itself is added by an ordinary, versioned edit): its ideas still
        undecided become that node's evidence (accepted, as the inbox's "make nodes" records them), in the same
        transaction; how many."""
        done = 0

        def change(now: list[Theme]) -> list[Theme] | Problem:
            nonlocal done
            made = rules.made_node(now, theme_id, node, ideas)
            if isinstance(made, Problem):
                return made
            theme = next(t for t in made if t.id == theme_id)
            conn = self.db  # inside _edit's write transaction: its connection
            done = sum(
                conn.execute(
                    "update room_ideas set decided_from = status, status = ?, node = ?, updated_at = ? "
                    f"where id = ? and workshop_id = ? and status in {UNDECIDED}",
                    (IdeaStatus.ACCEPTED.value, node, _now(), idea, workshop_id),
                ).rowcount
                for idea in theme.ideas
            )
            return made

        self._edit(workshop_id, change)
        return done

    def records(self, workshop_id: str, label: Mapping[int, str]) -> list[RoomTheme]:
        """The themes as exported: their ideas named as the record names them (label: idea id -> "i1"…); an idea the
        record leaves out is left out, and a theme left with none."""
        out = []
        for theme in self.all(workshop_id):
            named = [label[i] for i in theme.ideas if i in label]
            if named:
                out.append(RoomTheme.model_construct(label=theme.label, ideas=named, node=theme.node))
        return out


def insert_themes(
    conn: Sql, workshop_id: str, themes: Sequence[RoomTheme], ids: Mapping[str, int], texts: Mapping[str, str] | None = None
) -> None:
    """An imported room's themes (ids maps the file's idea ids to the stored ones; texts: the file's idea ids to their
    texts). A label that is the text of one of the theme's own ideas was its most central idea, not a name the
    facilitator gave: it is kept as worked out, so it follows that idea (muted, held) as in the room it came from;
    any other label is kept as named."""
    said = texts or {}
    kept = [
        Theme(
            n,
            t.label,
            tuple(dict.fromkeys(ids[i] for i in t.ideas if i in ids)),
            named=t.label not in {said.get(i) for i in t.ideas},
            node=t.node,
        )
        for n, t in enumerate(themes, start=1)
    ]
    conn.executemany(
        "insert into room_themes (workshop_id, id, label, named, node, position) values (?,?,?,?,?,?)",
        [(workshop_id, t.id, t.label, int(t.named), t.node, t.id) for t in kept],
    )
    conn.executemany(
        "insert into room_theme_ideas (workshop_id, idea_id, theme_id) values (?,?,?)",
        [(workshop_id, i, t.id) for t in kept for i in t.ideas],
    )
