"""Published photos: no metadata (above all no GPS), orientation applied, web sizes, print copies,
deterministic and cached output, clear messages for corrupt files and decompression bombs."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image

from generator.config import Config
from generator.errors import ContentError
from generator.render.images import ImageError, ImagePublisher


def _config(tmp_path: Path) -> Config:
    (tmp_path / "content" / "images").mkdir(parents=True, exist_ok=True)
    return Config(project_dir=tmp_path)


def gps_jpeg(width: int = 1200, height: int = 900, orientation: int = 6) -> bytes:
    """A phone-like photo: GPS position, camera make, orientation, XMP and a comment.

    The top-left corner holds a blue band so the applied rotation can be seen.
    """
    im = Image.new("RGB", (width, height), (220, 200, 40))
    im.paste((0, 0, 255), (0, 0, width // 2, height // 8))
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "PhoneMaker"
    exif[0x0110] = "Model-X"
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (38.0, 17.0, 30.5), 3: "E", 4: (109.0, 44.0, 1.0)})
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=95, exif=exif, comment=b"home of the photographer",
            xmp=b"<x:xmpmeta xmlns:x='adobe:ns:meta/'>GPSLatitude 38.29</x:xmpmeta>")
    return buf.getvalue()


def bomb_png(side: int = 30000) -> bytes:
    """A real decompression bomb: a ``side`` x ``side`` 1-bit PNG of zeros, ~100 KB on disk."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" * (1 + (side + 7) // 8)
    comp = zlib.compressobj(9)
    idat = b"".join(comp.compress(row) for _ in range(side)) + comp.flush()
    ihdr = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def _published_files(site: Path) -> list[Path]:
    return sorted((site / "images").iterdir())


def assert_no_metadata(data: bytes) -> None:
    """No EXIF block, no GPS, no XMP, no comment, no camera name in the bytes of a copy."""
    im = Image.open(io.BytesIO(data))
    assert "exif" not in im.info
    assert not im.getexif().get_ifd(0x8825), "GPS survived"
    assert len(im.getexif()) == 0
    assert "xmp" not in im.info and "comment" not in im.info
    for needle in (b"Exif\x00\x00", b"PhoneMaker", b"Model-X", b"xmpmeta", b"GPSLatitude",
                   b"photographer"):
        assert needle not in data, needle


def test_gps_and_all_metadata_are_gone_and_orientation_is_applied(tmp_path):
    config = _config(tmp_path)
    src = tmp_path / "content" / "images" / "phone.jpg"
    src.write_bytes(gps_jpeg())
    with Image.open(src) as original:  # the fixture really carries a position
        assert original.getexif().get_ifd(0x8825)[2] == (38.0, 17.0, 30.5)
    site = tmp_path / "site"
    pub = ImagePublisher(config, site)
    result = pub.publish(src)

    files = _published_files(site)
    assert files, "nothing published"
    for f in files:
        assert_no_metadata(f.read_bytes())
    # Orientation 6: the 1200x900 sensor image is shown 900 wide, 1200 high.
    assert (result.width, result.height) == (800, round(1200 * 800 / 900))
    with Image.open(site / result.url) as im:
        assert im.size == (result.width, result.height)
        # The blue band of the sensor's top-left is now on the right edge, at the top.
        r, g, b = im.convert("RGB").getpixel((im.width - 5, 5))
        assert b > 180 and r < 80, (r, g, b)
        r, g, b = im.convert("RGB").getpixel((5, 5))
        assert r > 150 and b < 120, (r, g, b)


def test_web_sizes_and_srcset_never_upscale(tmp_path):
    config = _config(tmp_path)
    big = tmp_path / "content" / "images" / "big.jpg"
    Image.new("RGB", (2400, 1600), (10, 120, 60)).save(big, "JPEG")
    small = tmp_path / "content" / "images" / "small.jpg"
    Image.new("RGB", (600, 400), (10, 120, 60)).save(small, "JPEG")
    pub = ImagePublisher(config, tmp_path / "site")

    b = pub.publish(big)
    assert [w for _u, w in b.variants] == [480, 800, 1600]
    assert b.url.startswith("images/") and b.url.endswith("-800.jpg")
    assert (b.width, b.height) == (800, 533)
    for url, w in b.variants:
        assert f"{url} {w}w" in b.srcset
        with Image.open(tmp_path / "site" / url) as im:
            assert im.width == w
            assert im.format == "JPEG" and im.info.get("progressive") == 1

    s = pub.publish(small)
    assert [w for _u, w in s.variants] == [480, 600]  # the original width is the largest copy
    assert (s.width, s.height) == (600, 400)


def test_png_with_transparency_stays_png_others_become_jpeg(tmp_path):
    config = _config(tmp_path)
    logo = tmp_path / "content" / "images" / "logo.png"
    im = Image.new("RGBA", (300, 300), (255, 0, 0, 0))
    im.paste((255, 0, 0, 255), (100, 100, 200, 200))
    im.save(logo)
    flat = tmp_path / "content" / "images" / "flat.png"
    Image.new("RGBA", (300, 300), (0, 0, 255, 255)).save(flat)
    pub = ImagePublisher(config, tmp_path / "site")
    a = pub.publish(logo)
    assert a.url.endswith(".png")
    with Image.open(tmp_path / "site" / a.url) as out:
        assert out.mode == "RGBA" and out.getpixel((10, 10))[3] == 0
    b = pub.publish(flat)
    assert b.url.endswith(".jpg")


def test_cmyk_and_palette_images_publish_as_rgb(tmp_path):
    config = _config(tmp_path)
    cmyk = tmp_path / "content" / "images" / "cmyk.jpg"
    Image.new("CMYK", (500, 300), (0, 255, 255, 0)).save(cmyk, "JPEG")
    gif = tmp_path / "content" / "images" / "anim.gif"
    frames = [Image.new("P", (200, 100), i) for i in (1, 2)]
    frames[0].save(gif, save_all=True, append_images=frames[1:])
    pub = ImagePublisher(config, tmp_path / "site")
    for src in (cmyk, gif):
        res = pub.publish(src)
        with Image.open(tmp_path / "site" / res.url) as out:
            assert out.mode in ("RGB", "L")
    with Image.open(tmp_path / "site" / pub.publish(cmyk).url) as out:
        r, g, b = out.getpixel((10, 10))
        assert r > 200 and g < 80 and b < 80  # CMYK red stays red


def _in_two_projects(tmp_path: Path, src_bytes: bytes, name: str, make) -> list:
    """``make(publisher, src, project)`` for the same photo in two fresh projects (two builds)."""
    outputs = []
    for n in (1, 2):
        project = tmp_path / f"p{n}"
        config = _config(project)
        src = project / "content" / "images" / name
        src.write_bytes(src_bytes)
        outputs.append(make(ImagePublisher(config, project / "site"), src, project))
    return outputs


def test_output_is_deterministic_and_cached(tmp_path, monkeypatch):
    def publish(pub, src, project):
        res = pub.publish(src)
        return {u: (project / "site" / u).read_bytes() for u, _w in res.variants}

    outputs = _in_two_projects(tmp_path, gps_jpeg(1700, 1000, orientation=1), "a.jpg", publish)
    assert outputs[0] == outputs[1], "two builds of the same photo differ"

    # A new build (new publisher, same cache) reuses the cache instead of re-encoding.
    project = tmp_path / "p1"
    config = _config(project)

    def no_encoding(*args, **kwargs):
        raise AssertionError("re-encoded although cached")

    monkeypatch.setattr(ImagePublisher, "_make", no_encoding)
    site2 = project / "site2"
    res = ImagePublisher(config, site2).publish(project / "content" / "images" / "a.jpg")
    assert {u: (site2 / u).read_bytes() for u, _w in res.variants} == outputs[0]


def test_changed_photo_gets_a_new_url(tmp_path):
    config = _config(tmp_path)
    src = tmp_path / "content" / "images" / "a.jpg"
    Image.new("RGB", (500, 300), (0, 0, 0)).save(src, "JPEG")
    first = ImagePublisher(config, tmp_path / "site").publish(src)
    Image.new("RGB", (500, 300), (255, 255, 255)).save(src, "JPEG")
    second = ImagePublisher(config, tmp_path / "site").publish(src)
    assert first.url != second.url  # browsers and CDNs never show a stale photo


def test_truncated_jpeg_gives_a_clear_bilingual_error(tmp_path):
    config = _config(tmp_path)
    src = tmp_path / "content" / "images" / "cut.jpg"
    src.write_bytes(gps_jpeg()[:3000])
    with pytest.raises(ContentError) as info:
        ImagePublisher(config, tmp_path / "site").publish(src)
    text = str(info.value)
    assert "content/images/cut.jpg" in text
    assert "损坏" in text and "corrupt" in text
    assert "Traceback" not in text
    assert not (tmp_path / "site" / "images").exists() or not list((tmp_path / "site" / "images").iterdir())


def test_not_an_image_gives_a_clear_error(tmp_path):
    config = _config(tmp_path)
    src = tmp_path / "content" / "images" / "note.jpg"
    src.write_text("这不是图片", encoding="utf-8")
    with pytest.raises(ImageError) as info:
        ImagePublisher(config, tmp_path / "site").publish(src)
    assert "无法识别" in info.value.zh and "not a recognised image" in info.value.en


def test_decompression_bomb_is_refused_before_decoding(tmp_path):
    config = _config(tmp_path)
    src = tmp_path / "content" / "images" / "bomb.png"
    data = bomb_png()
    assert len(data) < 1_000_000  # tiny on disk, 900 million pixels when decoded
    src.write_bytes(data)
    with pytest.raises(ImageError) as info:
        ImagePublisher(config, tmp_path / "site").publish(src)
    assert "过大" in info.value.zh and "decompression bomb" in info.value.en
    assert "content/images/bomb.png" in str(info.value)
    with pytest.raises(ImageError):
        ImagePublisher(config, tmp_path / "site").print_copy(src, 100)


def test_bomb_below_pillows_limit_but_above_ours_is_refused(tmp_path):
    config = _config(tmp_path)
    src = tmp_path / "content" / "images" / "wide.png"
    src.write_bytes(bomb_png(7000))  # 49 Mpx: Pillow would decode it, we do not
    with pytest.raises(ImageError) as info:
        ImagePublisher(config, tmp_path / "site").publish(src)
    assert "7000×7000" in info.value.zh


def test_print_copy_is_300_dpi_for_the_printed_width_without_metadata(tmp_path):
    config = _config(tmp_path)
    src = tmp_path / "content" / "images" / "phone.jpg"
    src.write_bytes(gps_jpeg(3000, 2000, orientation=1))
    pub = ImagePublisher(config, tmp_path / "site")
    out = pub.print_copy(src, 100)  # 100 mm at 300 dpi = 1181 px
    data = out.read_bytes()
    assert_no_metadata(data)
    with Image.open(out) as im:
        assert im.format == "JPEG"
        assert im.width == round(100 / 25.4 * 300)
        assert tuple(round(v) for v in im.info["dpi"]) == (300, 300)
    # A photo smaller than the print size is not upscaled; its dpi keeps the printed width.
    small = tmp_path / "content" / "images" / "small.jpg"
    Image.new("RGB", (600, 400), (1, 2, 3)).save(small, "JPEG")
    out2 = pub.print_copy(small, 100)
    with Image.open(out2) as im:
        assert im.width == 600
        dpi = im.info["dpi"][0]
        assert 140 <= dpi <= 160  # 600 px over 100 mm
    assert pub.print_copy(src, 100) == out  # cached


def test_print_copy_of_transparent_png_is_flattened_on_white(tmp_path):
    config = _config(tmp_path)
    src = tmp_path / "content" / "images" / "logo.png"
    Image.new("RGBA", (400, 400), (0, 0, 0, 0)).save(src)
    out = ImagePublisher(config, tmp_path / "site").print_copy(src, 20)
    with Image.open(out) as im:
        assert im.mode == "RGB" and im.getpixel((5, 5)) == (255, 255, 255)


def test_print_copy_of_a_large_phone_photo_decodes_at_reduced_scale_and_is_stable(tmp_path, monkeypatch):
    from generator.render import images

    src_bytes = gps_jpeg(4032, 3024, orientation=6)  # stored landscape, upright portrait 3024 wide
    resized_from = []
    real_resize = images._resize
    monkeypatch.setattr(images, "_resize", lambda im, w: resized_from.append(im.size) or real_resize(im, w))
    outputs = _in_two_projects(tmp_path, src_bytes, "phone.jpg",
                               lambda pub, src, _project: pub.print_copy(src, 100).read_bytes())
    assert outputs[0] == outputs[1], "two builds of the same print copy differ"
    # libjpeg decoded at 1/2 scale (1512 px upright, still above the 1181 px needed), then Lanczos.
    assert resized_from == [(1512, 2016), (1512, 2016)]
    assert_no_metadata(outputs[0])
    with Image.open(io.BytesIO(outputs[0])) as im:
        assert im.size == (1181, 1575)  # orientation applied: portrait
        assert "progressive" not in im.info and "progression" not in im.info  # baseline, for any RIP
        assert tuple(round(v) for v in im.info["dpi"]) == (300, 300)
        # The blue band of the stored top-left corner is now at the right edge (rotated 90°).
        r, _g, b = im.getpixel((im.width - 20, 20))
        assert b > 200 and r < 60


def test_print_copy_slightly_above_300_dpi_keeps_its_pixels_and_printed_width(tmp_path, monkeypatch):
    from generator.render import images

    config = _config(tmp_path)
    src = tmp_path / "content" / "images" / "scan.jpg"
    src.write_bytes(gps_jpeg(1300, 900, orientation=1))  # 100 mm needs 1181 px; 1300 is 10% more
    monkeypatch.setattr(images, "_resize", lambda *a: pytest.fail("resampled a photo within PRINT_SLACK"))
    out = ImagePublisher(config, tmp_path / "site").print_copy(src, 100)
    assert_no_metadata(out.read_bytes())
    with Image.open(out) as im:
        assert im.size == (1300, 900)
        dpi = im.info["dpi"][0]
        assert 300 < dpi <= 360 and abs(1300 / dpi * 25.4 - 100) < 0.5  # still prints 100 mm wide
