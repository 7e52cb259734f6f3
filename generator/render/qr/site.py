"""The QR part of the site: light contact pages ``s/{id}/``, their images, and the lock file.

``check_lock`` runs before anything is written (a build that would drop a printed
URL fails); ``write_qr_site`` writes every page and image, then adds new URLs to
the lock file (it never removes one: an editor does that by hand, on purpose).
"""

from __future__ import annotations

import functools
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import jinja2

from ... import theme
from ...config import Config, filing
from ...errors import Problem, did_you_mean
from ...geo import map_links
from ...model import Level, Status, tel_uri
from ...parallel import FreshPool, can_fork, chunked_map, worker_count
from ..site.util import phone_html
from . import QrImages, density_problem, draw_chunk, fill_chunk, qr_url, short_url, symbol_version

LOCK_HEADER = (
    "# 已发布的二维码地址(由构建自动追加,请随内容一起提交;已印出的地址不能删除)\n"
    "# Published QR URLs (appended by the build; commit it with the content; a printed URL must never go)\n"
    "# 格式 format: id<TAB>url\n"
)
MAX_PAGE_BYTES = 30 * 1024
#: Contact pages per job of a worker process.
QR_CHUNK = 250


# ----------------------------------------------------------------------------- lock file


def read_lock(config: Config) -> list[tuple[int, str, str]]:
    """(line number, id, url) for every entry of the lock file; empty when there is none."""
    path = config.lock_path
    try:
        data = path.read_bytes()
    except OSError:
        return []
    stamp = (str(path), hashlib.blake2b(data, digest_size=16).digest())
    if _LOCK_READ.get("stamp") != stamp:  # parsed once while the file stays the same (live preview)
        _LOCK_READ.update(stamp=stamp, entries=_parse_lock(data))
    return list(_LOCK_READ["entries"])


_LOCK_READ: dict = {}


