"""Fonts, fills and page setup shared by the template's sheets: the look of an office document."""
from __future__ import annotations

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

FONT = "Times New Roman"
INPUT_FILL = "#FFF9DB"
ERROR_FILL = "#F8CBAD"


def page_setup(sheet: Worksheet, portrait: bool) -> None:
    sheet.set_paper(9)  # A4
    sheet.set_portrait() if portrait else sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.set_margins(left=0.6, right=0.4, top=0.6, bottom=0.6)
    sheet.set_footer(f'&C&"{FONT}"&10Trang &P/&N')
    sheet.hide_gridlines(2)


def template_formats(workbook: Workbook) -> dict:
    base = {"font_name": FONT, "font_size": 12, "valign": "vcenter"}
    cell = {**base, "border": 1, "text_wrap": True}
    entry = {**cell, "locked": False, "bg_color": INPUT_FILL}
    specs = {
        "head_org": {**base, "bold": True, "align": "center"},
        "head_unit": {**base, "bold": True, "align": "center"},
        "head_motto": {**base, "bold": True, "italic": True, "underline": 1, "align": "center"},
        "title": {**base, "bold": True, "font_size": 14, "align": "center", "text_wrap": True},
        "subtitle": {**base, "italic": True, "align": "center", "text_wrap": True, "font_size": 11},
        "table_header": {**cell, "bold": True, "align": "center", "bg_color": "#D9E1F2"},
        "section": {**base, "bold": True, "text_wrap": True, "bg_color": "#EDEDED", "border": 1},
        "subsection": {**base, "bold": True, "text_wrap": True},
        "label": {**cell},
        "label_bold": {**base, "bold": True},
        "number": {**cell, "align": "center"},
        "unit": {**cell, "align": "center", "font_size": 11},
        "input_count": {**entry, "num_format": "#,##0"},
        "input_date": {**entry, "num_format": "dd/mm/yyyy", "align": "left"},
        "input_choice": {**entry, "align": "center"},
        # LibreOffice drops the fill of a style shared with merged ranges: keep these styles their own.
        "info_text": {**entry, "align": "left", "num_format": "@"},  # "31/5/2024", "007" stay text as picked
        "info_date": {**entry, "num_format": "dd/mm/yyyy", "align": "left", "indent": 0, "shrink": True},
        "locked_value": {**cell, "bold": True, "bg_color": "#EDEDED"},
        "check": {**cell, "font_color": "#C00000", "font_size": 11},
        "summary": {**base, "bold": True, "font_color": "#375623"},
        "error_mark": {"font_color": "#C00000"},
        "error_cell": {"bg_color": ERROR_FILL, "font_color": "#9C0006"},
        "warning_cell": {"bg_color": "#FFE699"},
        "hint": {**base, "italic": True, "font_size": 11, "font_color": "#595959", "text_wrap": True, "valign": "top"},
        # 12 pt like the rest of the template: a long section needs fewer lines than at 13 (see NARRATIVE_HEIGHT).
        "narrative": {**entry, "font_size": 12, "valign": "top"},
        "guide_text": {**base, "text_wrap": True, "valign": "top"},
        "guide_bold": {**base, "bold": True, "text_wrap": True, "valign": "top"},
    }
    # Runs of a rich-text cell: a figure's label, then its hint under it (what is counted, at what date), and the
    # subtitle's line saying when and where to send the file.
    runs = {
        "label_run": {"font_name": FONT, "font_size": 12},
        "hint_run": {"font_name": FONT, "font_size": 10, "italic": True, "font_color": "#595959"},
        "subtitle_run": {"font_name": FONT, "font_size": 11, "italic": True},
        "send_run": {"font_name": FONT, "font_size": 11, "bold": True, "font_color": "#1F3864"},
    }
    return {name: workbook.add_format(props) for name, props in {**specs, **runs}.items()}
