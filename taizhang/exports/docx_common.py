"""Chinese office typography for the Word paperwork (python-docx).

What a Chinese office expects of a printed document (after GB/T 9704, the 公文 format):
A4 paper; the title in 宋体 bold 二号 (22 pt, standing in for 方正小标宋); first-level headings
in 黑体 三号 (16 pt), second-level in 楷体 三号; body text in 仿宋 三号 (16 pt) on a fixed 28 pt
line with a two-character first-line indent; tables in 宋体 五号 (10.5 pt) with ruled borders;
the page number centred in the footer as "— 1 —".

Word picks the font of Chinese characters from the `w:eastAsia` attribute of `w:rFonts`, which
python-docx's `font.name` does not set, and a theme attribute (`w:eastAsiaTheme`, …) overrides
an explicit name, so `set_fonts` removes those and names both the Chinese and the Latin font.
A machine without 仿宋/黑体/宋体/楷体 (LibreOffice on Linux) substitutes its CJK fonts.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from io import BytesIO

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.styles import styleId_from_name
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

FANGSONG = "仿宋"
HEITI = "黑体"
SONGTI = "宋体"
KAITI = "楷体"
LATIN_SERIF = "Times New Roman"
LATIN_SANS = "Arial"

BODY_SIZE = Pt(16)  # 三号
TITLE_SIZE = Pt(22)  # 二号
TABLE_SIZE = Pt(10.5)  # 五号
FOOTER_SIZE = Pt(14)  # 四号
LINE_EXACT = Pt(28)

TABLE_STYLE = "Table Grid"
# ASCII style names: Word derives the style id from the name.
TABLE_TEXT = "Table Text"
TABLE_TEXT_ID = styleId_from_name(TABLE_TEXT)
SUBTITLE = "Subtitle"
SIGNATURE = "Closing"
DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
BLACK = RGBColor(0, 0, 0)
HEADER_FILL = "D9D9D9"

_THEME_ATTRIBUTES = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


def set_fonts(rpr_owner, east_asia: str, latin: str = LATIN_SERIF) -> None:
    """Name the Chinese (`w:eastAsia`) and Latin fonts on an element that has an rPr (a
    run, a style, the document defaults), dropping theme fonts that would override them."""
    rpr = rpr_owner.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    for attribute in _THEME_ATTRIBUTES:
        fonts.attrib.pop(qn(attribute), None)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:cs"), latin)
    fonts.set(qn("w:eastAsia"), east_asia)


def _style_fonts(document: DocumentObject, name: str, east_asia: str, latin: str, size) -> None:
    style = document.styles[name]
    set_fonts(style.element, east_asia, latin)
    style.font.size = size
    style.font.color.rgb = BLACK


def _defaults(document: DocumentObject) -> None:
    """Document defaults: 仿宋 for Chinese, Times New Roman for Latin, language zh-CN (so a
    word processor picks simplified-Chinese glyphs and line breaking)."""
    defaults = document.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    fonts = rpr.find(qn("w:rFonts"))
    for attribute in _THEME_ATTRIBUTES:
        fonts.attrib.pop(qn(attribute), None)
    fonts.set(qn("w:ascii"), LATIN_SERIF)
    fonts.set(qn("w:hAnsi"), LATIN_SERIF)
    fonts.set(qn("w:cs"), LATIN_SERIF)
    fonts.set(qn("w:eastAsia"), FANGSONG)
    lang = rpr.find(qn("w:lang"))
    lang.set(qn("w:val"), "zh-CN")
    lang.set(qn("w:eastAsia"), "zh-CN")


def _styles(document: DocumentObject) -> None:
    styles = document.styles
    normal = styles["Normal"]
    _style_fonts(document, "Normal", FANGSONG, LATIN_SERIF, BODY_SIZE)
    body = normal.paragraph_format
    body.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    body.line_spacing = LINE_EXACT
    body.first_line_indent = BODY_SIZE * 2
    body.space_before = Pt(0)
    body.space_after = Pt(0)
    body.widow_control = True

    title = styles["Title"]
    _style_fonts(document, "Title", SONGTI, LATIN_SERIF, TITLE_SIZE)
    title.font.bold = True
    ppr = title.element.get_or_add_pPr()
    border = ppr.find(qn("w:pBdr"))
    if border is not None:
        ppr.remove(border)
    fmt = title.paragraph_format
    fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER
    fmt.first_line_indent = Pt(0)
    fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(12)
    title.font.spacing = Pt(0)
    _style_fonts(document, "Title Char", SONGTI, LATIN_SERIF, TITLE_SIZE)

    subtitle = styles[SUBTITLE]
    _style_fonts(document, SUBTITLE, KAITI, LATIN_SERIF, BODY_SIZE)
    subtitle.font.italic = False
    fmt = subtitle.paragraph_format
    fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER
    fmt.first_line_indent = Pt(0)
    fmt.space_after = Pt(12)

    for level, east_asia in ((1, HEITI), (2, KAITI)):
        name = f"Heading {level}"
        _style_fonts(
            document, name, east_asia, LATIN_SANS if level == 1 else LATIN_SERIF, BODY_SIZE
        )
        heading = styles[name]
        # 黑体 and 楷体 carry their own weight; the 公文 format sets neither in bold.
        heading.font.bold = False
        fmt = heading.paragraph_format
        fmt.first_line_indent = BODY_SIZE * 2
        fmt.space_before = Pt(6)
        fmt.space_after = Pt(0)
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = LINE_EXACT
        fmt.keep_with_next = True
        _style_fonts(document, f"Heading {level} Char", east_asia, LATIN_SERIF, BODY_SIZE)

    table_text = styles.add_style(TABLE_TEXT, WD_STYLE_TYPE.PARAGRAPH)
    table_text.base_style = normal
    set_fonts(table_text.element, SONGTI, LATIN_SERIF)
    table_text.font.size = TABLE_SIZE
    fmt = table_text.paragraph_format
    fmt.first_line_indent = Pt(0)
    fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
    fmt.space_before = Pt(1)
    fmt.space_after = Pt(1)

    signature = styles.add_style(SIGNATURE, WD_STYLE_TYPE.PARAGRAPH)
    signature.base_style = normal
    fmt = signature.paragraph_format
    fmt.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    fmt.first_line_indent = Pt(0)
    fmt.right_indent = BODY_SIZE * 2

    footer = styles["Footer"]
    set_fonts(footer.element, SONGTI, LATIN_SERIF)
    footer.font.size = FOOTER_SIZE
    footer.paragraph_format.first_line_indent = Pt(0)
    footer.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    footer.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _field(paragraph: Paragraph, instruction: str, placeholder: str = "1") -> None:
    """A field (PAGE, NUMPAGES) as begin/instruction/separate/result/end runs, the form both
    Word and LibreOffice update when the document is opened or printed."""
    run = paragraph.add_run()
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    run._r.append(begin)
    run = paragraph.add_run()
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = f" {instruction} "
    run._r.append(text)
    run = paragraph.add_run()
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    run._r.append(separate)
    paragraph.add_run(placeholder)
    run = paragraph.add_run()
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run._r.append(end)


def new_document(*, title: str, subject: str = "") -> DocumentObject:
    """An empty A4 document (21 × 29.7 cm; margins 2.54 cm top and bottom, 3.17 cm left and
    right, Word's Chinese defaults) with the styles above and page numbers in the footer."""
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width = Cm(21)
    section.page_height = Cm(29.7)
    section.top_margin = Cm(2.54)
    section.bottom_margin = Cm(2.54)
    section.left_margin = Cm(3.17)
    section.right_margin = Cm(3.17)
    section.header_distance = Cm(1.5)
    section.footer_distance = Cm(1.5)
    _defaults(document)
    _styles(document)
    footer = section.footer.paragraphs[0]
    footer.style = document.styles["Footer"]
    footer.add_run("— ")
    _field(footer, "PAGE")
    footer.add_run(" —")
    properties = document.core_properties
    properties.title = title
    properties.subject = subject
    properties.language = "zh-CN"
    properties.author = "台账"
    return document


def text_width(document: DocumentObject) -> int:
    section = document.sections[0]
    return section.page_width - section.left_margin - section.right_margin


def add_title(document: DocumentObject, title: str, subtitle: str = "") -> None:
    document.add_paragraph(title, style="Title")
    if subtitle:
        document.add_paragraph(subtitle, style=SUBTITLE)


def add_heading(document: DocumentObject, text: str, level: int = 1) -> Paragraph:
    return document.add_paragraph(text, style=f"Heading {level}")


def add_body(document: DocumentObject, text: str) -> list[Paragraph]:
    """Body text, one paragraph per line of `text` (people write their reports in lines)."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    return [document.add_paragraph(line) for line in lines]


def add_signature(document: DocumentObject, lines: Iterable[str]) -> None:
    """落款: the issuing org and the date, right-aligned under the text."""
    document.add_paragraph("")
    for line in lines:
        document.add_paragraph(line, style=SIGNATURE)


def _shade(cell: _Cell, fill: str) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    # Schema order inside tcPr: shd comes before these (Word asks to repair otherwise).
    tc_pr.insert_element_before(
        shading, "w:noWrap", "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign", "w:hideMark"
    )


def _repeat_header(row) -> None:
    """The header row repeats at the top of every page the table runs onto."""
    tr_pr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    tr_pr.insert_element_before(
        header, "w:tblCellSpacing", "w:jc", "w:hidden", "w:ins", "w:del", "w:trPrChange"
    )


def _cant_split(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    element = OxmlElement("w:cantSplit")
    tr_pr.insert_element_before(
        element, "w:trHeight", "w:tblHeader", "w:tblCellSpacing", "w:jc", "w:hidden"
    )


def set_cell(
    cell: _Cell, text: str, *, bold: bool = False, align: str = "left", fill: str = ""
) -> None:
    """Put `text` in a table cell (one paragraph per line) in the table text style."""
    lines = str(text).splitlines() or [""]
    first = cell.paragraphs[0]
    paragraphs = [first] + [cell.add_paragraph() for _line in lines[1:]]
    alignment = {
        "left": WD_ALIGN_PARAGRAPH.LEFT,
        "center": WD_ALIGN_PARAGRAPH.CENTER,
        "right": WD_ALIGN_PARAGRAPH.RIGHT,
    }[align]
    for paragraph, line in zip(paragraphs, lines, strict=True):
        # The style id straight into w:pStyle: `paragraph.style = name` makes python-docx
        # search every style twice per cell (a group summary's tables spent most of their
        # time there).
        paragraph._p.style = TABLE_TEXT_ID
        paragraph.alignment = alignment
        run = paragraph.add_run(line)
        run.bold = bold or None
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    if fill:
        _shade(cell, fill)


def add_table(
    document: DocumentObject,
    headers: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    widths_cm: Sequence[float] | None = None,
    align: Sequence[str] | None = None,
) -> Table:
    """A ruled table: a shaded, bold header row repeated on every page, then `rows`."""
    table = document.add_table(rows=1, cols=len(headers))
    table.style = document.styles[TABLE_STYLE]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    aligns = list(align or ["left"] * len(headers))
    for cell, header in zip(table.rows[0].cells, headers, strict=True):
        set_cell(cell, header, bold=True, align="center", fill=HEADER_FILL)
    _repeat_header(table.rows[0])
    for values in rows:
        row = table.add_row()
        _cant_split(row)
        for index, (cell, value) in enumerate(zip(row.cells, values, strict=True)):
            set_cell(cell, display(value), align=aligns[index])
    if widths_cm:
        set_widths(table, widths_cm)
    document.add_paragraph("")  # Word joins two tables that touch; a paragraph keeps them apart
    return table


def set_widths(table: Table, widths_cm: Sequence[float]) -> None:
    """Column widths on the grid and on every cell (a merged cell spans its columns' sum);
    Word reads the cells, LibreOffice the grid."""
    widths = [Cm(width) for width in widths_cm]
    for column, width in zip(table._tbl.tblGrid.gridCol_lst, widths, strict=False):
        column.w = width
    for row in table.rows:
        column = 0
        for tc in row._tr.tc_lst:
            span = tc.grid_span
            tc.width = sum(widths[column : column + span], start=Cm(0))
            column += span


def add_form(
    document: DocumentObject,
    rows: Sequence[Sequence[tuple[str, str]]],
    *,
    label_cm: float = 2.8,
    heights_cm: dict[int, float] | None = None,
) -> Table:
    """A form sheet (申报书, 检查记录): rows of (label, value) pairs, two pairs to a row, or one
    pair whose value spans the width. Labels are shaded and bold. `heights_cm` gives rows a
    minimum height by index (room to write an opinion or sign by hand)."""
    width = text_width(document) / 360000  # EMU per cm
    value_cm = (width - 2 * label_cm) / 2
    heights = heights_cm or {}
    table = document.add_table(rows=0, cols=4)
    table.style = document.styles[TABLE_STYLE]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for index, pairs in enumerate(rows):
        row = table.add_row()
        if index in heights:
            row.height = Cm(heights[index])
            row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
        if len(pairs) > 1 or index in heights:
            _cant_split(row)
        cells = row.cells
        if len(pairs) == 1:
            label, value = pairs[0]
            merged = cells[1].merge(cells[3])
            set_cell(cells[0], label, bold=True, align="center", fill=HEADER_FILL)
            set_cell(merged, value)
        else:
            for column, (label, value) in enumerate(pairs[:2]):
                set_cell(cells[column * 2], label, bold=True, align="center", fill=HEADER_FILL)
                set_cell(cells[column * 2 + 1], value)
    set_widths(table, [label_cm, value_cm, label_cm, value_cm])
    document.add_paragraph("")
    return table


def add_picture(document: DocumentObject, png: bytes, *, width_cm: float = 15) -> None:
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.first_line_indent = Pt(0)
    paragraph.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    paragraph.add_run().add_picture(BytesIO(png), width=Cm(width_cm))


def display(value: object) -> str:
    """A cell's text: decimals as they are kept (95.00 stays 95.00), dates as 2020-09-30,
    None as blank."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def format_decimal(value: Decimal, places: int | None = None) -> str:
    """`places` decimals, or as few as the value needs (500.0000 → 500)."""
    if places is not None:
        return f"{value:.{places}f}"
    return format(value.normalize(), "f")


def blank_date() -> str:
    """年 月 日 with room to write the date by hand, towards the right of a signature cell."""
    return "\u3000" * 14 + _("　　年　　月　　日")


def long_date(day: dt.date) -> str:
    """The date as a letter is dated in the active language (2020年9月30日)."""
    return date_format(day, "DATE_FORMAT")


def to_bytes(document: DocumentObject) -> bytes:
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()
