"""The draft province report (python-docx): outline I–V with the totals written in, as an administrative document
(NĐ 30/2020: letterhead, page numbers from page 2, "Nơi nhận", signature). What the tool says to the office (a
draft to check, a part to write, where the units' full texts are) is a Word comment, never body text: "Delete all
comments" leaves a clean page. The units' full texts are a separate document (annex.py)."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.shared import Cm, Pt
from docx.text.paragraph import Paragraph

from pipeline.form import FORM_KEYS
from pipeline.narratives import draft
from pipeline.narratives.themes import thesaurus_for
from pipeline.office_part import OfficePart, office_label, office_part_name
from pipeline.outputs import Written, annex_name, sentences
from pipeline.outputs.docpage import FONT, RULE, column_widths, rule, setup
from pipeline.previous.compare import basis_lead, basis_words, like_for_like_note
from pipeline.vietnamese import lower_first, upper_first, vn_number, vn_percent

if TYPE_CHECKING:
    from pipeline.consolidation import Consolidation

PLACEHOLDER = "[Văn phòng bổ sung nhận định chung cho mục này.]"
SCOPE_MARK = "{scope}"  # where a sentence of the spec says on how many units its figures rest
ANNEX_LIMIT = 500  # units; beyond this an annex of every text runs to thousands of pages: the workbook holds them
AUTHOR, INITIALS = "Công cụ tổng hợp", "CT"  # who the comments are from, as Word shows it


def write_report(consolidation: Consolidation, path: Path) -> Written:
    document = Document()
    setup(document)
    writer = _ReportWriter(document, consolidation)
    writer.write()
    document.save(str(path))
    return Written(path)


class _Writer:
    """Paragraphs appended to a document in constant time, and the tool's notes as comments."""

    def __init__(self, document, consolidation: Consolidation) -> None:
        self.doc = document
        self.section_properties = document.element.body.sectPr
        self.spec = consolidation.spec
        self.data = consolidation.figures
        self.since_heading = False  # whether the part under the last heading has any content yet
        self.last_heading: Paragraph | None = None

    def new_paragraph(self) -> Paragraph:
        """A paragraph at the end of the body in constant time: python-docx's own add_paragraph looks for the
        section properties among all the body's children each time, which is quadratic over a large annex."""
        element = OxmlElement("w:p")
        self.section_properties.addprevious(element)
        return Paragraph(element, self.doc._body)

    def para(self, text: str = "", bold=False, italic=False, align=WD_ALIGN_PARAGRAPH.JUSTIFY, size=None,
             indent=True):
        paragraph = self.new_paragraph()
        paragraph.alignment = align
        if indent and align == WD_ALIGN_PARAGRAPH.JUSTIFY:
            paragraph.paragraph_format.first_line_indent = Cm(1)
        run = paragraph.add_run(text)
        run.bold, run.italic = bold, italic
        run.font.name = FONT
        if size:
            run.font.size = Pt(size)
        self.since_heading = True
        return paragraph

    def heading(self, text: str, level: int) -> None:
        self.last_heading = self.para(text, bold=True, italic=level == 2, align=WD_ALIGN_PARAGRAPH.LEFT)
        self.since_heading = False

    def comment(self, first: Paragraph, text: str, *more: str, last: Paragraph | None = None) -> None:
        """A note for the office on the paragraphs from `first` to `last`: Word's "Delete all comments" clears it."""
        runs = [first.runs[0] if first.runs else first.add_run(), *((last or first).runs[-1:] or [first.runs[0]])]
        note = self.doc.add_comment(runs, text=text, author=AUTHOR, initials=INITIALS)
        for line in more:
            note.add_paragraph(line)

    def where_to_write(self, text: str, *more: str) -> None:
        """A note about a part with nothing drafted: on an empty paragraph where the office writes when the part
        has nothing else, on the part's heading otherwise."""
        anchor = self.para("") if not self.since_heading or self.last_heading is None else self.last_heading
        self.comment(anchor, text, *more)


