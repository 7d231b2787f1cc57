"""The first sheet of the template: how to fill it, the deadline, how to send it back, in Vietnamese."""
from __future__ import annotations

from xlsxwriter.worksheet import Worksheet

from pipeline.form import FormSpec
from pipeline.template.styles import page_setup


def guide_lines(spec: FormSpec) -> list[tuple[str, str]]:
    """(style, text) lines of the instructions; "bold" lines are headings, "key" lines a text to be seen first."""
    narrative = [("text", "• Trang \"Thuyết minh\": viết nội dung cho từng mục theo dòng gợi ý in nghiêng. "
                          "Xuống dòng trong một ô: nhấn Alt+Enter. Dán văn bản từ Word: bấm đúp vào ô (hoặc nhấn F2) "
                          "rồi mới dán, để cả đoạn văn vào đúng một ô. Ô tự giãn theo độ dài nội dung; một mục quá "
                          "dài có thể không hiện hết trong ô nhưng vẫn được lưu và gửi đủ.")]
    period = ([("text", f"• Chọn kỳ số liệu ở ô \"{spec.by_code[spec.roles.period].label}\" "
                        f"({' hoặc '.join(p.label for p in spec.periods)}).")] if spec.roles.period else [])
    return [
        ("title", spec.title.upper()),
        ("text", f"Mẫu báo cáo theo {spec.document}."),
        ("bold", "1. Cách điền"),
        ("text", "• Chỉ nhập vào các ô nền vàng. Các ô khác đã được khóa để giữ đúng mẫu."),
        ("text", f"• Trang \"Số liệu\": thông tin đơn vị và các số liệu {spec.period_phrase}. Số liệu là số nguyên, "
                 "không ghi chữ hay đơn vị tính (ghi 1250, không ghi \"1.250 người\"). Không có thì ghi 0. "
                 "Ô có dấu (*) là bắt buộc."),
        *period,
        *(narrative if spec.narrative_fields else []),
        ("text", "• Dòng chữ nghiêng dưới tên chỉ tiêu ghi rõ những gì được tính và thời điểm lấy số liệu "
                 "(số người tính đến ngày nào, khoản tiền nào, từ ngày nào đến ngày nào). Hướng dẫn đó cũng hiện ra "
                 "khi đặt con trỏ vào ô. Ô có mũi tên bên cạnh: chọn trong danh sách thả xuống."),
        ("bold", "2. Tự kiểm tra trước khi gửi"),
        ("text", "• Cột \"Kiểm tra\" và dòng \"Tự kiểm tra số liệu\" ở đầu trang Số liệu tự động báo các chỗ "
                 "số liệu không khớp nhau (ví dụ số nữ lớn hơn tổng số). Ô sai được tô đỏ, ô cần xem lại tô vàng cam."),
        ("text", "• Sửa hết các chỗ báo đỏ trước khi gửi: báo cáo có số liệu sai sẽ bị trả lại để sửa."),
        ("bold", "3. Gửi báo cáo"),
        ("key", f"• Gửi về: {spec.send_to}."),
        ("text", f"• Hạn gửi: chậm nhất ngày {spec.deadline_text}."),
        ("text", "• Lưu tệp dạng Excel (.xlsx) và gửi chính tệp này (đính kèm thư). Giữ nguyên tên các trang, "
                 "không thêm hay xóa dòng, không đặt mật khẩu cho tệp."),
        ("text", "• Không gửi bản chụp, bản PDF hay tệp Word thay cho tệp này: văn phòng chỉ tổng hợp được từ tệp Excel."),
        ("text", "• Nếu cần sửa sau khi đã gửi, gửi lại cả tệp; bản gửi sau cùng sẽ được dùng."),
    ]


GUIDE_CHARS = 85  # characters of a 12-pt line in the 84-wide column


def write_guide(sheet: Worksheet, spec: FormSpec, formats: dict) -> None:
    page_setup(sheet, portrait=True)
    # A narrow first column: LibreOffice does not scale a sheet whose only column is wrapped text.
    sheet.set_column(0, 0, 3)
    sheet.set_column(1, 1, 84)
    for row, (style, text) in enumerate(guide_lines(spec)):
        fmt = {"title": formats["title"], "bold": formats["guide_bold"], "key": formats["guide_bold"]}.get(
            style, formats["guide_text"])
        sheet.write_string(row, 1, text, fmt)
        # No application grows these rows when it opens the file: each gets its wrapped lines' height, counted for
        # Times New Roman (about 100 characters a line) with room for a wider fallback font.
        heading = style in ("title", "bold")
        sheet.set_row(row, 16 * max(1, -(-len(text) // GUIDE_CHARS)) + (12 if heading else 4))
    sheet.protect("")
