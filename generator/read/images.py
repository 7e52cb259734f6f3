"""Photos named by records: resolved under content/ and checked before anything decodes them."""

from __future__ import annotations

import re
from pathlib import Path

from ..config import Config
from ..errors import Problems, did_you_mean, hint_en, hint_zh
from .files import list_files
from .records import RawRecord, line_of
from .yamlload import dotted

MAX_IMAGE_PIXELS = 40_000_000  # ~ 8000 x 5000; larger files are refused before decoding
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".gif"}
#: Every photo file an editor may leave in content/ (camera formats included): none is ever
#: published as it is, only re-encoded copies of the usable ones (:data:`IMAGE_SUFFIXES`).
PHOTO_SUFFIXES = IMAGE_SUFFIXES | {".tif", ".tiff", ".heic"}


class ImageIndex:
    """Resolves photo paths (relative to content/ or to the record) and checks the files."""

    def __init__(self, content: Path, config: Config):
        self.content = content.resolve()
        self.config = config
        self._checked: dict[Path, tuple[str, str] | None] = {}
        self._names: list[str] | None = None
        self._in_content: dict[str, Path | None] = {}
        self._stamps: dict[tuple[str, Path], tuple | None] = {}

    def stamp(self, src: str, record_path: Path) -> tuple | None:
        """What a photo name points at now (file and its mtime/size), for the record cache."""
        key = (src, record_path.parent)
        if key not in self._stamps:
            stamp = None
            if not (re.match(r"^[a-z][a-z0-9+.-]*:", src, re.IGNORECASE) or src.startswith("//")):
                path = self.resolve(src, record_path)
                try:
                    st = path.stat() if path is not None else None
                    stamp = (str(path), st.st_mtime_ns, st.st_size) if st else (str(path),)
                except OSError:
                    stamp = (str(path),)
            self._stamps[key] = stamp
        return self._stamps[key]

    def names(self) -> list[str]:
        if self._names is None:
            self._names = [p.relative_to(self.content).as_posix() for p in list_files(self.content, IMAGE_SUFFIXES)]
        return self._names

    def resolve(self, src: str, record_path: Path) -> Path | None:
        """The file a photo path names, or None when it is outside content/."""
        # most photos are written relative to content/ and shared: look each name up once
        hit = self._in_content.get(src, ...)
        if hit is ...:
            candidate = (self.content / src).resolve()
            hit = candidate if candidate.is_relative_to(self.content) and candidate.is_file() else None
            self._in_content[src] = hit
        if hit is not None:
            return hit
        for base in (record_path.parent.resolve(),):
            candidate = (base / src).resolve()
            if candidate.is_relative_to(self.content) and candidate.is_file():
                return candidate
        candidate = (self.content / src).resolve()
        return candidate if candidate.is_relative_to(self.content) else None

    def check(self, src: str, raw: RawRecord, loc: tuple, problems: Problems) -> None:
        line = line_of(raw, loc)
        field = dotted(loc)
        if re.match(r"^[a-z][a-z0-9+.-]*:", src, re.IGNORECASE) or src.startswith("//"):
            problems.add(raw.rel, line, field,
                         f"图片必须放在 content/images/ 中,不能引用外部网址 \"{src}\"",
                         f"photos must be files under content/images/, not a web address \"{src}\"")
            return
        path = self.resolve(src, raw.path)
        if path is None:
            problems.add(raw.rel, line, field,
                         f"图片路径 \"{src}\" 指向了 content/ 以外;请把图片放进 content/images/ 并写 images/文件名",
                         f"photo path \"{src}\" leaves content/; put the photo in content/images/ "
                         "and write images/<name>")
            return
        if not path.is_file():
            suggestion = did_you_mean(src, self.names())
            problems.add(raw.rel, line, field,
                         f"找不到图片 \"{src}\"(路径相对于 content/){hint_zh(suggestion)}",
                         f"photo \"{src}\" does not exist (paths are relative to content/)"
                         f"{hint_en(suggestion)}")
            return
        verdict = self._checked.get(path, ...)
        if verdict is ...:
            verdict = image_problem(path)
            self._checked[path] = verdict
        if verdict:
            problems.add(raw.rel, line, field, verdict[0], verdict[1])


def image_problem(path: Path) -> tuple[str, str] | None:
    """Why an image cannot be published safely, or None. Reads only the header."""
    from PIL import Image, UnidentifiedImageError

    if path.suffix.lower() in (".svg", ".svgz"):
        from .safety import svg_problem

        return svg_problem()
    try:
        with Image.open(path) as im:
            w, h = im.size
    except Image.DecompressionBombError as exc:
        size = re.search(r"\((\d+) pixels\)", str(exc))
        pixels = f"{int(size.group(1)):,}" if size else "?"
        return (f"图片像素过多({pixels} 像素),疑似解压炸弹,无法安全解码;请缩小到 8000×5000 像素以内",
                f"the image has too many pixels ({pixels}), a possible decompression bomb, and cannot be "
                "decoded safely; scale it below 8000x5000 pixels")
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        return (f"图片文件已损坏或格式不支持({type(exc).__name__});请重新导出为 JPEG 或 PNG",
                (f"the image is corrupt or of an unsupported kind ({type(exc).__name__}); export it "
                 "again as JPEG or PNG"))
    if w * h > MAX_IMAGE_PIXELS:
        return _too_large(f"({w}×{h} 像素)", f" ({w}x{h} pixels)")
    return None


def _too_large(size_zh: str, size_en: str) -> tuple[str, str]:
    return (f"图片尺寸过大{size_zh},无法安全解码;请缩小到 8000×5000 像素以内",
            f"the image is too large to decode safely{size_en}; scale it below 8000x5000 pixels")