class _ReportWriter(_Writer):
    def __init__(self, document, consolidation: Consolidation) -> None:
        super().__init__(document, consolidation)
        self.thesaurus = thesaurus_for(consolidation.spec)
        self.ledger = consolidation.ledger
        self.previous = consolidation.previous
        self.changes = consolidation.changes
        self.compared = consolidation.compared
        self.moved = (sentences.Movements(self.changes, basis_lead(self.previous, self.compared))
                      if self.previous else None)
        self.noted = False  # the like-for-like note, under the first table of key figures only
        self.office = consolidation.office_part or OfficePart(Path(""), "")
        self.scoped = False  # whether the part being written has said on how many units its figures rest
        self.captioned = False  # whether the section being written has a table of the office's own figures
        code, name = self.spec.roles.unit_code, self.spec.roles.unit_name
        self.names = {str(r[code]): str(r[name]) for r in self.data.units[[code, name]].to_dict("records")}
        # Who the office's report goes back down to: its CĐCS, or, at the level above, its member unions too
        self.below = "Các đơn vị" if self.ledger.rollups else "Các CĐCS"

    # ------------------------------------------------------------ building blocks
    def table(self, header: list[str], rows: list[list[str]], widths: list[float]) -> None:
        table = self.doc.add_table(rows=1, cols=len(header))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for cell, text in zip(table.rows[0].cells, header):
            self._cell(cell, text, bold=True, center=True)
        for values in rows:
            cells = table.add_row().cells
            for index, (cell, text) in enumerate(zip(cells, values)):
                self._cell(cell, text, center=index != 1, right=index >= 2 and len(header) > 2)
        column_widths(table, widths)
        self.doc.add_paragraph()
        self.since_heading = True

    @staticmethod
    def _cell(cell, text: str, bold=False, center=False, right=False) -> None:
        paragraph = cell.paragraphs[0]
        paragraph.alignment = (WD_ALIGN_PARAGRAPH.RIGHT if right else
                               WD_ALIGN_PARAGRAPH.CENTER if center else WD_ALIGN_PARAGRAPH.LEFT)
        paragraph.paragraph_format.first_line_indent = Cm(0)
        paragraph.paragraph_format.space_after = Pt(0)
        run = paragraph.add_run(text)
        run.bold = bold
        run.font.size = Pt(12)
        run.font.name = FONT

    # ------------------------------------------------------------ the document
    def write(self) -> None:
        self.letterhead()
        self.intro()
        for top in (s for s in self.spec.sections if s.parent is None and s.code != self.spec.unit_section):
            self.heading(top.heading, 1)
            heading, self.scoped = self.last_heading, False  # the scope is said once per part, first
            children = [s for s in self.spec.sections if s.parent == top.code]
            self.section_body(top)  # a parent's own sentences stand above its parts
            for child in children:
                self.heading(child.heading, 2)
                self.section_body(child)
            if not any(c.code in self.office.texts for c in (top, *children)):
                self.comment(heading, self.office_missing(top))
        # Which units did not report is for chasing them (the workbook's "Tình hình nộp"), not for the level
        # above; the units' full texts are the annex, a document of its own.
        self.closing()

    def office_missing(self, section) -> str:
        where = (f"ghi vào tệp {office_part_name(self.spec)} (tạo bằng: consolidate template --office-part) rồi chạy "
                 "lại, hoặc viết thẳng vào đây")
        if section.code == self.spec.plans_section:
            return (f"[Mục này là nhiệm vụ, giải pháp và chỉ tiêu của chính văn phòng năm {self.spec.year + 1}: {where}. "
                    "Dưới đây chỉ là những việc các CĐCS tự đề ra.]")
        return f"[Phần văn phòng đã chỉ đạo, thực hiện cho mục này (đặt trước phần tổng hợp từ các CĐCS): {where}.]"

    def letterhead(self) -> None:
        table = self.doc.add_table(rows=1, cols=2)
        widths = [9.2, 7.6]  # a little into the right margin, as letterheads often do: the issuer on two lines
        column_widths(table, widths)
        left, right = table.rows[0].cells
        for cell, width, lines in (
            (left, widths[0], [(self.spec.parent_org, False), (self.spec.issuer, True), (RULE, False),
                               (f"Số: {self.spec.document_number}", False)]),
            # a union heads its documents with its own name, not the national motto (REPORT.md)
            (right, widths[1], [("CÔNG ĐOÀN VIỆT NAM", True), (RULE, False),
                                (f"{self.spec.place}, ngày … tháng … năm …", None)]),
        ):
            cell.paragraphs[0].text = ""
            for index, (text, bold) in enumerate(lines):
                paragraph = cell.paragraphs[0] if index == 0 else cell.add_paragraph()
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
                paragraph.paragraph_format.first_line_indent = Cm(0)
                paragraph.paragraph_format.space_after = Pt(0)
                if text is RULE:
                    rule(paragraph, width)
                    continue
                run = paragraph.add_run(text)
                run.bold = bool(bold)
                run.italic = bold is None
                run.font.size = Pt(10.5 if cell is left else 11)
                run.font.name = FONT
        self.doc.add_paragraph()
        self.para("BÁO CÁO", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, size=15)
        # under "BÁO CÁO", the title without its own "Báo cáo" ("Kết quả hoạt động Công đoàn năm 2023, …")
        wording = self.spec.title
        wording = upper_first(wording[len("Báo cáo "):]) if wording.casefold().startswith("báo cáo ") else wording
        title = self.para(wording, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        self.comment(title, "[Dự thảo do công cụ tổng hợp lập từ báo cáo của các CĐCS: văn phòng đọc lại, sửa, ghi "
                            "số, ngày trước khi ban hành. Xóa mọi ghi chú: Xem lại > Xóa > Xóa tất cả chú thích.]")

    def intro(self) -> None:
        units = self.ledger.units
        sent = sum(u.state in ("on_time", "late") for u in units)
        wording = self.spec.intro or ("Trên cơ sở báo cáo của {units} Công đoàn cơ sở ({share} số đơn vị), "
                                      "{office} tổng hợp {short_title} như sau:")
        names = {key: getattr(self.spec, key) for key in FORM_KEYS}
        self.para(wording.format(**names, next_year=self.spec.year + 1, units=self.data.unit_count, scope=self.scope,
                                 share=vn_percent(sent if len(units) == self.ledger.expected else self.data.unit_count,
                                                  self.ledger.expected), period_phrase=self.spec.period_phrase))
        rolled = self.ledger.rollups
        if rolled:  # at the level above: whose reports the figures come from
            offices = "; ".join(f"{r.submission.unit_name or r.submission.unit}: {len(r.parts)}"
                                + (f"/{r.submission.rollup['expected']}" if r.submission.rollup.get("expected") else "")
                                + " CĐCS" for r in sorted(rolled, key=lambda r: str(r.submission.unit)))
            direct = self.data.unit_count - sum(len(r.parts) for r in rolled)
            self.para(f"Số liệu tổng hợp từ bảng tổng hợp của {len(rolled)} công đoàn cấp trên cơ sở ({offices})"
                      + (f" và báo cáo của {direct} CĐCS trực thuộc." if direct else "."))
        if self.previous is not None and self.previous.units:
            roster = {u.unit.code for u in self.ledger.units} if self.ledger.roster_given else None
            self.para(sentences.both_periods_sentence(self.previous, self.data, self.spec, self.compared is not None,
                                                      roster), italic=True)

    @property
    def scope(self) -> str:
        """On how many units the figures rest: "Theo báo cáo của 32/40 CĐCS" (of the roster, when there is one)."""
        units = self.data.unit_count
        return (f"Theo báo cáo của {units}/{self.ledger.expected} CĐCS" if self.ledger.roster_given
                else f"Theo báo cáo của {units} CĐCS")

    def scoped_text(self, text: str) -> str:
        """The units' figures, opening with their scope the first time in a part ("{scope}" where a sentence of
        the spec places it)."""
        if SCOPE_MARK in text:
            self.scoped = True
            return text.replace(SCOPE_MARK, self.scope)
        if self.scoped:
            return text
        self.scoped = True
        return f"{self.scope}, {lower_first(text)}"

    def section_body(self, section) -> None:
        self.captioned = False
        self.office_text(section.code)
        self.office_figures(section.code)
        named = sentences.named_in_sentences(self.spec, self.data, section.code)
        tabled = [f for f in self.spec.fields_in(section.code) if f.is_numeric and f.code not in named]
        in_table = len(tabled) >= 2 or (len(tabled) == 1 and bool(named))
        text = sentences.section_sentences(self.spec, self.data, section.code, self.moved)
        if text:
            self.para(self.scoped_text(text))
        lead = self.scope if not self.scoped else "Kết quả tổng hợp từ báo cáo của các CĐCS"
        listed = sentences.figures_sentence(self.spec, self.data, section.code, self.moved, lead=lead,
                                            numeric=not in_table and not named)
        if listed:
            self.scoped = True
            self.para(listed)
        if in_table:
            if self.captioned:  # beside the office's own table: say whose figures this one holds
                self.para("Tổng hợp từ báo cáo của các CĐCS:", italic=True, size=12)
            self.key_figures(tabled)
        narratives = [f for f in self.spec.fields_in(section.code) if f.kind == "narrative"]
        plans = self.spec.plans_section is not None and self.spec.plans_section in (section.code, section.parent)
        for field in narratives:
            entries = self.data.narratives.get(field.code, [])
            groups = self.data.themes.get(field.code, [])
            if field.code == self.spec.roles.recommendations:
                self.recommendations(entries, groups)
                continue
            where = ""
            if entries:
                where = (f"tệp {annex_name(self.spec.id)}, mục {section.code}" if self.data.unit_count <= ANNEX_LIMIT
                         else "trang \"Thuyết minh\" của bảng tổng hợp Excel")
                where = f"[Nội dung chi tiết của {len(entries)} đơn vị: xem {where}.]"
            if plans:
                self.units_plans(groups, where)
            else:
                self.drafted(field, groups, where)

    def office_text(self, section: str) -> None:
        """What the office wrote for the section, first, paragraph by paragraph as it typed them."""
        for line in self.office.texts.get(section, "").split("\n"):
            if line.strip():
                self.para(line.strip())

    def office_figures(self, section: str) -> None:
        fields = [f for f in self.spec.office_fields_in(section) if f.code in self.office.figures]
        if not fields:
            return
        rows = [[str(i), office_label(self.spec, f), "%" if f.kind == "percent" else f.unit,
                 vn_number(self.office.figures[f.code], 0 if float(self.office.figures[f.code]).is_integer() else 1)]
                for i, f in enumerate(fields, 1)]
        plans = self.spec.plans_section in (section, self.spec.section_by_code[section].parent)
        self.para(f"Chỉ tiêu năm {self.spec.year + 1} của {self.spec.office}:" if plans
                  else f"Số liệu của {self.spec.office}:", italic=True, size=12)
        self.table(["STT", "Chỉ tiêu", "Đơn vị tính", "Chỉ tiêu" if plans else "Số liệu"], rows, [1.4, 9.6, 2.4, 2.6])
        self.captioned = True

    def units_plans(self, groups, where: str) -> None:
        """Next year's part: the office's tasks come first; what the units set themselves is one short paragraph."""
        text = draft.plans(groups, self.data.unit_count, self.names, self.thesaurus)
        if not text:
            self.where_to_write(PLACEHOLDER, *filter(None, [where]))
            return
        paragraph = self.para(f"Các CĐCS đề ra: {text}.")
        self.comment(paragraph, draft.MARK, *filter(None, [where]))

    def key_figures(self, fields) -> None:
        """The section's figures no sentence states, in a table: a figure is said once."""
        rows = [[str(i), f.label, f.unit, vn_number(self.data.totals.get(f.code))] for i, f in enumerate(fields, 1)]
        heading = f"Tổng hợp ({self.scope.removeprefix('Theo báo cáo của ')})"
        if self.previous is None:
            # Totals run to 15 characters (130.908.889.430 đồng): their column holds them on one line.
            self.table(["STT", "Chỉ tiêu", "Đơn vị tính", heading], rows, [1.4, 8.0, 2.2, 4.4])
            return
        for row, f in zip(rows, fields):
            moved = self.changes[f.code]
            row += [vn_number(moved.previous), "" if moved.percent is None else vn_number(moved.percent, 1) + "%"]
        self.table(["STT", "Chỉ tiêu", "Đơn vị tính", heading, self.previous.heading + basis_words(self.compared),
                    "Tăng/giảm (%)"], rows,
                   [1.4, 4.3, 1.9, 3.1, 3.1, 2.2])
        if self.compared is not None and not self.noted:
            self.para(like_for_like_note(self.previous, self.compared, self.data.unit_count), italic=True, size=12)
            self.noted = True

    def drafted(self, field, groups, where: str) -> None:
        """What units wrote for this part, drafted: the points several raise, then specifics; a comment on them
        marks them as a draft (and says where the units' full texts are)."""
        lines = draft.points(groups, self.data.unit_count, self.names, self.thesaurus)
        if not lines:
            self.where_to_write(PLACEHOLDER, *filter(None, [where]))
            return
        written = [self.para(f"– {line}.") for line in lines]
        self.comment(written[0], draft.MARK, *filter(None, [where]), last=written[-1])

    def recommendations(self, entries: list[tuple[str, str, str]], groups) -> None:
        if not entries:
            self.where_to_write("[Chưa có đơn vị nào nêu kiến nghị, đề xuất: văn phòng bổ sung kiến nghị của mình, "
                                "nếu có.]")
            return
        first = last = self.para(f"Tổng hợp kiến nghị, đề xuất của {len(entries)} CĐCS, theo nơi nhận:")
        for heading, units, lines in draft.by_addressee(groups, self.data.unit_count, self.names, self.thesaurus):
            last = self.para("", align=WD_ALIGN_PARAGRAPH.LEFT)
            last.add_run(f"{heading} ({units} đơn vị nêu):").bold = True
            for line in lines:
                last = self.para(f"– {line}.")
        self.comment(first, draft.MARK,
                     "[Toàn văn kiến nghị của từng đơn vị: xem trang \"Kiến nghị\" của bảng tổng hợp Excel.]", last=last)

    def closing(self) -> None:
        self.doc.add_paragraph()
        table = self.doc.add_table(rows=1, cols=2)
        column_widths(table, [8, 8])
        left, right = table.rows[0].cells
        left.paragraphs[0].text = ""
        lines = [("Nơi nhận:", True, True), (f"- {self.spec.recipient} (để b/c);", False, False),
                 (f"- {self.below} trực thuộc;", False, False), ("- Lưu: VT.", False, False)]
        for index, (text, bold, italic) in enumerate(lines):
            paragraph = left.paragraphs[0] if index == 0 else left.add_paragraph()
            paragraph.paragraph_format.space_after = Pt(0)
            run = paragraph.add_run(text)
            run.bold, run.italic = bold, italic
            run.font.size = Pt(12 if index == 0 else 11)
        signature = [("TM. BAN THƯỜNG VỤ", True), ("CHỦ TỊCH", True), ("", False), ("", False), ("", False),
                     (self.spec.signer, True)]
        for index, (text, bold) in enumerate(signature):
            paragraph = right.paragraphs[0] if index == 0 else right.add_paragraph()
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            paragraph.paragraph_format.space_after = Pt(0)
            run = paragraph.add_run(text)
            run.bold = bold
