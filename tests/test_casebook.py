"""案例选编: the printed book read back from the PDF (text, folios, outline, fonts, images, boxes,
clreq counts, the print shop's files)."""

from __future__ import annotations

import re
import shutil
import statistics
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.render.casebook.content import find_book, gather, markdown_html
from generator.render.casebook.pdf import geometry
from generator.render.casebook.typeset import render_book
from generator.render.casebook.typography import typeset_html

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")

CLOSING = "，。、；：？！”’）》」』】〕"
OPENING = "“‘（《「『【〔"


def _text(pdf: Path, page: int | None = None, layout: bool = False) -> str:
    args = ["pdftotext", "-enc", "UTF-8"]
    if layout:
        args.append("-layout")
    if page is not None:
        args += ["-f", str(page), "-l", str(page)]
    return subprocess.run(args + [str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def _pages(pdf: Path) -> list[str]:
    return _text(pdf).split("\f")[:-1]


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _outline(pdf: Path) -> list[tuple[int, str, int]]:
    from generator.render.casebook.readback import outline_starts

    return outline_starts(pdf)[1]


def _folio(page_text: str) -> str:
    lines = [ln.strip() for ln in page_text.splitlines() if ln.strip()]
    return lines[-1] if lines else ""


@pytest.fixture(scope="module")
def book2022(demo_network, demo_config, tmp_path_factory):
    book = find_book(demo_network, 2022)
    content = gather(demo_network, book, demo_config)
    out = tmp_path_factory.mktemp("book") / "casebook-2022.pdf"
    report = render_book(content, demo_config, out)
    return content, out, report


def test_toc_numbers_are_the_pages_where_cases_start(book2022):
    content, pdf, _ = book2022
    outline = _outline(pdf)
    pages = _pages(pdf)
    toc_index = next(page for _, title, page in outline if _norm(title) == "目录")
    toc = _text(pdf, toc_index + 1, layout=True)
    toc_numbers = [int(n) for n in re.findall(r"\.{4,}\s*(\d+)\s*$", toc, re.MULTILINE)]
    # in the TOC's order: each chapter, its cases, then the afterword
    expected_titles = []
    for part in content.parts:
        expected_titles.append(part.title)
        expected_titles += [e.title for e in part.entries]
    expected_titles.append(content.afterword.title)
    assert len(toc_numbers) == len(expected_titles)
    starts = {title: page for _, title, page in outline}
    folios = {}
    for title, number in zip(expected_titles, toc_numbers):
        page = starts[title]
        folios[title] = number
        if title in [e.title for e in content.entries] or title == content.afterword.title:
            # the printed folio on the page where the case starts
            assert _folio(pages[page]) == str(number), title
    # body numbering starts at 1 on the first chapter opening and counts every page
    first = starts[content.parts[0].title]
    for title, number in folios.items():
        assert number == starts[title] - first + 1
    assert folios[content.parts[0].title] == 1


def test_each_case_opens_with_its_title_unit_and_byline(book2022):
    content, pdf, _ = book2022
    pages = _pages(pdf)
    starts = {title: page for _, title, page in _outline(pdf)}
    for e in content.entries:
        text = _norm(pages[starts[e.title]])
        assert _norm(e.title) in text
        assert _norm(e.unit) in text
        assert _norm(e.author) in text and _norm(e.source) in text


def test_running_heads_book_title_left_chapter_right(book2022):
    content, pdf, _ = book2022
    pages = _pages(pdf)
    outline = _outline(pdf)
    chapter_of = {e.title: part.title for part in content.parts for e in part.entries}
    starts = sorted((page, title) for depth, title, page in outline if depth == 2)
    end = next(page for _, title, page in outline if title == content.afterword.title)
    openings = {page for depth, _, page in outline if depth == 1}
    sides = set()
    for i, (start, title) in enumerate(starts):
        stop = starts[i + 1][0] if i + 1 < len(starts) else end
        for page in range(start, stop):
            lines = pages[page].strip().splitlines()
            if not lines or page in openings or page + 1 in openings and len(lines) < 3:
                continue  # a chapter opening, or the blank verso before it
            if page % 2 == 0:  # a right-hand (odd) page: the chapter
                assert lines[0].strip() == chapter_of[title], (page, lines[0])
            else:  # a left-hand page: the book title
                assert lines[0].strip() == content.title, (page, lines[0])
            sides.add(page % 2)
    assert sides == {0, 1}


def test_bookmarks_for_chapters_and_cases(book2022):
    content, pdf, _ = book2022
    outline = _outline(pdf)
    level1 = [t for d, t, _ in outline if d == 1]
    level2 = [t for d, t, _ in outline if d == 2]
    assert [p.title for p in content.parts] == [t for t in level1 if t in {p.title for p in content.parts}]
    assert level2 == [e.title for e in content.entries]
    assert content.preface.title in level1 and content.afterword.title in level1


def test_front_matter_in_roman_numerals(book2022):
    content, pdf, _ = book2022
    pages = _pages(pdf)
    starts = {title: page for _, title, page in _outline(pdf)}
    assert _folio(pages[starts[content.preface.title]]) == "i"
    toc_page = next(p for t, p in starts.items() if _norm(t) == "目录")
    assert _folio(pages[toc_page]) == {1: "i", 2: "ii", 3: "iii", 4: "iv"}[toc_page - starts[content.preface.title] + 1]
    # the cover carries no number
    assert _norm(_folio(pages[0])) == _norm(content.editor)


def test_fonts_embedded_subset_no_type3(book2022):
    _, pdf, _ = book2022
    out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    rows = out.splitlines()[2:]
    assert rows
    names = " ".join(r.split()[0] for r in rows)
    assert "Noto-Serif-CJK-SC" in names.replace(" ", "-") or "NotoSerifCJK" in names
    assert "Sans" in names
    for row in rows:
        assert "Type 3" not in row, row
        emb, sub = row.split()[-5], row.split()[-4]
        assert (emb, sub) == ("yes", "yes"), row


def test_sample_case_text_reads_as_its_source(book2022):
    content, pdf, _ = book2022
    pages = _pages(pdf)
    starts = sorted(p for d, _, p in _outline(pdf) if d == 2)
    entry = next(e for e in content.entries if e.id == "shuanzheng-yinhang-jifen")
    start = {t: p for _, t, p in _outline(pdf)}[entry.title]
    end = next((p for p in starts if p > start), len(pages) - 1)
    body_lines = []
    for page in pages[start:end + 1]:  # the next case may begin on the page where this one ends
        lines = [ln for ln in page.splitlines() if ln.strip()]
        body_lines += lines[1:-1]  # drop the running head and the folio
    extracted = _norm("".join(body_lines))
    from lxml import html

    source = _norm("".join(html.fragment_fromstring(markdown_html(entry.body), create_parent="div").itertext()))
    for ph in entry.photos:  # a photo floats to the top or bottom of a page, its caption with it
        assert _norm(ph.caption) in extracted
        extracted = extracted.replace(_norm(ph.caption), "")
    assert source in extracted


def test_no_closing_punctuation_at_line_start_nor_opening_at_line_end(book2022):
    _content, pdf, _ = book2022
    starts = sorted(p for d, _, p in _outline(pdf) if d == 2)
    bad = []
    for page in starts:
        for line in _text(pdf, page + 1, layout=True).splitlines():
            s = line.strip()
            if len(s) > 20 and (s[0] in CLOSING or s[-1] in OPENING):
                bad.append(s)
    assert not bad


def test_body_lines_flush_at_both_ends(book2022):
    """From the PDF: full body lines of a case end at the type area's right edge (±0.5 pt)."""
    from generator.render.casebook.readback import read_lines

    content, pdf, _ = book2022
    starts = {t: p for _, t, p in _outline(pdf)}
    entry = next(e for e in content.entries if e.id == "shuanzheng-yinhang-jifen")
    after = min(p for _, _, p in _outline(pdf) if p > starts[entry.title])
    geo = geometry(content.paper)
    mm = 72 / 25.4
    flush, short = [], []
    for page in read_lines(pdf)[starts[entry.title]:after + 1]:  # left and right pages sit differently
        body = [ln for ln in page if abs(ln.size - 10.5) < 0.3 and len(ln.text) >= 30]
        # where most lines end; a closing mark set half-width at the line end (clreq) has its
        # glyph box reach half an em further, its ink stays inside
        right = statistics.mode(round(ln.x1, 1) for ln in body)
        left = min(ln.x0 for ln in body if ln.text[0] not in OPENING)  # an opening mark may hang
        assert abs((right - left) - geo["text_w"] * mm) < 2
        flush += [ln for ln in body if -0.5 <= right - ln.x1 <= 0.5
                  or ln.text[-1] in CLOSING and -5.3 <= right - ln.x1 <= 0.5]
        short += [ln for ln in body if right - ln.x1 > 0.5]
    assert len(flush) >= 10
    # only paragraph-final lines may fall short; they end a sentence
    assert all(ln.text[-1] in "。！？”）" for ln in short), short


def test_photos_are_jpeg_at_300_dpi(book2022):
    _, pdf, _ = book2022
    out = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True).stdout
    rows = [r.split() for r in out.splitlines()[2:] if r.strip()]
    assert len(rows) >= 7
    for r in rows:
        assert r[8] == "jpeg", r
        # the demo's cover picture is 2480 px wide: 292 ppi once carried into the bleed
        assert (290 if r[0] == "1" else 295) <= int(r[12]) <= 310, r


def test_paper_and_bleed(book2022, demo_network, demo_config, tmp_path):
    import pypdf

    _, pdf, _ = book2022
    page = pypdf.PdfReader(str(pdf)).pages[5]
    mm = 72 / 25.4
    assert round(float(page.trimbox.width) / mm) == 210 and round(float(page.trimbox.height) / mm) == 297
    assert round((float(page.mediabox.width) - float(page.trimbox.width)) / mm) == 6  # 3 mm bleed each side


@pytest.mark.slow
def test_16k_draft_marks_every_page(demo_network, demo_config, tmp_path):
    import pypdf

    book = find_book(demo_network, 2023)
    out = tmp_path / "draft.pdf"
    render_book(gather(demo_network, book, demo_config), demo_config, out, draft=True)
    page = pypdf.PdfReader(str(out)).pages[3]
    mm = 72 / 25.4
    assert (round(float(page.trimbox.width) / mm), round(float(page.trimbox.height) / mm)) == (185, 260)
    # the definition asks for no bleed; the print shop gets 3 mm all the same
    assert round((float(page.mediabox.width) - float(page.trimbox.width)) / mm) == 6
    pages = [_norm(p.extract_text()) for p in pypdf.PdfReader(str(out)).pages]
    assert all("征求意见稿" in p for p in pages), [i for i, p in enumerate(pages) if "征求意见稿" not in p]


def test_docx_draft(demo_network, demo_config, tmp_path):
    import docx

    from generator.render.casebook.word import render_docx

    content = gather(demo_network, find_book(demo_network, 2022), demo_config)
    out = render_docx(content, demo_config, tmp_path / "b.docx")
    doc = docx.Document(str(out))
    heads = {p.style.name: [] for p in doc.paragraphs}
    for p in doc.paragraphs:
        heads[p.style.name].append(p.text)
    assert [p.title for p in content.parts] == [t for t in heads["Heading 1"] if t in {p.title for p in content.parts}]
    assert heads["Heading 2"] == [e.title for e in content.entries]
    assert 'TOC \\o' in doc.element.xml
    assert len(doc.inline_shapes) == sum(len(e.photos) for e in content.entries)
    body = [p for p in doc.paragraphs if p.style.name == "Normal" and len(p.text) > 40 and p.alignment is None]
    assert body and all(p.paragraph_format.first_line_indent is not None for p in body)


def test_cli_unknown_year_lists_years(tree):
    from generator.cli import cli

    root = tree({"content/cases/2021/anli-yi.md": "---\ntitle: 案例一\nyear: 2021\nstations: [ceshi]\n---\n正文。\n",
                 "content/casebooks/2021.yml": "title: 选编\nselect: {year: 2021}\n",
                 "content/casebooks/2024.yml": "title: 选编\nselect: {year: 2021}\n"})
    res = CliRunner().invoke(cli, ["-f", str(root / "mkdocs.yml"), "casebook", "1999"], standalone_mode=True)
    assert res.exit_code == 2
    assert res.output.strip() == ("没有 1999 年的案例选编(content/casebooks/1999.yml);现有年份:2021、2024\n"
                                  "  (there is no case book for 1999 (content/casebooks/1999.yml); "
                                  "available years: 2021, 2024)")


def test_cli_content_error_stops(tree):
    from generator.cli import cli

    root = tree({"content/casebooks/2022.yml": "title: 选编\nselect: {year: 2022}\nchapters:\n  - {title: 篇, cases: [nope]}\n"})
    res = CliRunner().invoke(cli, ["-f", str(root / "mkdocs.yml"), "casebook", "2022"])
    assert res.exit_code == 1
    assert "找不到编号为 \"nope\" 的案例" in res.output


def test_web_edition(demo_network, demo_config):
    from bs4 import BeautifulSoup

    from generator.render.casebook.web import web_edition_html

    book = find_book(demo_network, 2022)
    soup = BeautifulSoup(web_edition_html(demo_network, book, demo_config), "html.parser")
    content = gather(demo_network, book, demo_config)
    links = [a["href"] for a in soup.select(".wm-casebook-toc a")]
    assert links == [f"../../cases/{e.id}/" for e in content.entries]
    assert [h.get_text() for h in soup.select(".wm-casebook-part h3")] == [p.title for p in content.parts]
    units = [s.get_text() for s in soup.select(".wm-casebook-unit")]
    assert units == [e.unit for e in content.entries if e.unit]
    assert soup.select_one("#preface h2").get_text() == content.preface.title
    assert "做人的工作" in soup.select_one("#preface").get_text()
    assert soup.select_one("#afterword")


@pytest.mark.parametrize("source, expected", [
    ("<p>每月5日兑换</p>", '<p>每月<span class="sl sr">5</span>日兑换</p>'),
    ("<p>Noto 字体</p>", "<p>Noto 字体</p>"),
    ("<p>他说：“好。”</p>", '<p>他说<span class="pc">：</span>“好<span class="pc">。</span>”</p>'),
    ("<p>一行\n二行</p>", "<p>一行二行</p>"),
    ("<p>one\ntwo</p>", "<p>one two</p>"),
])
def test_typography_wraps_but_never_adds_characters(source, expected):
    out = typeset_html(source)
    assert out == expected
    from lxml import html

    text = "".join(html.fragment_fromstring(out).itertext())
    assert text == "".join(html.fragment_fromstring(source).itertext()).replace("\n", "" if "行" in source else " ")


# --------------------------------------------------------------------------- the print shop's files


def test_print_files_boxes_signature_and_spine(book2022):
    """内文: trim 210×297 with 3 mm bleed on every page, pages a multiple of 4; 封面: back + spine + front."""
    import pikepdf

    from generator.render.casebook.typeset import spine_mm

    content, reading, report = book2022
    mm = 72 / 25.4
    with pikepdf.open(reading) as pdf:
        reading_pages = len(pdf.pages)
    with pikepdf.open(report.text_block) as pdf:
        pages = pdf.pages
        assert len(pages) % content.signature == 0 and len(pages) == report.block_pages
        assert reading_pages - 2 <= len(pages) < reading_pages - 2 + content.signature
        for page in pages:
            trim = [float(x) for x in page.obj.TrimBox]
            bleed = [float(x) for x in page.obj.BleedBox]
            media = [float(x) for x in page.obj.MediaBox]
            assert (round((trim[2] - trim[0]) / mm), round((trim[3] - trim[1]) / mm)) == (210, 297)
            assert [round((t - b) / mm, 1) for t, b in zip(trim[:2], bleed[:2])] == [3.0, 3.0]
            assert media[0] < bleed[0] and media[2] > bleed[2]  # crop marks outside the bleed
        assert "/GTS_PDFX" in str(pdf.Root.OutputIntents[0].S)
        # the text block starts with the title page, not the cover
        first = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(report.text_block), "-"],
                               capture_output=True, text=True, check=True).stdout
        assert _norm(content.title) in _norm(first)
    with pikepdf.open(report.cover) as pdf:
        (page,) = pdf.pages
        trim = [float(x) for x in page.obj.TrimBox]
        spine = spine_mm(report.block_pages, content.leaf_mm)
        assert spine == report.spine_mm == round(report.block_pages / 2 * 0.1, 1)
        assert abs((trim[2] - trim[0]) / mm - (2 * 210 + spine)) < 0.2
        assert round((trim[3] - trim[1]) / mm) == 297


