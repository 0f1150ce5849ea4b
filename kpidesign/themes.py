"""Themes: after a reveal, the ideas answering each node grouped by what they say, each theme labelled by its most
central idea, near-identical ideas suggested for merging; and the facilitator's edits of them (rename, move an idea,
make a theme a node).

No network and no model: ideas are compared by their character n-grams (scikit-learn's TfidfVectorizer,
analyzer="char_wb"), which reads Japanese (no spaces between words) and English alike, and grouped by average-linkage
agglomerative clustering cut at a cosine distance (scipy's linkage and fcluster: the algorithm of scikit-learn's
AgglomerativeClustering(linkage="average", distance_threshold=…), without importing sklearn.cluster).

Grouping is deterministic, so every reader (the console, the wall, the command line, an export) works out the same
themes from the same ideas. What the facilitator decided is kept (kpidesign.store.themes) and `update` starts from it:
kept themes keep their ideas, order and names; ideas revealed since join the kept theme they are close to, or form new
themes. Nothing here touches the database or Streamlit.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import math
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kpidesign import room as rules
from kpidesign.room import Idea, IdeaStatus
from kpidesign.values import Problem, clean_line

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

NGRAMS = (2, 3)  # character n-grams within words (Japanese: within the whole phrase); tuned on tests/test_themes.py's sets
THRESHOLD = 0.85  # average cosine distance below which two groups of ideas are one theme ...
THRESHOLD_WIDE = 0.9  # ... and for ideas written mostly in Japanese (short phrases share fewer n-grams)
SAME_TEXT = 0.9  # cosine of n-gram counts at or above which two ideas of a theme are near-identical (reordered) ...
SAME_CHARS = 0.85  # ... or their characters match this much in order (difflib): suggested for merging
MAX_LABEL = rules.MAX_IDEA  # a theme's name: what an idea may be
GROUPED = (IdeaStatus.REVEALED, IdeaStatus.ACCEPTED)  # what is grouped: what the room has seen (merged ones joined another)


@dataclass(frozen=True)
class Theme:
    """Ideas grouped under one label: its id (kept by the store), the ideas in the order sent, the node they answer
    ("" for none), whether the facilitator named it (else its label is its most central idea), the node it became, and
    pairs of near-identical ideas (idea, the earlier one it could merge into)."""

    id: int
    label: str
    ideas: tuple[int, ...]
    parent: str = ""
    named: bool = False
    node: str | None = None
    duplicates: tuple[tuple[int, int], ...] = ()


def groupable(ideas: Iterable[Idea]) -> list[Idea]:
    """The ideas themes group: those the room has seen (revealed, or made nodes after the reveal), in the order sent."""
    return sorted((i for i in ideas if i.status in GROUPED and i.seen), key=lambda i: i.id)


@functools.lru_cache(maxsize=4096)
def _normal(text: str) -> str:
    """Text as compared: NFKC (full-width letters and digits as half-width), lower case, punctuation as spaces."""
    folded = unicodedata.normalize("NFKC", text).lower()
    spaced = " ".join("".join(" " if unicodedata.category(c).startswith("P") else c for c in folded).split())
    return spaced or folded


def _key(text: str) -> str:
    """Text as a near-identical idea would have it: _normal without spaces."""
    return _normal(text).replace(" ", "")


def similarity(texts: Sequence[str]) -> NDArray[np.float64]:
    """Cosine similarities (0-1) of the texts' TF-IDF vectors of character n-grams; 1 on the diagonal."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    n = len(texts)
    if n == 0:
        return np.zeros((0, 0))
    try:
        vectors = TfidfVectorizer(analyzer="char_wb", ngram_range=NGRAMS, lowercase=False, sublinear_tf=True).fit_transform(
            [_normal(t) for t in texts]
        )
    except ValueError:  # not one n-gram in any text: nothing is alike
        return np.eye(n)
    sim: NDArray[np.float64] = np.asarray((vectors @ vectors.T).toarray(), dtype=np.float64)  # rows are unit vectors
    np.clip(sim, 0.0, 1.0, out=sim)
    np.fill_diagonal(sim, 1.0)
    return sim


def threshold(texts: Iterable[str]) -> float:
    """The distance at which themes are cut for these texts: THRESHOLD_WIDE when most characters are full-width."""
    chars = "".join(texts)
    wide = sum(1 for c in chars if unicodedata.east_asian_width(c) in ("W", "F"))
    return THRESHOLD_WIDE if chars and wide * 2 > len(chars) else THRESHOLD


def clusters(sim: NDArray[np.float64], cut: float = THRESHOLD) -> list[list[int]]:
    """Indices grouped by average-linkage clustering cut at a distance, each group in order, the groups by their first."""
    import numpy as np
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    n = len(sim)
    if n < 2:
        return [[i] for i in range(n)]
    distance = 1.0 - (sim + sim.T) / 2
    np.fill_diagonal(distance, 0.0)
    labels = fcluster(linkage(squareform(np.clip(distance, 0.0, 1.0), checks=False), method="average"), cut, criterion="distance")
    found: dict[int, list[int]] = {}
    for i, label in enumerate(labels):
        found.setdefault(int(label), []).append(i)
    return sorted(found.values(), key=lambda g: g[0])


