"""Which record pages an edit may touch: the old and the new network compared.

Used by the live preview (``mkdocs serve``) to rewrite only those pages. Records of
unchanged files are the very same objects in both networks (the loader reuses them),
so a changed record is one whose object differs. From each changed record the pages
that show any of it are followed, in the old network and in the new one (a station
that moves away changes its old parent's page and its new parent's page). The answer
only has to hold every page that changed: the builder still compares each candidate's
key and rewrites only what differs.
"""

from __future__ import annotations

from functools import cached_property

from ...graph import Network
from ...kinds import KINDS, PAGE_KINDS

Job = tuple[str, str]
_TABLES = tuple((k, KINDS[k].folder) for k in PAGE_KINDS)
#: Station fields that other pages show (crumbs, lists, links, contact fallbacks).
_SHOWN = ("name", "short_name", "parent", "level", "status", "merged_into", "former_ids", "display_name",
          "summary", "phone", "hours", "open_day", "address")


class Diff:
    """What differs between two loads of a network. A rebuild asks several questions of the
    same pair (pages to rewrite, index pages to redo, photos to publish): each part of the
    answer is computed once."""

    def __init__(self, old: Network, new: Network):
        self.old, self.new = old, new

    @cached_property
    def ids(self) -> dict[str, set[str]]:
        """Ids per record kind whose record was added, removed or edited."""
        out: dict[str, set[str]] = {}
        for kind, attr in _TABLES:
            a, b = getattr(self.old, attr), getattr(self.new, attr)
            out[kind] = {i for i in a.keys() | b.keys() if a.get(i) is not b.get(i)}
        return out

    @cached_property
    def ledger_rows(self) -> list:
        """Ledger rows added or removed (ledgers are read again on every load: compared by value)."""
        before, after = _rows(self.old), _rows(self.new)
        return [before.get(k) or after.get(k) for k in before.keys() ^ after.keys()]

    @cached_property
    def casebooks(self) -> bool:
        """Whether a case book, or a file beside one, changed."""
        return _casebooks_key(self.old) != _casebooks_key(self.new)


_LAST: list[Diff] = []


def diff(old: Network, new: Network) -> Diff:
    """The :class:`Diff` of ``old`` and ``new``; the last one is kept for the next question."""
    if _LAST and _LAST[0].old is old and _LAST[0].new is new:
        return _LAST[0]
    _LAST[:] = [Diff(old, new)]
    return _LAST[0]


def changed_records(old: Network, new: Network) -> list:
    """The records of ``new`` that were added or edited since ``old`` (case books if they changed)."""
    d = diff(old, new)
    tables = {kind: getattr(new, attr) for kind, attr in _TABLES}
    out = [tables[kind][i] for kind, ids in d.ids.items() for i in sorted(ids) if i in tables[kind]]
    if d.casebooks:
        out.extend(new.casebooks.values())
    return out


def _shown_changed(old: Network, new: Network, sid: str) -> bool:
    a, b = old.stations.get(sid), new.stations.get(sid)
    if a is None or b is None:
        return True
    return any(getattr(a, f, None) != getattr(b, f, None) for f in _SHOWN)


def candidates(old: Network, new: Network) -> set[Job] | None:
    """Record pages (kind, id) that may differ between ``old`` and ``new``; None: assume all."""
    if old.root_id != new.root_id or old.config is not new.config and old.config != new.config:
        return None
    d = diff(old, new)
    changed = d.ids
    out: set[Job] = set()
    stations = set(changed["station"])
    # Ledger lines show on their station's page and count in its ancestors' checklists.
    for act in d.ledger_rows:
        stations.add(old.canonical(act.station))
        stations.add(new.canonical(act.station))
    if d.casebooks:
        out.update(("case", c) for c in new.cases)  # case pages name the books that print them
    if old.aliases != new.aliases:
        for alias in old.aliases.keys() | new.aliases.keys():
            if old.aliases.get(alias) != new.aliases.get(alias):
                stations.update(s for s in (old.aliases.get(alias), new.aliases.get(alias)) if s)
                out.add(("moved", alias))
                out.add(("station", alias))
    for net in (old, new):
        merged = _merged(net)
        for sid in stations:
            _station_pages(net, sid, out, deep=_shown_changed(old, new, sid), merged=merged)
        for pid in changed["project"]:
            out.add(("project", pid))
            p = net.projects.get(pid)
            if p is not None:
                _station_and_up(net, p.station, out)
        for pid in changed["person"]:
            out.add(("person", pid))
            p = net.people.get(pid)
            if p is not None and p.station:
                _station_and_up(net, p.station, out)
        for cid in changed["case"]:
            out.add(("case", cid))
            c = net.cases.get(cid)
            if c is None:
                continue
            for sid in c.stations:
                _station_and_up(net, sid, out)
            # project pages list the cases of their station and the cases sharing a tag
            tags = set(c.tags)
            owners = {net.canonical(s) for s in c.stations}
            for p in net.projects.values():
                if set(p.tags) & tags or net.canonical(p.station) in owners:
                    out.add(("project", p.id))
    out.update(("moved", alias) for alias in new.aliases if alias not in new.stations)
    return out


