"""The Word draft (送审稿) for reviewers who comment in Word: python-docx, same content as the PDF."""

from __future__ import annotations

from pathlib import Path

from lxml import html as lxml_html

from .content import BookContent, markdown_html
from .typography import join_soft_breaks

BODY_FONT = "宋体"
HEAD_FONT = "黑体"


def _east_asian(run_or_style, name: str) -> None:
    from docx.oxml.ns import qn

    rpr = run_or_style.element.get_or_add_rPr() if hasattr(run_or_style.element, "get_or_add_rPr") \
        else run_or_style._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), name)


def _setup_styles(doc) -> None:
    from docx.shared import Pt, RGBColor

    normal = doc.styles["Normal"]
    normal.font.size = Pt(10.5)
    normal.font.name = "Times New Roman"
    _east_asian(normal, BODY_FONT)
    normal.paragraph_format.line_spacing = 1.5
    for name, size in (("Title", 22), ("Heading 1", 16), ("Heading 2", 14), ("Heading 3", 11)):
        st = doc.styles[name]
        st.font.size = Pt(size)
        st.font.color.rgb = RGBColor(0, 0, 0)
        _east_asian(st, HEAD_FONT)


def _toc_field(doc) -> None:
    """A TOC field; Word fills it in when the reader updates fields (F9)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    para = doc.add_paragraph()
    run = para.add_run()
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = 'TOC \\o "1-2" \\h \\z \\u'
    sep = OxmlElement("w:fldChar")
    sep.set(qn("w:fldCharType"), "separate")
    text = OxmlElement("w:t")
    text.text = "(目录:在 Word 中右键此处选择「更新域」生成)"
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    for el in (begin, instr, sep, text, end):
        run._r.append(el)


def _add_blocks(doc, fragment: str, first_indent) -> None:
    """Headings and paragraphs of a rendered Markdown body as Word paragraphs."""
    if not fragment.strip():
        return
    root = lxml_html.fragment_fromstring(fragment, create_parent="div")
    for el in root:
        if not isinstance(el.tag, str):
            continue
        text = join_soft_breaks("".join(el.itertext()))
        if el.tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            doc.add_heading(text, level=3)
        elif el.tag in ("ul", "ol"):
            for li in el.iter("li"):
                doc.add_paragraph(join_soft_breaks("".join(li.itertext())).strip(),
                                  style="List Bullet" if el.tag == "ul" else "List Number")
        elif el.tag == "blockquote":
            for p in el.iter("p"):
                doc.add_paragraph(join_soft_breaks("".join(p.itertext())), style="Quote")
        else:
            para = doc.add_paragraph()
            para.paragraph_format.first_line_indent = first_indent
            if el.text:
                para.add_run(join_soft_breaks(el.text))
            for child in el:
                if isinstance(child.tag, str):
                    run = para.add_run(join_soft_breaks("".join(child.itertext())))
                    run.bold = child.tag in ("strong", "b")
                if child.tail:
                    para.add_run(join_soft_breaks(child.tail))


def render_docx(content: BookContent, config, output: Path, *, draft: bool = False) -> Path:
    import docx
    from docx.enum.section import WD_SECTION
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.shared import Mm, Pt

    from .pdf import geometry, photo_width_mm, print_copy

    geo = geometry(content.paper)
    doc = docx.Document()
    _setup_styles(doc)
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(geo["page_w"]), Mm(geo["page_h"])
    section.left_margin = section.right_margin = Mm((geo["m_inner"] + geo["m_outer"]) / 2)
    section.top_margin, section.bottom_margin = Mm(geo["m_top"]), Mm(geo["m_bottom"])
    header = section.header.paragraphs[0]
    header.text = f"{content.title} {content.subtitle}  送审稿" + ("(征求意见稿)" if draft else "")
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    indent = Pt(21)

    doc.core_properties.title = f"{content.title} {content.subtitle}".strip()
    doc.core_properties.author = content.editor
    title = doc.add_paragraph(content.title, style="Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for line in (content.subtitle, content.editor, "送审稿" + ("·征求意见稿" if draft else "")):
        if line:
            p = doc.add_paragraph(line)
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_page_break()
    if content.preface:
        doc.add_heading(content.preface.title, level=1)
        _add_blocks(doc, markdown_html(content.preface.body), indent)
        doc.add_page_break()
    doc.add_paragraph("目录", style="Title").alignment = WD_ALIGN_PARAGRAPH.CENTER
    _toc_field(doc)
    for part in content.parts:
        doc.add_section(WD_SECTION.NEW_PAGE)
        doc.add_heading(part.title, level=1)
        for i, e in enumerate(part.entries):
            if i:
                doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
            doc.add_heading(e.title, level=2)
            for line in (e.unit, "　".join(x for x in (f"作者:{e.author}" if e.author else "",
                                                      f"来源:{e.source}" if e.source else "") if x)):
                if line:
                    p = doc.add_paragraph(line)
                    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _add_blocks(doc, markdown_html(e.body), indent)
            for ph in e.photos:
                if not ph.path.is_file():
                    continue
                from PIL import Image

                with Image.open(ph.path) as im:
                    size = im.size
                width = photo_width_mm(size, geo["text_w"], geo["text_h"] * 0.42)
                # a review draft travels by e-mail: 150 dpi is plenty
                copy = print_copy(config, ph.path, width / 2)
                doc.add_picture(str(copy), width=Mm(width))
                doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
                if ph.caption:
                    cap = doc.add_paragraph(ph.caption, style="Caption")
                    cap.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if content.afterword:
        doc.add_section(WD_SECTION.NEW_PAGE)
        doc.add_heading(content.afterword.title, level=1)
        _add_blocks(doc, markdown_html(content.afterword.body), indent)
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(output.name + ".part")
    doc.save(str(tmp))
    tmp.replace(output)
    return output
