"""What each output page read, recorded while it is rendered (live preview only).

The live preview rewrites only the pages an edit can change. Instead of lists of the fields
each page shows, every page is rendered against a :class:`TrackedNetwork`, a view of the
:class:`~generator.graph.Network` that notes each read as a *token*:

``("r", kind, id, attr)``
    an attribute of one record (``attr`` ``""``: whether it exists; ``"*"``: anything of it,
    noted when a method of the record is called). The body text is the attribute ``body``.
``("k", kind)``
    the ids of a whole table, in order (a directory iterating every station notes this, and
    the fields it reads of each).
``("c", method, args)``, ``("m", name, key)``, ``("v", name)``, ``("f", path)``
    the result of a query of the network (``children_of``, ``projects_of``, …), of an entry of a
    derived map (a station's subtree size, the ledger rows of a station and year, an alias), of a
    whole value (the ledger rows, the editorial pages) or of a file beside the records
    (a case book's preface, by date and size): kept with the *shape* of the
    value read (records as (kind, id), their fields being tracked by the reads of the page).

After an edit, :func:`changed_tokens` compares the old and the new network: the attributes
that differ on edited records, every attribute of added and removed records, and each recorded
query whose value differs when asked of the new network (only queries made of what changed are
asked: :data:`QUERIES`, :data:`READ_BY_QUERIES`). The stale pages are those whose tokens meet
that set (:meth:`Deps.stale`), and pages that have no record yet. Nothing here runs in a normal
build: :class:`.builder.SiteBuilder` uses the tracking view only when ``config.preview`` is set.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ...cancel import checkpoint
from ...graph import Network
from ...model import Activity, Casebook, Record

Token = tuple
#: The shape of an entry a map does not have.
ABSENT = ("<absent>",)
#: Tables of the network, by record kind.
TABLES = {"station": "stations", "project": "projects", "person": "people", "case": "cases",
          "casebook": "casebooks"}

_local = threading.local()  # hubs are brought up to date in a thread of their own


@contextlib.contextmanager
def recording() -> Iterator[tuple[set, dict]]:
    """Collect the reads made inside the block (in this thread): (tokens, {value token: shape})."""
    stack = _local.__dict__.setdefault("stack", [])
    found: tuple[set, dict] = (set(), {})
    stack.append(found)
    try:
        yield found
    finally:
        stack.pop()
        if stack:  # a page rendered inside another still counts for the outer one
            stack[-1][0].update(found[0])
            stack[-1][1].update(found[1])


def note(token: Token, value: Any = None, *, shaped: bool = False) -> None:
    """Note a read; value tokens carry the shape of what was read."""
    local = _local.__dict__
    stack = local.get("stack")
    if stack:
        tokens, values = stack[-1]
        tokens.add(token)
        if shaped:
            values[token] = value
        # Pages are recorded under a live preview, where the 统计 and home pages and the nearby
        # data are rendered again in the background: a newer edit stops that work within a few
        # hundred reads instead of sharing the interpreter with it (generator.cancel).
        local["reads"] = reads = local.get("reads", 0) + 1
        if not reads & 255:
            checkpoint()


def key_of(rec: Any) -> tuple[str, Any]:
    return (rec.kind, rec.year if isinstance(rec, Casebook) else rec.id)


def shape(value: Any) -> Any:
    """A comparable form of a value read from the network: records by kind and id, ledger rows
    and anything else by value."""
    if isinstance(value, Tracked):
        value = value._rec
    if isinstance(value, Record):
        return key_of(value)
    if isinstance(value, Activity):
        return tuple(value.__dict__.values())
    if isinstance(value, (list, tuple)):
        return tuple(shape(v) for v in value)
    if isinstance(value, dict):
        return tuple((k, shape(v)) for k, v in value.items())
    if isinstance(value, (set, frozenset)):
        return frozenset(shape(v) for v in value)
    return value


# ----------------------------------------------------------------------------- the view


class Tracked:
    """A record whose attribute reads are noted."""

    __slots__ = ("_rec", "_key")

    def __init__(self, rec: Record):
        rec = plain(rec)
        object.__setattr__(self, "_rec", rec)
        object.__setattr__(self, "_key", key_of(rec))

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._rec, name)
        if callable(value) and not isinstance(value, type) and name not in type(self._rec).model_fields:
            note(("r", *self._key, "*"))  # a method: whatever it reads of the record
        else:
            note(("r", *self._key, name))
        return value

    @property
    def __class__(self):  # isinstance(x, Station) holds for a tracked station
        return type(self._rec)

    def __eq__(self, other: Any) -> bool:
        return self._rec == (other._rec if isinstance(other, Tracked) else other)

    def __hash__(self) -> int:
        return id(self._rec)

    def __repr__(self) -> str:
        return f"Tracked({self._rec!r})"


def wrap(value: Any) -> Any:
    """Records (also inside lists, tuples and dict values) as :class:`Tracked` views."""
    if isinstance(value, Record):
        return Tracked(value)
    if isinstance(value, list):
        return [wrap(v) for v in value]
    if isinstance(value, tuple):
        return tuple(wrap(v) for v in value)
    if isinstance(value, dict):
        return {k: wrap(v) for k, v in value.items()}
    return value


def plain(value: Any) -> Any:
    return value._rec if isinstance(value, Tracked) else value


class TrackedTable:
    """A table of records (``net.stations`` …): a lookup notes the record's existence, going
    over the whole table notes its ids."""

    def __init__(self, kind: str, table: dict):
        self.kind, self._t = kind, table

    def get(self, key: Any, default: Any = None) -> Any:
        note(("r", self.kind, key, ""))
        rec = self._t.get(key)
        return Tracked(rec) if rec is not None else default

    def __getitem__(self, key: Any) -> Any:
        note(("r", self.kind, key, ""))
        return Tracked(self._t[key])

    def __contains__(self, key: Any) -> bool:
        note(("r", self.kind, key, ""))
        return key in self._t

    def _all(self) -> None:
        note(("k", self.kind))

    def __iter__(self):
        self._all()
        return iter(self._t)

    def __len__(self) -> int:
        self._all()
        return len(self._t)

    def __bool__(self) -> bool:
        self._all()
        return bool(self._t)

    def keys(self):
        self._all()
        return self._t.keys()

    def values(self):
        self._all()
        return [Tracked(r) for r in self._t.values()]

    def items(self):
        self._all()
        return [(k, Tracked(r)) for k, r in self._t.items()]


class TrackedMap:
    """A map derived from the whole network (subtree sizes, ledger rows by station and year):
    each entry read is a value token, compared with the same map made from the next network."""

    def __init__(self, name: str, data: dict):
        self.name, self._t = name, data

    def _entry(self, key: Any) -> None:
        note(("m", self.name, key), shape(self._t.get(key, ABSENT)), shaped=True)

    def get(self, key: Any, default: Any = None) -> Any:
        self._entry(key)
        return wrap(self._t.get(key, default))

    def __getitem__(self, key: Any) -> Any:
        self._entry(key)
        return wrap(self._t[key])

    def __contains__(self, key: Any) -> bool:
        self._entry(key)
        return key in self._t

    def _all(self) -> dict:
        note(("m", self.name, "*"), shape(self._t), shaped=True)
        return self._t

    def __iter__(self):
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())

    def keys(self):
        return self._all().keys()

    def values(self):
        return wrap(list(self._all().values()))

    def items(self):
        return [(k, wrap(v)) for k, v in self._all().items()]


#: Network queries a page may ask (each is a value token), with what their answer is made of:
#: record kinds, ``alias`` (former ids) and ``ledger``. After an edit, only the queries made of
#: something that changed are asked again; None: always asked again.
_S, _A = "station", "alias"
QUERIES: dict[str, frozenset | None] = {
    "children_of": frozenset({_S}), "ancestors": frozenset({_S}), "descendants": frozenset({_S}),
    "subtree": frozenset({_S}), "stations_by_level": frozenset({_S}),
    "resolve": frozenset({_S, _A}), "successor": frozenset({_S, _A}), "canonical": frozenset({_A}),
    "projects_of": frozenset({"project", _A}), "people_of": frozenset({"person", _A}),
    "cases_of": frozenset({"case", _A}), "activities_of": frozenset({"ledger", _A}),
    "case_unit": frozenset({"case", _S}), "select_cases": frozenset({"case", "casebook"}),
    "chapters": frozenset({"case", "casebook"}), "all_records": None, "table": None,
}
#: Derived maps a page may read (see :func:`.context.derived`): name -> (how to make it from a
#: network and its configuration, what it is made of as in :data:`QUERIES`).
MAPS: dict[str, tuple[Callable[[Network, Any], dict], frozenset | None]] = {}
#: The fields of each kind that the queries and maps above read (``tests/test_preview_random.py``
#: runs them all over noted records and checks): an edit of other fields (a phone number, a
#: text) asks none of them again.
READ_BY_QUERIES: dict[str, frozenset[str]] = {
    "station": frozenset({"id", "parent", "level", "division_code", "name", "status", "merged_into",
                          "former_ids"}),
    "project": frozenset({"id", "station"}),
    "person": frozenset({"id", "station"}),
    "case": frozenset({"id", "year", "order", "stations", "unit", "tags", "category"}),
}
#: Whole values, as in :data:`QUERIES`.
_VALUES = {"activities": frozenset({"ledger"}), "pages": frozenset({"pages"}), "root_id": frozenset({"root"})}
MAPS["aliases"] = (lambda net, config: net.aliases, frozenset({_A}))


class TrackedNetwork:
    """The network as a page sees it while its reads are noted (see the module's doc)."""

    def __init__(self, net: Network):
        self.plain = net
        self.config = net.config
        self.stations = TrackedTable("station", net.stations)
        self.projects = TrackedTable("project", net.projects)
        self.people = TrackedTable("person", net.people)
        self.cases = TrackedTable("case", net.cases)
        self.casebooks = TrackedTable("casebook", net.casebooks)
        self.aliases = TrackedMap("aliases", net.aliases)
        self.maps: dict[str, TrackedMap] = {}

    def derived(self, name: str, make: Callable[[], dict]) -> TrackedMap:
        """A map made once from the plain network; pages read it entry by entry."""
        found = self.maps.get(name)
        if found is None:
            found = self.maps[name] = TrackedMap(name, make())
        return found

    @property
    def root_id(self) -> str | None:
        note(("v", "root_id"), self.plain.root_id, shaped=True)
        return self.plain.root_id

    @property
    def root(self) -> Any:
        return self.stations.get(self.root_id or "")

    @property
    def activities(self) -> list:
        rows = self.plain.activities
        note(("v", "activities"), shape(rows), shaped=True)
        return rows

    @property
    def pages(self) -> list:
        note(("v", "pages"), tuple(self.plain.pages), shaped=True)
        return self.plain.pages

    def __getattr__(self, name: str) -> Any:
        value = getattr(self.plain, name)
        if name in QUERIES:
            def query(*args: Any) -> Any:
                raw = [plain(a) for a in args]
                result = value(*raw)
                if not isinstance(result, (list, tuple, dict, str, int, type(None), Record)):
                    result = list(result)  # a generator
                note(("c", name, tuple(key_of(a) if isinstance(a, Record) else a for a in raw)), shape(result),
                     shaped=True)
                return wrap(result)
            return query
        if name.startswith("__"):
            raise AttributeError(name)
        note(("v", name), shape(value), shaped=True)
        return value


def untracked(net: Any) -> Network:
    return net.plain if isinstance(net, TrackedNetwork) else net


# ----------------------------------------------------------------------------- comparing


_ATTRS: dict[type, tuple[str, ...]] = {}


def _attrs(cls: type) -> tuple[str, ...]:
    """Every attribute of a record class a page may read: fields and properties."""
    found = _ATTRS.get(cls)
    if found is None:
        props = {n for c in cls.__mro__ for n, v in vars(c).items() if isinstance(v, property)
                 and not n.startswith("_") and not n.startswith("model_")}
        found = _ATTRS[cls] = tuple(sorted(set(cls.model_fields) | props | {"body", "path", "body_line"}))
    return found


def record_changes(a: Record, b: Record) -> set[str]:
    """The attributes that differ between two versions of one record ("*" when any does)."""
    out = {f for f in _attrs(type(a)) if getattr(a, f, None) != getattr(b, f, None)}
    extra_a, extra_b = a.model_extra or {}, b.model_extra or {}
    out |= {f for f in extra_a.keys() | extra_b.keys() if extra_a.get(f) != extra_b.get(f)}
    if out or a.__pydantic_private__ != b.__pydantic_private__:
        out.add("*")
    return out


def changed_tokens(old: Network, new: Network, values: dict[Token, Any], config: Any = None) -> set[Token] | None:
    """The tokens whose value differs between ``old`` and ``new``; None: anything may have changed."""
    if old.config is not new.config and old.config != new.config:
        return None
    out: set[Token] = set()
    kinds: set[str] = set()  # what changed, as in QUERIES
    for kind, attr in TABLES.items():
        a, b = getattr(old, attr), getattr(new, attr)
        if list(a) != list(b):
            out.add(("k", kind))
        for key in a.keys() | b.keys():
            ra, rb = a.get(key), b.get(key)
            if ra is rb:
                continue
            if ra is None or rb is None:
                kinds.add(kind)
                cls = type(ra if rb is None else rb)
                out.update(("r", kind, key, f) for f in ("", "*", *_attrs(cls)))
                out.update(("r", kind, key, f) for f in ((ra or rb).model_extra or {}))
                continue
            fields = record_changes(ra, rb)
            out.update(("r", kind, key, f) for f in fields)
            if fields and not fields.isdisjoint(READ_BY_QUERIES.get(kind, fields)):
                kinds.add(kind)
    if old.aliases != new.aliases:
        kinds.add(_A)
    if shape(old.activities) != shape(new.activities):
        kinds.add("ledger")
    if old.pages != new.pages:
        kinds.add("pages")
    if old.root_id != new.root_id:
        kinds.add("root")
    maps: dict[str, Any] = {}
    asked: dict[tuple, bool] = {}  # (what, name) -> whether such tokens are asked again
    for token, was in values.items():
        ask = asked.get(token[:2])
        if ask is None:
            made_of = _made_of(token)
            ask = asked[token[:2]] = made_of is None or not made_of.isdisjoint(kinds)
        if not ask:
            continue
        try:
            now = _evaluate(token, new, maps, config)
        except Exception:  # noqa: BLE001 - a query that fails now (a record gone): it changed
            out.add(token)
            continue
        if now != was:
            out.add(token)
    return out


def _made_of(token: Token) -> frozenset | None:
    what = token[0]
    if what == "c":
        return QUERIES.get(token[1])
    if what == "m":
        return MAPS[token[1]][1] if token[1] in MAPS else None
    if what == "v":
        return _VALUES.get(token[1])
    return None  # files: their date is looked at every time


def _evaluate(token: Token, net: Network, maps: dict, config: Any) -> Any:
    what = token[0]
    if what == "f":
        return stamp(Path(token[1]))
    if what == "v":
        name = token[1]
        if name == "pages":
            return tuple(net.pages)
        return shape(getattr(net, name))
    if what == "c":
        _, name, args = token
        raw = [_resolve(net, a) for a in args]
        result = getattr(net, name)(*raw)
        if not isinstance(result, (list, tuple, dict, str, int, type(None), Record)):
            result = list(result)
        return shape(result)
    if what == "m":
        _, name, key = token
        if name not in maps:
            maps[name] = MAPS[name][0](net, config)
        data = maps[name]
        return shape(data) if key == "*" else shape(data.get(key, ABSENT))
    raise KeyError(token)


def _resolve(net: Network, arg: Any) -> Any:
    if isinstance(arg, tuple) and len(arg) == 2 and arg[0] in TABLES:
        return getattr(net, TABLES[arg[0]])[arg[1]]
    return arg


def stamp(path: Path) -> tuple | None:
    """A file's date and size; None when it is missing."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size)


def read_file(path: Path) -> None:
    """Note that a page read a file outside the network (a case book's preface, afterword, cover)."""
    note(("f", str(path)), stamp(path), shaped=True)


# ----------------------------------------------------------------------------- pages


class Deps:
    """The reads of every page of the last preview build: page -> tokens, and the value of each
    value token. A page is a record job ``(kind, id)`` or a hub key (``"stats"``, ``"home"``…)."""

    def __init__(self) -> None:
        self.pages: dict[Any, frozenset] = {}
        self.values: dict[Token, Any] = {}
        self._last: tuple | None = None
        #: Bumped by :meth:`stale`: a page whose rendering began before (a hub brought up to date
        #: in the background while the next edit came) is not recorded as fresh.
        self.epoch = 0
        self._lock = threading.Lock()

    def __getstate__(self) -> dict:  # worker processes send theirs back
        return {"pages": self.pages, "values": self.values}

    def __setstate__(self, state: dict) -> None:
        self.__init__()
        self.pages, self.values = state["pages"], state["values"]

    def add(self, page: Any, found: tuple[set, dict], epoch: int | None = None) -> None:
        with self._lock:
            if epoch is None or epoch == self.epoch:
                self.pages[page] = frozenset(found[0])
                self.values.update(found[1])

    def merged(self, newer: Deps) -> Deps:
        out = Deps()
        with self._lock:
            out.pages = {**self.pages, **newer.pages}
            out.values = {**self.values, **newer.values}
        return out

    def stale(self, old: Network, new: Network, config: Any = None) -> Stale:
        """The pages an edit from ``old`` to ``new`` may change; their records are dropped here, so
        a page found stale stays stale until it is rendered (and recorded) again."""
        if self._last is not None and self._last[0] is old and self._last[1] is new:
            return self._last[2]  # asked again in the same rebuild
        with self._lock:
            self.epoch += 1
            values = dict(self.values)
        changed = changed_tokens(old, new, values, config)
        with self._lock:
            return self._drop(old, new, changed)

    def _drop(self, old: Network, new: Network, changed: set[Token] | None) -> Stale:
        if changed is None:
            self.pages.clear()
            out = Stale(None)
        else:
            for p in [p for p, tokens in self.pages.items() if not tokens.isdisjoint(changed)]:
                del self.pages[p]
            out = Stale(set(self.pages))
        self._last = (old, new, out)
        return out


class Stale:
    """Pages that need rendering again: those found stale, and any page without a record."""

    def __init__(self, fresh: set | None):
        self.fresh = fresh

    def __contains__(self, page: Any) -> bool:
        return self.fresh is None or page not in self.fresh

    @property
    def everything(self) -> bool:
        return self.fresh is None