def test_copyright_page_on_the_back_of_the_title_page(book2022):
    content, _, report = book2022
    text = _text(report.text_block, 2)
    flat = _norm(text)
    fields = report.colophon
    assert list(fields) == ["书名", "编者", "开本", "印张", "字数", "版次", "印次"]
    for key, value in fields.items():
        assert _norm(key + value) in flat, (key, value, text)
    assert fields["书名"] == "榆阳区新时代文明实践案例选编（2022）"
    assert fields["开本"].startswith("880 mm × 1230 mm")
    assert float(fields["印张"]) == report.block_pages / 16
    # 版面字数: 40 characters × 37 lines (a 243 mm type area, lines 1.75 × 10.5 pt apart) × pages
    assert fields["字数"] == f"{-(-report.block_pages * 40 * 37 // 1000)} 千字"
    assert _norm(content.title) in _norm(_text(report.text_block, 1))  # the title page before it


def test_copyright_fields_from_the_definition(demo_network, demo_config):
    from generator.render.casebook.typeset import colophon, pad_pages

    content = gather(demo_network, find_book(demo_network, 2022), demo_config)
    content.edition, content.printed, content.format = "2023 年 3 月第 2 版", "2023 年 5 月第 3 次印刷", "16 开"
    fields = colophon(content, 64)
    assert (fields["版次"], fields["印次"], fields["开本"], fields["印张"]) == (
        "2023 年 3 月第 2 版", "2023 年 5 月第 3 次印刷", "16 开", "4")
    assert [pad_pages(n, 4) for n in (25, 28, 29)] == [28, 28, 32]
    assert pad_pages(29, 16) == 32 and pad_pages(33, 16) == 48