def _casebooks_key(net: Network) -> tuple:
    """Case books by value, and the files beside them (prefaces, afterwords, covers) by date and size:
    case books are read again on every load."""
    books = tuple((year, book.model_dump_json()) for year, book in sorted(net.casebooks.items()))
    folder = net.config.content_path / "casebooks"
    files = []
    if folder.is_dir():
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                st = path.stat()
                files.append((path.as_posix(), st.st_mtime_ns, st.st_size))
    return books, tuple(files)


def _rows(net: Network) -> dict[tuple, object]:
    """Ledger rows by value."""
    return {(a.path, a.row, a.date, a.station, a.title, a.category, a.participants, a.volunteers, a.hours): a
            for a in net.activities}


def _merged(net: Network) -> dict[str, list[str]]:
    """Station id -> ids of the stations merged into it."""
    out: dict[str, list[str]] = {}
    for s in net.stations.values():
        if s.merged_into:
            out.setdefault(s.merged_into, []).append(s.id)
    return out


def _station_and_up(net: Network, sid: str, out: set[Job]) -> None:
    """A station's page and its ancestors' (their checklists count what lies below)."""
    st = net.resolve(sid)
    if st is None:
        return
    out.add(("station", st.id))
    out.update(("station", a.id) for a in net.ancestors(st.id))


def _station_pages(net: Network, sid: str, out: set[Job], *, deep: bool, merged: dict[str, list[str]]) -> None:
    """Every page that shows something of station ``sid`` in ``net``."""
    st = net.stations.get(sid)
    if st is None:
        return
    _station_and_up(net, sid, out)
    out.update(("station", m) for m in merged.get(sid, ()))  # stations merged into it, and its successor
    if st.merged_into:
        out.add(("station", st.merged_into))
    if deep:  # its name, level or status shows below it (crumbs, contact fallbacks) and on linked records
        out.update(("station", d.id) for d in net.descendants(sid))
        out.update(("project", p.id) for p in net.projects_of(sid))
        out.update(("person", p.id) for p in net.people_of(sid))
        out.update(("case", c.id) for c in net.cases_of(sid))
    # other pages always show these (summaries in lists, counts)
    out.update(("project", p.id) for p in net.projects_of(sid))


#: Station fields that directory lists show.
_LISTED = ("name", "short_name", "parent", "level", "status", "merged_into", "phone", "region", "former_ids")
#: What each hub page shows, as areas of :func:`hub_areas`; hubs not named here are always rendered.
HUB_NEEDS: dict[str, frozenset[str]] = {
    "stations": frozenset({"station-listed"}),
    "regions": frozenset({"station-listed"}),
    "nearby": frozenset({"station-listed"}),
    "level:": frozenset({"station-listed"}),
    "region:": frozenset({"station-listed"}),
    "projects": frozenset({"project", "station-listed"}),
    "people": frozenset({"person", "station-listed"}),
    "cases": frozenset({"case", "casebook", "station-listed"}),
    "casebooks": frozenset({"case", "casebook", "station-listed"}),
    "casebook:": frozenset({"case", "casebook", "station-listed"}),
    "stats": frozenset({"station", "station-listed", "project", "person", "case", "casebook", "ledger"}),
    "home": frozenset({"station", "station-listed", "project", "person", "case", "casebook", "ledger"}),
}


def hub_areas(old: Network, new: Network) -> set[str] | None:
    """What changed, as the areas hub pages depend on; None when anything may have changed.

    ``station`` (any field but the body), ``station-listed`` (a field directory lists show,
    or a station added or removed), ``project``, ``person``, ``case``, ``casebook``, ``ledger``.
    An edit of a record's body text changes no hub.
    """
    if old.pages != new.pages or old.root_id != new.root_id or old.aliases != new.aliases:
        return None
    d = diff(old, new)
    areas: set[str] = set()
    for (kind, attr), ids in zip(_TABLES, d.ids.values()):
        a_table, b_table = getattr(old, attr), getattr(new, attr)
        for i in ids:
            a, b = a_table.get(i), b_table.get(i)
            if a is None or b is None:
                areas |= {kind, f"{kind}-listed"}
                continue
            # The body text is not a model field: an edit of it alone changes no field here.
            fields = {f for f in type(a).model_fields if getattr(a, f, None) != getattr(b, f, None)}
            if fields or kind == "case":  # case texts are printed in the web editions
                areas.add(kind)
            if kind == "station" and fields & set(_LISTED):
                areas.add("station-listed")
    if d.ledger_rows:
        areas.add("ledger")
    if d.casebooks:
        areas.add("casebook")
    return areas


def hub_needs(key: str) -> frozenset[str] | None:
    """The areas hub ``key`` depends on; None: render it every time."""
    if key in HUB_NEEDS:
        return HUB_NEEDS[key]
    prefix = key.split(":", 1)[0] + ":"
    return HUB_NEEDS.get(prefix) if ":" in key else None