def central(members: Sequence[int], sim: NDArray[np.float64]) -> int:
    """The member closest, on average, to the others (the first of equals): the idea that labels a theme."""
    if len(members) < 3:
        return members[0]
    block = sim[list(members)][:, list(members)]
    means = block.sum(axis=1)
    return members[int(means.argmax())]


@functools.lru_cache(maxsize=4096)
def _grams(text: str) -> tuple[dict[str, int], float]:
    """The text's character n-grams within words (as TfidfVectorizer's char_wb makes them) counted, and the vector's length."""
    counts: dict[str, int] = {}
    for word in _normal(text).split():
        padded = f" {word} "
        for n in range(NGRAMS[0], NGRAMS[1] + 1):
            for at in range(len(padded) - n + 1):
                counts[padded[at : at + n]] = counts.get(padded[at : at + n], 0) + 1
    return counts, math.sqrt(sum(v * v for v in counts.values()))


def near_identical(a: str, b: str) -> bool:
    """Whether two ideas say the same thing in (nearly) the same words: the same characters once case, width,
    punctuation and spaces are set aside, the same n-grams in another order (SAME_TEXT, whatever the other ideas), or
    their characters alike in order (SAME_CHARS)."""
    ka, kb = _key(a), _key(b)
    if ka == kb:
        return True
    (ga, la), (gb, lb) = _grams(a), _grams(b)
    if la and lb and sum(n * gb.get(g, 0) for g, n in ga.items()) / (la * lb) >= SAME_TEXT:
        return True
    matcher = difflib.SequenceMatcher(None, ka, kb, autojunk=False)
    return matcher.real_quick_ratio() >= SAME_CHARS and matcher.quick_ratio() >= SAME_CHARS and matcher.ratio() >= SAME_CHARS


def duplicates(members: Sequence[int], texts: Mapping[int, str] | Sequence[str]) -> list[tuple[int, int]]:
    """Near-identical pairs among the members (keys of texts): (later, the first earlier one it matches), each idea
    merged at most once and never into one itself suggested for merging."""
    firsts: list[int] = []
    same: dict[str, int] = {}  # the first idea of each exact key: identical ideas found at once
    pairs: list[tuple[int, int]] = []
    for m in members:
        key = _key(texts[m])
        into = same.get(key)
        if into is None:
            into = next((f for f in firsts if near_identical(texts[m], texts[f])), None)
        if into is None:
            firsts.append(m)
            same[key] = m
        else:
            pairs.append((m, into))
    return pairs


def update(stored: Sequence[Theme], ideas: Sequence[Idea]) -> list[Theme]:
    """The room's themes now: the stored ones (the facilitator's) kept with their ideas still grouped, ideas not in any
    joined to the closest kept theme of their node or grouped into new themes; labels, nodes and duplicates worked out."""
    pool = tuple((i.id, i.parent or "", i.text, i.status, i.node) for i in groupable(ideas))
    kept = tuple(dataclasses.replace(t, duplicates=()) for t in stored)
    return list(_update(kept, pool))


def group(ideas: Sequence[Idea]) -> list[Theme]:
    """The themes of these ideas from scratch (nothing kept)."""
    return update((), ideas)


Pooled = tuple[int, str, str, IdeaStatus, str | None]  # an idea as themes read it: id, parent ("" none), text, status, node


@functools.lru_cache(maxsize=32)
def _update(stored: tuple[Theme, ...], pool: tuple[Pooled, ...]) -> tuple[Theme, ...]:
    """update, once per set of kept themes and ideas (every reader of a room asks the same)."""
    ideas = {p[0]: p for p in pool}
    taken: set[int] = set()
    kept: list[Theme] = []
    for theme in stored:
        members = tuple(sorted(i for i in dict.fromkeys(theme.ideas) if i in ideas and i not in taken))
        taken.update(members)
        if members:
            kept.append(dataclasses.replace(theme, ideas=members, parent=ideas[members[0]][1]))
    homes = list(dict.fromkeys([*(t.parent for t in kept), *(p[1] for p in pool if p[0] not in taken)]))
    next_id = max((t.id for t in stored), default=0) + 1
    out: list[Theme] = []
    for home in homes:
        mine = [t for t in kept if t.parent == home]
        fresh = [p[0] for p in pool if p[0] not in taken and p[1] == home]
        ids = sorted({*(i for t in mine for i in t.ideas), *fresh})
        at = {idea: n for n, idea in enumerate(ids)}
        texts = [ideas[i][2] for i in ids]
        sim = similarity(texts)
        before = [[at[i] for i in t.ideas] for t in mine]  # new ideas are compared with the kept themes as they were
        grown = [list(m) for m in before]
        made: list[list[int]] = []
        new = [at[i] for i in fresh]
        cut = threshold(texts)
        for found in sorted(clusters(sim[new][:, new], cut), key=lambda g: (-len(g), g[0])):
            cluster = [new[g] for g in found]
            closest = _closest(cluster, before, sim, cut)
            if closest is None:
                made.append(cluster)
            else:
                grown[closest] += cluster
        for theme, those in zip(mine, grown, strict=True):
            out.append(_finish(theme, those, ids, ideas, sim))
        for those in made:
            out.append(_finish(Theme(next_id, "", (), home), those, ids, ideas, sim))
            next_id += 1
    return tuple(out)