def test_signature_and_paper_thickness_are_checked(tree):
    from generator.cli import cli

    root = tree({"content/casebooks/2022.yml": "title: 选编\nselect: {year: 2022}\n"
                 "print: {paper_thickness: 3cm, signature: 16}\n"})
    res = CliRunner().invoke(cli, ["-f", str(root / "mkdocs.yml"), "check"])
    assert "纸张厚度应写成每张(两页)的毫米数" in res.output and "paper_thickness" in res.output


def test_reading_copy_is_tagged_with_the_captions_as_alt_text(book2022):
    import pikepdf

    content, pdf, _ = book2022
    with pikepdf.open(pdf) as doc:
        assert doc.Root.MarkInfo.Marked
        assert str(doc.Root.Lang).startswith("zh")
        # checked against PDF/UA-1 by Typst when it wrote it; the claim survives the boxes added after
        assert str(doc.open_metadata().get("pdfuaid:part")) == "1"
        alts, kinds = [], set()
        stack = [doc.Root.StructTreeRoot]
        while stack:
            node = stack.pop()
            if isinstance(node, pikepdf.Dictionary):
                if "/S" in node:
                    kinds.add(str(node.S))
                if "/Alt" in node:
                    alts.append(str(node.Alt))
                kids = node.get("/K")
                if isinstance(kids, pikepdf.Array):
                    stack.extend(kids)
                elif isinstance(kids, pikepdf.Dictionary):
                    stack.append(kids)
    captions = [ph.caption for e in content.entries for ph in e.photos]
    assert captions and all(c in alts for c in captions), (captions, alts)
    assert {"/H1", "/H2", "/P", "/Figure"} <= kinds


