"""The page of the office's Word documents (report.py, annex.py), as NĐ 30/2020 lays it out: A4, Times New Roman,
the margins, page numbers centred at the top from page 2, tables of fixed widths, the letterhead's short rules."""
from __future__ import annotations

from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

FONT = "Times New Roman"


def column_widths(table, widths_cm: list[float]) -> None:
    """Fixed column widths: Word honours cell widths, LibreOffice needs the grid columns too."""
    table.autofit = False
    preferred = table._tbl.tblPr.find(qn("w:tblW"))
    preferred.set(qn("w:type"), "dxa")
    preferred.set(qn("w:w"), str(int(sum(widths_cm) * 567)))  # twips: LibreOffice sizes by this, not the grid
    for column, width in zip(table.columns, widths_cm):
        column.width = Cm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths_cm):
            cell.width = Cm(width)


def setup(document) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(2), Cm(2)
    section.left_margin, section.right_margin = Cm(3), Cm(2)
    for name in ("Normal", "Table Grid"):
        style = document.styles[name]
        style.font.name = FONT
        # Word picks the East Asian font slot for some Vietnamese letters unless it is set too.
        style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
    normal = document.styles["Normal"]
    normal.font.size = Pt(14)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.15
    page_numbers(section)


RULE = "\x00rule"  # a letterhead line drawn as a short rule under the name above it


def rule(paragraph, cell_width_cm: float, length_cm: float = 3.0) -> None:
    """A short centred line under the issuer's name, as NĐ 30/2020 draws it: the paragraph's bottom border, the
    paragraph indented to the rule's length."""
    indent = Cm(max(0.0, (cell_width_cm - length_cm) / 2))
    paragraph.paragraph_format.left_indent = paragraph.paragraph_format.right_indent = indent
    paragraph.paragraph_format.line_spacing = Pt(4)
    border, bottom = OxmlElement("w:pBdr"), OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "auto")):
        bottom.set(qn(key), value)
    border.append(bottom)
    properties = paragraph._p.get_or_add_pPr()
    properties.insert_element_before(border, "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap",
                                     "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi",
                                     "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing",
                                     "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection",
                                     "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle",
                                     "w:rPr", "w:sectPr", "w:pPrChange")


def page_numbers(section) -> None:
    """The page number centred at the top from page 2; page 1 (letterhead) has an empty header of its own."""
    section.different_first_page_header_footer = True
    section.first_page_header.is_linked_to_previous = False  # defined and empty, not inherited
    paragraph = section.header.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.first_line_indent = Cm(0)

    def run_with(*elements):
        run = paragraph.add_run()
        run.font.name, run.font.size = FONT, Pt(14)
        for element in elements:
            run._r.append(element)
        return run

    def field_char(kind: str):
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        return element

    instruction = OxmlElement("w:instrText")
    instruction.set(qn("xml:space"), "preserve")
    instruction.text = " PAGE "
    run_with(field_char("begin"))
    run_with(instruction)
    run_with(field_char("separate"))
    run_with().text = "2"  # shown until the field is updated; Word and LibreOffice update it on opening
    run_with(field_char("end"))
