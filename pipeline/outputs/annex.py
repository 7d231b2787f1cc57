"""The unit texts annex (python-docx): every unit's narrative, section by section, in a document of its own beside
the report. The report to the level above never carries the units' full texts (REPORT.md); the office attaches
this annex only if it wants to."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH

from pipeline.narratives.themes import groups_of_units, joined_labels
from pipeline.outputs import Written
from pipeline.outputs.docpage import setup
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
                # across the page ("đầy      đủ,      kịp      thời").
                lines = [line.strip() for line in text.split("\n") if line.strip()] or [""]
                paragraph = self.para("")
                paragraph.add_run(f"{name} ({code}): ").bold = True
                paragraph.add_run(lines[0])
                for line in lines[1:]:
                    paragraph = self.para(line)
                if shared.get(code):  # the groups of the draft this text counts in
                    # the labels' first words only: a label may be a whole sentence of the text it follows
                    paragraph.add_run(f" [Nhóm: {joined_labels(shared[code], words=8)}]").italic = True