def test_preflight_passes_on_the_print_files(book2022):
    from generator.preflight import preflight

    _, reading, report = book2022
    for path in (report.text_block, report.cover):
        errors = [p for p in preflight(path) if p.is_error]
        assert not errors, [p.format() for p in errors]
    assert not [p for p in preflight(reading, print_file=False) if p.is_error]


def test_cover_and_chapter_openers_run_into_the_bleed(book2022):
    """Rendered pages: the cover's colour and an opener's band reach the page edge (the bleed's)."""
    from PIL import Image

    _, pdf, _ = book2022
    opening = next(p for d, _, p in _outline(pdf) if d == 1 and p > 10)
    for page, edges in ((1, ("top", "left", "right", "bottom")), (opening + 1, ("top",))):
        out = Path(str(pdf) + f".{page}")
        subprocess.run(["pdftoppm", "-r", "20", "-f", str(page), "-l", str(page), "-singlefile", "-png",
                        str(pdf), str(out)], check=True)
        with Image.open(str(out) + ".png") as im:
            im = im.convert("RGB")
            w, h = im.size
            strips = {"top": [im.getpixel((x, 0)) for x in range(w // 4, 3 * w // 4)],
                      "bottom": [im.getpixel((x, h - 1)) for x in range(w // 4, 3 * w // 4)],
                      "left": [im.getpixel((0, y)) for y in range(h // 4, h // 2)],
                      "right": [im.getpixel((w - 1, y)) for y in range(h // 4, h // 2)]}
            for edge in edges:
                assert all(sum(px) < 720 for px in strips[edge]), (page, edge)


@pytest.mark.parametrize("year", [2022, 2023])
def test_clreq_counts_read_back_from_the_demo_books(year, demo_network, demo_config, tmp_path, book2022):
    from generator.render.casebook.readback import check_book

    content = gather(demo_network, find_book(demo_network, year), demo_config)
    pdf = book2022[1] if year == 2022 else tmp_path / "b.pdf"
    if year != 2022:
        render_book(content, demo_config, pdf)
    counts = check_book(pdf, geometry(content.paper), content.bleed_mm)
    assert counts.paragraph_ends > 30
    assert counts.runts == [] and counts.space_starts == [] and counts.split_units == []
    assert counts.headings_at_foot == [] and counts.photo_only == []
    assert len(counts.half_empty) * 20 <= counts.pages, counts.half_empty


def test_clreq_counts_catch_what_they_count(tmp_path):
    """The readback finds a 孤字, a line-start space and a split number in a PDF made to have them."""

    import typst

    from generator.render.casebook.readback import read_lines, text_checks

    src = tmp_path / "bad.typ"
    src.write_text(
        '#set page(width: 120mm, height: 110mm, margin: 10mm, footer: context counter(page).display())\n'
        '#set text(font: "Noto Serif CJK SC", size: 10.5pt, lang: "zh", costs: (runt: 0%))\n'
        '#set par(justify: true, first-line-indent: (amount: 2em, all: true))\n'
        + "村里把一间旧仓库改成兑换室，货架上摆着米面油、洗衣粉和学习用品#linebreak()品。\n\n"
        + "区级重点项目经费由实践所统一管理区级重点项目经费#linebreak(justify: true)#h(0.25em)2023年度区级重点"
          "项目经费由实践所统一管理。\n\n"
        + "经费由实践所统一管理区级重点项目经费由实践所统一管理也由2022#linebreak(justify: true)年度。\n\n"
        + "末段。\n\n#v(1fr)\n#block(text(size: 1.05em, weight: 700)[小标题])\n#pagebreak()\n次页正文。\n",
        encoding="utf-8")
    pdf = tmp_path / "bad.pdf"
    typst.compile(str(src), output=str(pdf))
    counts = text_checks(read_lines(pdf))
    assert counts.runts and counts.space_starts and counts.split_units and counts.headings_at_foot, counts


def test_user_text_is_data_not_typst_markup(tree, tmp_path):
    """Titles, units and bodies holding Typst syntax print as typed and run nothing."""
    from generator.config import load_config
    from generator.load import load

    evil = '#read("/etc/passwd") $x^2$ *粗* _斜_ <lbl> @lbl `code` \\\\ ] [ = 标题 // 注释'
    root = tree({
        "content/cases/2022/evil.md": f"---\ntitle: '{evil}'\nyear: 2022\ncategory: 理论宣讲\n"
                                      f"stations: [ceshi]\nauthor: '#sys.inputs'\n"
                                      "photos: [{src: images/x.jpg}]\n---\n\n"
                                      f"正文{evil}。\n\n#### 跳级的小标题\n\n正文。\n\n| 项目 | 人数 |\n| --- | --- |\n"
                                      "| 宣讲 | 12 |\n\n1. 第一\n2. 第二\n",
        "content/images/x.jpg": _jpeg(),
        "content/casebooks/2022.yml": "title: '选编 #pagebreak()'\nselect: {year: 2022}\n"
                                      "chapters:\n  - {title: '#panic()篇', categories: [理论宣讲]}\n",
    })
    config = load_config(root / "mkdocs.yml")
    net, problems = load(config)
    assert not problems.errors, [p.format() for p in problems.errors]
    content = gather(net, find_book(net, 2022), config)
    out = tmp_path / "evil.pdf"
    render_book(content, config, out)
    text = _norm(_text(out))
    assert _norm(evil) in text
    assert _norm("选编 #pagebreak()") in text and _norm("#panic()篇") in text and "#sys.inputs" in text
    assert "root:" not in text  # nothing was read from /etc/passwd
    assert "跳级的小标题" in text and "宣讲12" in text and "第一" in text
    import pikepdf

    with pikepdf.open(out) as pdf:  # a photo without a caption is described by its case's title
        assert pdf.Root.MarkInfo.Marked
        alts = [str(o.Alt) for o in pdf.objects if isinstance(o, pikepdf.Dictionary) and "/Alt" in o]
        assert f"{content.entries[0].title}的图片" in alts


def _jpeg() -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (900, 600), (90, 120, 160)).save(buf, "JPEG")
    return buf.getvalue()


@pytest.mark.slow
def test_300_page_book_clreq_and_cpu(tmp_path_factory):
    """A generated book of 300+ pages with 150 photos: clreq counts read back, and its CPU time."""
    import importlib.util
    import resource

    from generator.config import load_config
    from generator.load import load
    from generator.render.casebook.readback import check_book

    spec = importlib.util.spec_from_file_location("bench_casebook", Path(__file__).parent.parent
                                                  / "benchmarks" / "bench_casebook.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    base = bench.make_tree(tmp_path_factory.mktemp("big"), 110, 150)
    config = load_config(base / "mkdocs.yml")
    net, _ = load(config)
    content = gather(net, find_book(net, 2024), config)
    from generator.render.casebook.typeset import book_data

    book_data(content, config, Path(config.cache_path).resolve(), [])  # print copies made (the cache)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    report = render_book(content, config, base / "out" / "big.pdf")
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = after.ru_utime + after.ru_stime - usage.ru_utime - usage.ru_stime
    assert report.block_pages >= 300 and report.photos == 150  # the printed text block
    assert cpu <= 10, cpu
    counts = check_book(report.path, geometry("A4"), 3.0)
    assert counts.paragraph_ends > 800
    assert counts.runts == [] and counts.space_starts == [] and counts.split_units == []
    assert counts.headings_at_foot == [] and counts.photo_only == []
    assert len(counts.half_empty) * 20 <= counts.pages, counts.half_empty


def test_cli_writes_three_pdfs_and_preflights_them(project_root, tmp_path):
    """`wenming casebook 2022` as a new user runs it: reading copy, 内文, 封面, preflight passed."""
    from generator.cli import cli

    out = tmp_path / "casebook-2022.pdf"
    res = CliRunner().invoke(cli, ["-f", str(project_root / "mkdocs.yml"), "casebook", "2022", "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert "预检通过 (preflight passed)" in res.output
    for name in ("casebook-2022.pdf", "casebook-2022-内文.pdf", "casebook-2022-封面.pdf"):
        assert (tmp_path / name).stat().st_size > 10_000
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["casebook-2022.pdf", "casebook-2022-内文.pdf", "casebook-2022-封面.pdf"])  # no temporary files left


def test_five_mm_bleed_and_sixteen_page_signatures(tree, tmp_path):
    import pikepdf

    from generator.config import load_config
    from generator.load import load

    root = tree({
        "content/cases/2022/a.md": "---\ntitle: 一个案例\nyear: 2022\ncategory: 理论宣讲\nstations: [ceshi]\n---\n\n"
                                   + "村里把一间旧仓库改成兑换室，货架上摆着米面油、洗衣粉和学习用品。" * 12 + "\n",
        "content/casebooks/2022.yml": "title: 选编\nselect: {year: 2022}\npaper: B5\n"
                                      "print: {bleed: 5mm, marks: true, signature: 16, paper_thickness: 0.12mm}\n"
                                      "chapters:\n  - {title: 宣讲篇, categories: [理论宣讲]}\n",
    })
    config = load_config(root / "mkdocs.yml")
    net, _ = load(config)
    content = gather(net, find_book(net, 2022), config)
    report = render_book(content, config, tmp_path / "b.pdf")
    mm = 72 / 25.4
    assert report.block_pages == 16
    with pikepdf.open(report.text_block) as pdf:
        assert len(pdf.pages) == 16
        for page in pdf.pages:
            trim, bleed = [float(x) for x in page.obj.TrimBox], [float(x) for x in page.obj.BleedBox]
            assert (round((trim[2] - trim[0]) / mm), round((trim[3] - trim[1]) / mm)) == (176, 250)
            assert round((trim[0] - bleed[0]) / mm, 1) == 5.0 and round((bleed[3] - trim[3]) / mm, 1) == 5.0
    assert report.spine_mm == round(8 * 0.12, 1)
    assert report.colophon["开本"] == "700 mm × 1000 mm 1/16" and report.colophon["印张"] == "1"


def test_running_heads_and_folios_are_small_sans_in_grey(book2022):
    """As the stylesheet says: 8.5 pt sans at 73% black (#444) for heads and folios, body 10.5 pt in K."""
    import pikepdf

    from generator.render.casebook.readback import read_lines

    content, pdf, _ = book2022
    starts = {t: p for _, t, p in _outline(pdf)}
    page = starts[content.entries[0].title] + 1  # a page inside the first case
    lines = sorted(read_lines(pdf)[page], key=lambda ln: ln.y0)
    head, folio = lines[0], lines[-1]
    assert abs(head.size - 8.5) < 0.2 and abs(folio.size - 8.5) < 0.2, (head, folio)
    assert any(abs(ln.size - 10.5) < 0.2 for ln in lines[1:-1])
    with pikepdf.open(pdf) as doc:
        ops = pikepdf.parse_content_stream(doc.pages[page])
        fills = {tuple(round(float(x), 2) for x in operands) for operands, op in ops if str(op) == "k"}
        assert (0, 0, 0, 1) in fills and (0, 0, 0, 0.73) in fills, fills
        assert not [op for _, op in ops if str(op) in ("rg", "RG", "g")]
        fonts = [str(f.get("/BaseFont")) for f in doc.pages[page].Resources.Font.values()]
        assert any("Sans" in f for f in fonts) and any("Serif" in f for f in fonts), fonts