def _closest(cluster: list[int], themes: list[list[int]], sim: NDArray[np.float64], cut: float) -> int | None:
    """The kept theme (its index) whose ideas are on average closest to the cluster's, if within the cut."""
    best, best_distance = None, cut
    for n, members in enumerate(themes):
        distance = 1.0 - float(sim[cluster][:, members].mean())
        if distance <= best_distance:
            best, best_distance = n, distance
    return best


def _finish(theme: Theme, members: list[int], ids: list[int], ideas: dict[int, Pooled], sim: NDArray[np.float64]) -> Theme:
    """A theme of these members (indices into ids and sim) with its ideas in order, its label (its most central idea
    unless named), its node while any of its ideas is that node's evidence, and its near-identical pairs."""
    index = sorted(members)  # ids are in order: so are their indices
    ordered = tuple(ids[m] for m in index)
    texts = {m: ideas[ids[m]][2] for m in index}
    label = theme.label if theme.named and theme.label else texts[central(index, sim)]
    evidence = any(ideas[i][3] is IdeaStatus.ACCEPTED and ideas[i][4] == theme.node for i in ordered)
    pairs = tuple((ids[a], ids[b]) for a, b in duplicates(index, texts))
    return dataclasses.replace(theme, label=label, ideas=ordered, node=theme.node if theme.node and evidence else None, duplicates=pairs)


def parse_label(text: str | None) -> str | Problem:
    """A theme's name as typed: one line, 1 to MAX_LABEL characters; else a Problem."""
    raw = text or ""
    if len(raw) > MAX_LABEL * 4:
        return Problem("theme_label_too_long", {"max": MAX_LABEL, "length": len(raw)})
    s = clean_line(raw).replace("\t", " ").strip()
    if not s:
        return Problem("theme_label_empty")
    if len(s) > MAX_LABEL:
        return Problem("theme_label_too_long", {"max": MAX_LABEL, "length": len(s)})
    return s


def _find(themes: Sequence[Theme], theme_id: int, expected: Sequence[int] | None) -> int | Problem:
    """Where a theme is in the list; theme_changed when it is gone or (expected given) no longer holds those ideas."""
    at = next((n for n, t in enumerate(themes) if t.id == theme_id), None)
    if at is None or (expected is not None and set(themes[at].ideas) != set(expected)):
        return Problem("theme_changed")
    return at


def rename(themes: Sequence[Theme], theme_id: int, label: str, expected: Sequence[int] | None = None) -> list[Theme] | Problem:
    """The themes with one renamed (named by the facilitator from now on)."""
    clean = parse_label(label)
    at = _find(themes, theme_id, expected)
    if isinstance(clean, Problem):
        return clean
    if isinstance(at, Problem):
        return at
    out = list(themes)
    out[at] = dataclasses.replace(out[at], label=clean, named=True)
    return out


def move(themes: Sequence[Theme], idea_id: int, to: int | None) -> list[Theme] | Problem:
    """The themes with one idea moved into another theme (to: its id), or into a theme of its own (to None); a theme
    left with no idea is gone."""
    source = next((n for n, t in enumerate(themes) if idea_id in t.ideas), None)
    if source is None:
        return Problem("theme_changed")
    target = None if to is None else _find(themes, to, None)
    if isinstance(target, Problem):
        return target
    if target == source:
        return list(themes)
    out = list(themes)
    left = tuple(i for i in out[source].ideas if i != idea_id)
    if target is None:
        out.insert(source + 1, Theme(max(t.id for t in themes) + 1, "", (idea_id,), out[source].parent))
    else:
        out[target] = dataclasses.replace(out[target], ideas=tuple(sorted((*out[target].ideas, idea_id))))
    out[source] = dataclasses.replace(out[source], ideas=left)
    return [t for t in out if t.ideas]


def made_node(themes: Sequence[Theme], theme_id: int, node: str, expected: Sequence[int] | None = None) -> list[Theme] | Problem:
    """The themes with one recorded as having become a node."""
    at = _find(themes, theme_id, expected)
    if isinstance(at, Problem):
        return at
    out = list(themes)
    out[at] = dataclasses.replace(out[at], node=node)
    return out


def vote_option(theme: Theme) -> str:
    """A theme as an option of a vote on themes: its label, within what an option may be (kpidesign.room.MAX_OPTION)."""
    return theme.label[: rules.MAX_OPTION]


def listing(themes: Iterable[Theme]) -> list[dict[str, object]]:
    """The themes as plain records (the command line's JSON): label and idea ids."""
    return [{"label": t.label, "ideas": list(t.ideas)} for t in themes]


def warm() -> None:
    """Import what grouping needs (scikit-learn and scipy take a second or more the first time), e.g. on a thread
    before the first reveal."""
    similarity(["a", "b"])
    clusters(similarity(["a", "b"]))