def _parse_lock(data: bytes) -> list[tuple[int, str, str]]:
    out = []
    for no, line in enumerate(data.decode("utf-8-sig").splitlines(), 1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        if "\t" in text:
            sid, url = text.split("\t", 1)
        else:
            parts = text.split(None, 1)
            sid, url = parts[0], (parts[1] if len(parts) > 1 else "")
        out.append((no, sid.strip(), url.strip()))
    return out


def published_ids(net) -> list[str]:
    """Every id that gets a working ``s/{id}/``: all stations (any status) and all former ids."""
    return sorted({*net.stations, *net.aliases})


def check_lock(net, config: Config) -> list[Problem]:
    """Problems with the QR URLs of this build, found before anything is written.

    Errors: a URL in the lock file whose id this build would drop. Warnings: URLs
    that need a symbol denser than version 3-M, and a lock file made for another site_url.
    Raises UsageError when site_url is missing.
    """
    config.require_site_url("二维码")
    problems: list[Problem] = []
    ids = set(published_ids(net))
    lock_rel = config.rel(config.lock_path)
    other_hosts: set[str] = set()
    entries = read_lock(config)
    locked = {sid for _, sid, _ in entries}
    # A renamed station's new id is one that was never published: only those are suggested.
    new_ids = [s.id for s in net.stations.values() if s.is_active and s.id not in locked]
    for no, sid, url in entries:
        if sid not in ids:
            suggestion = did_you_mean(sid, new_ids)
            renamed_zh = f"(是否改成了 \"{suggestion}\"?)" if suggestion else ""
            renamed_en = f" (\"{suggestion}\"?)" if suggestion else ""
            problems.append(Problem(
                lock_rel, no, "",
                f"二维码地址 {url} 已经印出,但本次构建不再有编号为 \"{sid}\" 的阵地,扫码将打不开。"
                f"请保留该阵地的记录,写 status: merged 和 merged_into: 接替阵地的编号(已合并),"
                f"或写 status: closed(已撤销);如果是改了编号{renamed_zh},请在新记录中写 former_ids: [{sid}]",
                f"the QR URL {url} is already printed, but this build has no station \"{sid}\" any more, "
                f"so scanning it would fail. Keep the station's record with status: merged and "
                f"merged_into: <successor id>, or with status: closed; if its id was changed{renamed_en}, "
                f"list former_ids: [{sid}] in the new record",
            ))
        elif url and url != qr_url(config, sid):
            other_hosts.add(url[: url.find("/s/") + 1] if "/s/" in url else url)
    if other_hosts:
        hosts = "、".join(sorted(other_hosts))
        problems.append(Problem(
            lock_rel, None, "site_url",
            f"锁定文件中有按其他网址({hosts})发布的二维码;已印出的二维码仍指向旧网址,请让旧网址继续跳转到新网站",
            f"the lock file lists QR URLs published under another address ({hosts}); printed codes still "
            f"point there, so keep the old address redirecting to the new site",
            "warning",
        ))
    problems.extend(density_warnings(net, config))
    return problems


@functools.lru_cache(maxsize=200_000)
def _version(url: str) -> int:
    return symbol_version(url)


def density_warnings(net, config: Config) -> list[Problem]:
    """Warnings for QR URLs that need a symbol denser than version 3-M."""
    out = []
    for st in net.stations.values():
        for qid in (st.id, *st.former_ids):
            url = qr_url(config, qid)
            p = density_problem(config, st, url, _version(url), qid)
            if p is not None:
                out.append(p)
    return out


def update_lock(net, config: Config) -> list[str]:
    """Add this build's URLs to the lock file (never removes a line); returns the ids added.

    A live preview (``config.preview``) publishes nothing and leaves the file alone.
    """
    if getattr(config, "preview", False):
        return []
    existing = read_lock(config)
    have = {(sid, url) for _, sid, url in existing}
    entries = set(have)
    added = []
    for sid in published_ids(net):
        entry = (sid, qr_url(config, sid))
        if entry not in entries:
            entries.add(entry)
            added.append(sid)
    path = config.lock_path
    text = LOCK_HEADER + "".join(f"{sid}\t{url}\n" for sid, url in sorted(entries))
    old = path.read_text(encoding="utf-8-sig") if path.exists() else None
    if text != old:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(text, encoding="utf-8", newline="\n")
        os.replace(tmp, path)
    return added


# ----------------------------------------------------------------------------- pages


@dataclass
class Notice:
    title: str
    lines: list[str]


#: What the contact page calls each link of :func:`generator.geo.map_links`.
MAP_LABELS = {"amap": "高德地图", "geo": "手机地图", "search": "在高德地图中搜索"}


def _map_labels(links: dict[str, str]) -> list[tuple[str, str]]:
    return [(MAP_LABELS[key], href) for key, href in links.items()]




def contact_station(net, st):
    """The active station whose contact a page for ``st`` shows (itself, its successor, or an ancestor)."""
    cur = st
    if cur.status == Status.merged:
        cur = net.successor(st.id) or st
    if cur.is_active:
        return cur
    for anc in reversed(net.ancestors(cur.id)):
        if anc.is_active:
            return anc
    return net.root if net.root is not None and net.root.is_active else None


@functools.lru_cache(maxsize=4)
def _env(dirs: tuple[str, ...]) -> jinja2.Environment:
    env = theme.environment(dirs, autoescape=True, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["phone"] = phone_html
    return env


def page_context(net, config: Config, qr_id: str) -> dict:
    """What the contact page of ``s/{qr_id}/`` shows; ``qr_id`` is a station id or a former id."""
    st = net.resolve(qr_id)
    if st is None:
        raise KeyError(qr_id)
    target = contact_station(net, st)
    notice = None
    noindex = False
    if qr_id != st.id:
        notice = Notice("本站编号已更新", [
            f"您扫描的是旧二维码(原编号 {qr_id}),现在的阵地是「{st.name}」,服务照常。"])
    if st.status == Status.merged:
        noindex = True
        lines = [f"「{st.name}」已合并" + (f"到「{target.name}」" if target and target.id != st.id else "") + "。"]
        if st.summary:
            lines.append(st.summary)
        if target is not None and target.id != st.id:
            lines.append(f"请联系「{target.name}」:")
        notice = Notice("本站已合并", lines)
    elif st.status == Status.closed:
        noindex = True
        lines = [f"「{st.name}」已停止运行。"]
        if st.summary:
            lines.append(st.summary)
        if target is not None:
            lines.append(f"相关服务请联系「{target.name}」:")
        notice = Notice("本站已停止运行", lines)
    parent = net.stations.get(target.parent) if target is not None and target.parent else None
    url = qr_url(config, qr_id)
    name = st.name
    desc = (f"{target.name}:服务电话 {target.phone or '暂无'}," f"开放时间 {target.hours or '见详细介绍'}"
            if target is not None else name)
    return {
        "site_name": config.site_name,
        "filing": filing(config),
        "page_title": name if target is None or target.id == st.id else f"{name}(已转至{target.name})",
        "description": desc,
        "canonical": url,
        "short": short_url(url),
        "notice": notice,
        "noindex": noindex,
        "target": target,
        "level_label": Level(target.level).label if target is not None else "",
        "tel": tel_uri(target.phone) if target is not None and target.phone else "",
        "maps": _map_labels(map_links(target)) if target is not None else [],
        "parent": parent,
        "services": list(target.services[:6]) if target is not None else [],
        "full_page": f"../../stations/{target.id}/" if target is not None else "../../",
    }


def contact_page_html(net, config: Config, qr_id: str) -> str:
    dirs = tuple(str(d) for d in theme.project_dirs(config))
    return _env(dirs).get_template("qr/contact.html").render(**page_context(net, config, qr_id))


#: Fewer missing images than this are drawn by the build itself, when it writes the pages.
DRAW_AHEAD_MIN = 400


def start_drawing(net, config: Config, *, workers: int = 0, allow_processes: bool = True) -> FreshPool | None:
    """Start drawing the QR images missing from the cache, in one new worker process.

    For a build to call as soon as the records are checked: the worker draws while the build
    renders the index pages (which use one core), and :func:`write_qr_site` later only links the
    images. ``None`` when little is missing or processes are not to be used.
    """
    if not (allow_processes and worker_count(workers) > 1 and can_fork()) or not config.site_url:
        return None
    missing = QrImages(config).missing([qr_url(config, qid) for qid in published_ids(net)])
    if len(missing) < DRAW_AHEAD_MIN:
        return None
    return FreshPool(fill_chunk, config, [missing[i:i + QR_CHUNK] for i in range(0, len(missing), QR_CHUNK)])


def write_qr_site(net, config: Config, site_dir: Path, *, workers: int = 0, allow_processes: bool = True,
                  progress=None, drawing: FreshPool | None = None) -> None:
    """Write ``s/{id}/index.html``, ``qr.svg`` and ``qr.png`` for every published id; update the lock.

    The codes are drawn by fresh worker processes that are given only URLs (they import the
    QR module alone and hold none of the network) while this process writes the contact pages:
    the ``drawing`` started earlier by :func:`start_drawing`, or workers started here.
    Images come from the QR cache, hard-linked into the site where the file system allows.
    """
    config.require_site_url("二维码")
    site_dir = Path(site_dir)
    ids = published_ids(net)
    jobs = [(qr_url(config, qid), str(site_dir / "s" / qid)) for qid in ids]
    for qid in ids:
        (site_dir / "s" / qid).mkdir(parents=True, exist_ok=True)
    done = 0
    if drawing is None:
        images = chunked_map(draw_chunk, config, jobs, chunk=QR_CHUNK, workers=workers,
                             allow_processes=allow_processes, fresh=True)
        done = next(images, 0)  # the workers are busy from here on
    else:
        images = _linked_once_drawn(drawing, config, jobs)  # runs after the pages below
    for qid in ids:
        (site_dir / "s" / qid / "index.html").write_text(contact_page_html(net, config, qid), encoding="utf-8")
    for n in images:
        done += n
        if progress:
            progress(done, len(ids))
    if progress:
        progress(len(ids), len(ids))
    update_lock(net, config)


def _linked_once_drawn(drawing: FreshPool, config: Config, jobs: list[tuple[str, str]]):
    for _ in drawing.results():  # every missing image is in the cache once this returns
        pass
    yield draw_chunk(config, jobs)  # hard links only


def update_qr_site(net, config: Config, site_dir: Path, stations: set[str]) -> int:
    """Live preview: rewrite the contact pages an edit of ``stations`` may change; returns how many.

    A contact page shows its station, or for a merged or closed one its successor or an
    ancestor: the pages of the edited stations, their former ids, and of every station
    that is not active are looked at; each is written only when its text changed.
    """
    wanted = {sid for sid in stations if sid in net.stations}
    wanted |= {alias for alias, sid in net.aliases.items() if sid in wanted}
    wanted |= {s.id for s in net.stations.values() if not s.is_active}
    written = 0
    qr = QrImages(config)
    for qid in sorted(wanted & set(published_ids(net))):
        folder = Path(site_dir) / "s" / qid
        page = folder / "index.html"
        text = contact_page_html(net, config, qid)
        try:
            if page.read_text(encoding="utf-8") == text:
                continue
        except OSError:
            pass
        folder.mkdir(parents=True, exist_ok=True)
        page.write_text(text, encoding="utf-8")
        if not (folder / "qr.svg").exists():
            qr.place(qr_url(config, qid), folder / "qr.svg", folder / "qr.png")
        written += 1
    update_lock(net, config)
    return written
