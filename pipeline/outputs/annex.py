"""The unit texts annex (python-docx): every unit's narrative, section by section, in a document of its own beside
the report. The report to the level above never carries the units' full texts (REPORT.md); the office attaches
this annex only if it wants to."""
from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.shared import Cm

from pipeline.narratives.split import unwrapped_lines
from pipeline.narratives.themes import groups_of_units, joined_labels
from pipeline.outputs import Written
from pipeline.outputs.docpage import FONT, setup
from pipeline.outputs.report import ANNEX_LIMIT, _Writer

if TYPE_CHECKING:
    from pipeline.consolidation import Consolidation
    from pipeline.form import FormSpec


def annex_fields(spec: FormSpec) -> list:
    """The narrative fields the annex holds (the recommendations are listed one by one in the workbook)."""
    return [f for f in spec.narrative_fields if f.code != spec.roles.recommendations]


def write_annex(consolidation: Consolidation, path: Path) -> Written:
    document = Document()
    setup(document)
    _AnnexWriter(document, consolidation).write()
    document.save(str(path))
    return Written(path)


class _AnnexWriter(_Writer):
    def write(self) -> None:
        self.para("PHỤ LỤC", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        self.para("THUYẾT MINH CỦA CÁC CĐCS THEO TỪNG MỤC", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        self.para(f"(Kèm theo Báo cáo số {self.spec.document_number} ngày … tháng … năm … của {self.spec.office})", italic=True,
                  align=WD_ALIGN_PARAGRAPH.CENTER)
        if self.data.unit_count > ANNEX_LIMIT:
            self.para(f"Có {self.data.unit_count} đơn vị, quá nhiều để in toàn văn vào phụ lục này. Toàn bộ nội dung "
                      "thuyết minh của từng đơn vị, theo từng mục, nằm trong trang \"Thuyết minh\" của bảng tổng hợp "
                      "Excel.", italic=True)
            return
        for field in annex_fields(self.spec):
            section = self.spec.section_by_code[field.section]
            self.heading(f"Mục {section.code}. {section.title}", 2)
            entries = self.data.narratives.get(field.code, [])
            if not entries:
                self.para("(Chưa có đơn vị nào viết mục này.)", italic=True)
            shared = groups_of_units(self.data.themes.get(field.code, []))
            for code, name, text in entries:
                # Each line its own paragraph: in a justified one, a line ending in a manual break is stretched
                # across the page ("đầy      đủ,      kịp      thời"); a line the unit's PDF or mail wrapped
                # inside a sentence joined back to it first, or every wrap would open an indented paragraph.
                lines = unwrapped_lines(text) or [""]
                # the labels' first words only: a label may be a whole sentence of the text it follows
                groups = f" [Nhóm: {joined_labels(shared[code], words=8)}]" if shared.get(code) else None
                self.unit_text(f"{name} ({code}): ", lines, groups)

    def unit_text(self, lead: str, lines: list[str], groups: str | None) -> None:
        """One unit's text: its name and code in bold before the first line, each line a paragraph, the groups it
        counts in (italic) after the last. Written as the paragraphs' XML, parsed at once: python-docx's calls cost
        about 150 µs a paragraph, 5 s for an annex of 300 units (tests/test_outputs.py holds the two byte for byte
        equal). A character XML cannot hold, which python-docx would refuse, is left out."""
        lead, groups, lines = _plain(lead), groups and _plain(groups), [_plain(line) for line in lines]
        paragraphs = [_PARAGRAPH.format(first=_FIRST_RUN.format(text=""), runs=_run(lead, "<w:rPr><w:b/></w:rPr>")
                                        + _run(lines[0]))]
        paragraphs += [_PARAGRAPH.format(first=_FIRST_RUN.format(text=_text(line)), runs="") for line in lines[1:]]
        if groups:
            paragraphs[-1] = paragraphs[-1][:-len("</w:p>")] + _run(groups, "<w:rPr><w:i/></w:rPr>") + "</w:p>"
        for element in parse_xml(f"<w:body {nsdecls('w')}>{''.join(paragraphs)}</w:body>"):
            self.section_properties.addprevious(element)
        self.since_heading = True


# A justified paragraph as _Writer.para makes it: indented first line, and a first run in the document's font.
_PARAGRAPH = (f'<w:p><w:pPr><w:ind w:firstLine="{Cm(1).twips}"/><w:jc w:val="both"/></w:pPr>{{first}}{{runs}}</w:p>')
_FIRST_RUN = (f'<w:r><w:rPr><w:rFonts w:ascii="{FONT}" w:hAnsi="{FONT}"/><w:b w:val="0"/><w:i w:val="0"/></w:rPr>'
              "{text}</w:r>")
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")  # what XML 1.0 cannot hold


def _plain(text: str) -> str:
    """A run's text without the characters XML cannot hold (python-docx refused them, and the annex failed)."""
    return _XML_ILLEGAL.sub("", text)


def _run(text: str, properties: str = "") -> str:
    return f"<w:r>{properties}{_text(text)}</w:r>" if text else f"<w:r>{properties}</w:r>"


def _text(text: str) -> str:
    """A run's content as python-docx writes it: each stretch of text escaped and, with a space at an end, marked
    to keep it; a tab as <w:tab/>, a line end as <w:br/>."""
    parts = []
    for piece in _BREAKS.split(text):
        if piece == "\t":
            parts.append("<w:tab/>")
        elif piece in ("\r", "\n"):
            parts.append("<w:br/>")
        elif piece:
            space = ' xml:space="preserve"' if len(piece.strip()) < len(piece) else ""
            parts.append(f"<w:t{space}>{piece.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')}</w:t>")
    return "".join(parts)


_BREAKS = re.compile(r"([\t\r\n])")
