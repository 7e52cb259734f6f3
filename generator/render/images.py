"""Publish photos safely: metadata stripped, orientation applied, resized, cached.

Editors' photos come straight from phones and cameras. A published copy must
never say where it was taken (EXIF GPS), who took it with which device, or
carry an embedded thumbnail of the uncropped original. Every copy is therefore
re-encoded from pixels only:

* orientation from EXIF is applied to the pixels, then every metadata block
  (EXIF, GPS, XMP, IPTC, comments, ICC) is dropped; a non-sRGB ICC profile is
  first converted to sRGB so colours stay right without the profile;
* web copies are made at 480, 800 and 1600 px wide (never upscaled), JPEG
  quality 82 progressive, or PNG when the image has transparency;
* print copies (:meth:`ImagePublisher.print_copy`) are baseline JPEG at 300 dpi
  for the printed width (never upscaled); a large JPEG is decoded at 1/2, 1/4 or
  1/8 scale when that still gives at least the 300-dpi size, and a copy at most
  :data:`PRINT_SLACK` times wider than needed is not resampled (it prints at up
  to 360 dpi): a print copy costs tens of milliseconds, not a tenth of a second;
* output bytes depend only on the input bytes (no timestamps), and are cached by
  content hash under ``config.cache_path / "images"`` so rebuilds are fast;
* a corrupt, truncated or oversized file (decompression bomb) raises
  :class:`ImageError` (a :class:`~generator.errors.ContentError`) with a
  bilingual message instead of a traceback.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import os
import shutil
import tempfile
import threading
import warnings
from dataclasses import dataclass
from pathlib import Path

from ..errors import ContentError, Problem
from ..guard import checksum, damaged

#: Web widths in CSS pixels; a smaller original gives fewer, never larger, copies.
WEB_WIDTHS = (480, 800, 1600)
#: The width used for ``src`` (the fallback when ``srcset`` is not understood).
DEFAULT_WIDTH = 800
JPEG_QUALITY = 82
PRINT_QUALITY = 90
PRINT_DPI = 300
#: A print copy up to this much wider than 300 dpi needs keeps its pixels (prints at <= 360 dpi).
PRINT_SLACK = 1.2
#: Images larger than this are refused before their pixels are decoded (~ 8000 x 5000).
MAX_PIXELS = 40_000_000
#: Bump when the encoding settings change: the cache key includes it.
_VERSION = b"wenming-images-1"
#: Likewise for print copies only (2: baseline JPEG, draft decoding, PRINT_SLACK).
_PRINT_VERSION = b"wenming-print-2"
_LOCK = threading.Lock()


@dataclass(frozen=True)
class PublishedImage:
    """A published web image: ``url`` is site-root-relative (``images/ab12cd34ef-800.jpg``)."""

    url: str
    width: int
    height: int
    srcset: str
    #: (url, width) of every copy, smallest first.
    variants: tuple[tuple[str, int], ...] = ()

    def srcset_relative_to(self, prefix: str) -> str:
        """``srcset`` with every URL prefixed (``"../../"`` for a page two levels deep)."""
        return ", ".join(f"{prefix}{url} {w}w" for url, w in self.variants)


class ImageError(ContentError):
    """An image that cannot be published; ``zh``/``en`` let callers re-locate the message."""

    def __init__(self, rel: str, zh: str, en: str):
        self.rel, self.zh, self.en = rel, zh, en
        super().__init__([Problem(rel, None, "", zh, en)])


def _orientation(im) -> int:
    """The EXIF (or XMP) orientation, 1 when absent or unreadable."""
    try:
        return int(im.getexif().get(0x0112, 1) or 1)
    except Exception:  # noqa: BLE001
        return 1


def _open_checked(path: Path, rel: str, min_width: int | None = None):
    """Open and fully decode ``path``; raise :class:`ImageError` for anything unsafe or broken.

    With ``min_width``, a JPEG is decoded at 1/2, 1/4 or 1/8 scale (libjpeg's
    draft mode) when the upright image is still at least ``min_width`` wide.
    """
    from PIL import Image, ImageFile, UnidentifiedImageError

    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImageError(rel, f"无法读取图片文件({exc.strerror or exc})",
                         f"the image file cannot be read ({exc.strerror or exc})") from None
    bomb = (
        "图片尺寸过大({size}),为防止解压炸弹已拒绝处理;请缩小到 8000×5000 像素以内再放入",
        ("the image is too large ({size_en}) and was refused as a possible decompression bomb; "
         "scale it below 8000x5000 pixels"),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            im = Image.open(io.BytesIO(data))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ImageError(rel, bomb[0].format(size="超过上限"),
                             bomb[1].format(size_en="over the limit")) from None
        except UnidentifiedImageError:
            raise ImageError(
                rel, "无法识别的图片格式或文件已损坏;请用看图软件打开确认后,重新导出为 JPEG 或 PNG",
                "not a recognised image, or the file is corrupt; open it in an image viewer and "
                "export it again as JPEG or PNG",
            ) from None
        except Exception as exc:  # noqa: BLE001
            raise ImageError(
                rel, f"图片文件已损坏({type(exc).__name__});请重新导出为 JPEG 或 PNG",
                f"the image file is corrupt ({type(exc).__name__}: {exc}); export it again as "
                "JPEG or PNG",
            ) from None
        w, h = im.size
        if w * h > MAX_PIXELS:
            im.close()
            raise ImageError(rel, bomb[0].format(size=f"{w}×{h} 像素"),
                             bomb[1].format(size_en=f"{w}x{h} pixels"))
        if min_width and im.format == "JPEG":
            im.draft(None, (1, min_width) if _orientation(im) in (5, 6, 7, 8) else (min_width, 1))
        try:
            im.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            im.close()
            raise ImageError(rel, bomb[0].format(size=f"{w}×{h} 像素"),
                             bomb[1].format(size_en=f"{w}x{h} pixels")) from None
        except Exception as exc:  # truncated data, broken chunks: Pillow raises many kinds  # noqa: BLE001
            im.close()
            raise ImageError(
                rel,
                f"图片文件不完整或已损坏({type(exc).__name__});请重新拷贝或重新导出为 JPEG 或 PNG",
                f"the image file is incomplete or corrupt ({type(exc).__name__}: {exc}); copy it "
                "again or export it again as JPEG or PNG",
            ) from None
    return im, data


def _has_alpha(im) -> bool:
    if im.mode in ("RGBA", "LA", "PA"):
        return im.getchannel("A").getextrema()[0] < 255
    return im.mode == "P" and "transparency" in im.info


def _to_srgb(im):
    """Convert pixels described by an embedded ICC profile to sRGB (best effort)."""
    icc = im.info.get("icc_profile")
    if not icc or im.mode not in ("RGB", "RGBA", "CMYK"):
        return im
    try:
        from PIL import ImageCms

        src = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        desc = (ImageCms.getProfileDescription(src) or "").lower()
        if "srgb" in desc and im.mode != "CMYK":
            return im
        out_mode = "RGBA" if im.mode == "RGBA" else "RGB"
        return ImageCms.profileToProfile(im, src, ImageCms.createProfile("sRGB"), outputMode=out_mode)
    except Exception:  # a broken profile: keep the pixels as they are  # noqa: BLE001
        return im


def _clean_pixels(im):
    """Orientation applied, sRGB, a mode JPEG/PNG can hold; returns (image, "jpeg"|"png")."""
    from PIL import ImageOps

    if getattr(im, "n_frames", 1) > 1:
        im.seek(0)
    if _orientation(im) != 1:  # exif_transpose would otherwise copy the pixels for nothing
        im = ImageOps.exif_transpose(im) or im
    im = _to_srgb(im)
    if _has_alpha(im):
        return _pixels_only(im.convert("RGBA")), "png"
    if im.mode not in ("RGB", "L"):
        im = im.convert("RGB")
    return _pixels_only(im), "jpeg"


def _pixels_only(im):
    """A fresh image on the same pixels: no info dict, no EXIF, no ICC, nothing to leak.

    ``_new`` wraps the decoded pixels in a plain :class:`PIL.Image.Image` without
    copying them (closing the opened file later does not free them).
    """
    fresh = im._new(im.im)
    fresh.info = {}
    return fresh


def _encode(im, fmt: str, quality: int = JPEG_QUALITY, dpi: int | None = None,
            progressive: bool = True) -> bytes:
    buf = io.BytesIO()
    if fmt == "png":
        im.save(buf, "PNG", optimize=True)
    else:
        kwargs = {"quality": quality, "optimize": True, "progressive": progressive, "subsampling": "4:2:0"}
        if dpi:
            kwargs["dpi"] = (dpi, dpi)
        im.save(buf, "JPEG", **kwargs)
    return buf.getvalue()


def _resize(im, width: int):
    from PIL import Image

    if width >= im.width:
        return im
    height = max(1, round(im.height * width / im.width))
    return im.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class ImagePublisher:
    """Publishes content photos into ``site_dir/images/`` and makes print copies.

    ``publish`` is idempotent and cheap for an already published file; one
    publisher may be shared by all pages of a build (it is thread-safe).
    """

    folder = "images"

    def __init__(self, config, site_dir: Path | str):
        self.config = config
        self.site_dir = Path(site_dir)
        self.cache = Path(config.cache_path) / "images"
        self._done: dict[Path, PublishedImage] = {}

    # ------------------------------------------------------------------ helpers

    def _rel(self, path: Path) -> str:
        try:
            return self.config.rel(path)
        except Exception:  # noqa: BLE001
            return Path(path).as_posix()

    @staticmethod
    def _read(src: Path, rel: str) -> bytes:
        try:
            return src.read_bytes()
        except OSError as exc:
            raise ImageError(rel, f"无法读取图片文件({exc.strerror or exc})",
                             f"the image file cannot be read ({exc.strerror or exc})") from None

    @staticmethod
    def _key(data: bytes) -> str:
        return hashlib.sha256(_VERSION + data).hexdigest()

    # ------------------------------------------------------------------ web copies

    def publish(self, src_path: Path | str) -> PublishedImage:
        """Publish ``src_path`` (web copies in 480/800/1600 px) and describe the result."""
        src = Path(src_path).resolve()
        with _LOCK:
            if src in self._done:
                return self._done[src]
        rel = self._rel(src)
        data = self._read(src, rel)
        key = self._key(data)
        meta_path = self.cache / f"{key}.json"
        meta = None
        data_of: dict[str, bytes] = {}
        if meta_path.is_file():
            try:
                meta = json.loads(meta_path.read_text(encoding="utf-8"))
                for name, _w, _h in meta["files"]:
                    data_of[name] = (self.cache / name).read_bytes()
                if checksum(key, *(data_of[n] for n, _w, _h in meta["files"])) != meta["sum"]:
                    damaged("照片", "photo", self.cache / meta["files"][0][0])
                    meta = None
            except (ValueError, KeyError, TypeError, OSError, IndexError):
                meta = None
        if meta is None:
            meta, data_of = self._make(src, rel, key)
        out_dir = self.site_dir / self.folder
        out_dir.mkdir(parents=True, exist_ok=True)
        variants = []
        for name, w, h in meta["files"]:
            target = out_dir / name
            if not target.is_file() or target.read_bytes() != data_of[name]:
                _atomic_write(target, data_of[name])
            variants.append((f"{self.folder}/{name}", w, h))
        main = [v for v in variants if v[1] <= DEFAULT_WIDTH]
        url, width, height = (main[-1] if main else variants[0])
        published = PublishedImage(
            url=url, width=width, height=height,
            srcset=", ".join(f"{u} {w}w" for u, w, _h in variants),
            variants=tuple((u, w) for u, w, _h in variants),
        )
        with _LOCK:
            self._done[src] = published
        return published

    def _make(self, src: Path, rel: str, key: str) -> tuple[dict, dict[str, bytes]]:
        im, _data = _open_checked(src, rel)
        try:
            clean, fmt = _clean_pixels(im)
        except Exception as exc:  # noqa: BLE001
            raise ImageError(
                rel, f"图片无法转换({type(exc).__name__});请重新导出为 JPEG 或 PNG",
                f"the image cannot be converted ({type(exc).__name__}: {exc}); export it again "
                "as JPEG or PNG") from None
        finally:
            im.close()
        ext = "png" if fmt == "png" else "jpg"
        widths = sorted({min(w, clean.width) for w in WEB_WIDTHS})
        files = []
        data_of: dict[str, bytes] = {}
        for w in widths:
            copy = _resize(clean, w)
            name = f"{key[:12]}-{copy.width}.{ext}"
            data_of[name] = _encode(copy, fmt)
            files.append((name, copy.width, copy.height))
        # The checksum of the bytes, and of the input (the key hashes the original and the settings).
        meta = {"source": rel, "format": fmt, "files": files, "sum": checksum(key, *data_of.values())}
        try:
            for name, data in data_of.items():
                _atomic_write(self.cache / name, data)
            _atomic_write(self.cache / f"{key}.json",
                          json.dumps(meta, ensure_ascii=False, sort_keys=True).encode("utf-8"))
        except OSError:  # a full or read-only cache only costs speed
            pass
        return meta, data_of

    # ------------------------------------------------------------------ print copies

    def print_copy(self, src_path: Path | str, width_mm: float) -> Path:
        """A JPEG for printing ``width_mm`` wide: at most 300 dpi, metadata stripped, dpi set.

        A smaller original is not upscaled; its dpi is then set so that it still
        prints ``width_mm`` wide (at less than 300 dpi). One at most
        :data:`PRINT_SLACK` times the 300-dpi width is kept as it is (more than
        300 dpi); a larger one is decoded at a reduced scale when possible, then
        resampled (Lanczos) to 300 dpi. Baseline, not progressive, JPEG: cheaper
        to encode, no larger, and what every print shop's RIP reads.
        """
        if not width_mm or width_mm <= 0:
            raise ValueError("width_mm must be positive")
        src = Path(src_path).resolve()
        rel = self._rel(src)
        data = self._read(src, rel)
        key = self._key(_PRINT_VERSION + data)
        px = max(1, round(width_mm / 25.4 * PRINT_DPI))
        out = self.cache / "print" / f"{key[:16]}-{px}.jpg"
        if out.is_file():
            return out
        im, _ = _open_checked(src, rel, min_width=px)
        try:
            clean, fmt = _clean_pixels(im)
        finally:
            im.close()
        if fmt == "png":  # JPEG has no transparency: flatten onto white paper
            from PIL import Image

            paper = Image.new("RGB", clean.size, (255, 255, 255))
            paper.paste(clean, mask=clean.getchannel("A"))
            clean = paper
        copy = clean if clean.width <= px * PRINT_SLACK else _resize(clean, px)
        dpi = PRINT_DPI if copy.width == px else max(1, math.floor(copy.width * 25.4 / width_mm))
        _atomic_write(out, _encode(copy, "jpeg", quality=PRINT_QUALITY, dpi=dpi, progressive=False))
        return out
