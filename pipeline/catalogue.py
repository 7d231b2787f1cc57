"""The catalogue of problems: every code a file can get, with its severity, label, message and what to do.

Each entry is data: `message` and `action` are templates whose `{names}` the raising place fills. A problem
about one cell is prefixed with where it is (Trang "Số liệu", ô D21 (label)). The console's commonest
problems, the feedback sheet and the README's table (`consolidate problems --markdown`) read labels from here.
Templates cannot use the names `problem()` takes for the record itself (field, sheet, cell, label, value,
related, severity), except {sheet} and {cell}, which are the problem's own.
"""
from __future__ import annotations

from dataclasses import dataclass

ERROR, WARNING = "error", "warning"
_RESAVE = "Hãy mở tệp bằng Excel, chọn Tệp > Lưu thành > Sổ làm việc Excel (.xlsx) rồi gửi lại tệp .xlsx."
_REDO = "Hãy sao chép số liệu sang mẫu gốc và gửi lại."
_FROM_TEMPLATE = "Hãy lưu lại tệp từ mẫu gốc và gửi lại."


@dataclass(frozen=True)
class Entry:
    severity: str  # "error" or "warning"; a spec rule chooses its own
    label: str  # a few words, for counts and lists
    message: str  # what is wrong, a template
    action: str = ""  # what the unit should do, a template
    stage: str = ""  # where it is found, for the README's table


_READING = "đọc tệp"
_CELL = "đọc ô"
_CHECK = "kiểm tra"
_RECEIVING = "tiếp nhận"

CATALOGUE: dict[str, Entry] = {
    # --- the file as a whole: it is not read ---------------------------------------------------------
    "empty-file": Entry(ERROR, "tệp rỗng", "Tệp rỗng (0 byte).", "Hãy gửi lại tệp báo cáo.", _READING),
    "not-a-spreadsheet": Entry(
        WARNING, "không phải tệp Excel (PDF, Word, ảnh)", "Bỏ qua: {what}, không phải bảng tính báo cáo.",
        "Nếu là báo cáo, đề nghị đơn vị gửi tệp Excel theo mẫu.", _READING),
    "not-a-workbook": Entry(
        ERROR, "văn bản đổi đuôi thành tệp Excel",
        "Tệp có đuôi {extension} nhưng thực chất là văn bản {kind}, không phải bảng tính Excel.",
        "Hãy điền vào mẫu gốc và lưu dạng .xlsx.", _READING),
    "unsupported-format": Entry(ERROR, "loại tệp không đọc được", "Tệp {what}, loại tệp công cụ không đọc được.",
                                _RESAVE, _READING),
    "encrypted": Entry(
        ERROR, "tệp đặt mật khẩu", "Tệp có đặt mật khẩu nên không đọc được.",
        "Hãy gỡ mật khẩu (Tệp > Thông tin > Bảo vệ sổ làm việc > Mã hóa bằng mật khẩu, xóa mật khẩu) rồi gửi lại "
        "tệp không có mật khẩu.", _READING),
    "bad-zip": Entry(
        ERROR, "tệp hỏng hoặc tải về chưa hết", "Tệp bị hỏng hoặc chưa được tải lên đầy đủ nên không mở được.",
        _FROM_TEMPLATE, _READING),
    "too-many-parts": Entry(
        ERROR, "tệp có quá nhiều thành phần",
        "Tệp có {count} thành phần bên trong, nhiều bất thường so với một báo cáo (tối đa {limit}), có thể là tệp "
        "độc hại.", _REDO, _READING),
    "zip-bomb": Entry(
        ERROR, "tệp nén bất thường", "Tệp bị nén bất thường ({what}), có thể là tệp độc hại.", _FROM_TEMPLATE, _READING),
    "missing-part": Entry(
        ERROR, "tệp thiếu thành phần bắt buộc",
        "Tệp thiếu phần {part} nên không phải là sổ tính hợp lệ (có thể tệp bị hỏng hoặc được lưu sai định dạng).",
        _RESAVE, _READING),
    "xml-entities": Entry(
        ERROR, "tệp chứa khai báo lạ (DOCTYPE)",
        "Tệp chứa khai báo DOCTYPE/ENTITY trong phần {part}, điều mà Excel không bao giờ tạo ra, có thể là tệp độc hại.",
        _REDO, _READING),
    "far-cell": Entry(ERROR, "ô nằm quá xa vùng mẫu", "{where} có {what}, vượt xa vùng của mẫu báo cáo.", _REDO, _READING),
    "damaged-part": Entry(
        ERROR, "tệp bị hỏng một phần",
        "{where} bị hỏng: nội dung bị cắt cụt hoặc sai cấu trúc (Excel sẽ hỏi có muốn “sửa chữa” tệp không).",
        "Hãy mở mẫu báo cáo gốc, điền lại số liệu, lưu rồi gửi lại.", _READING),
    "unreadable": Entry(
        ERROR, "tệp hỏng", "Không đọc được tệp: tệp bị hỏng hoặc không phải bảng tính Excel đúng định dạng.",
        "Hãy thử mở tệp bằng Excel: nếu mở được, lưu lại dạng .xlsx (Tệp > Lưu thành) rồi gửi lại; nếu không mở "
        "được, đề nghị đơn vị gửi lại tệp từ máy của mình.", _READING),
    "reader-crash": Entry(
        ERROR, "tệp làm trình đọc dừng đột ngột",
        "Tệp làm trình đọc bảng tính dừng đột ngột, có thể bị hỏng hoặc được tạo bất thường.",
        "Hãy mở bằng Excel, lưu lại dạng .xlsx từ mẫu gốc và gửi lại.", _READING),
    "reader-timeout": Entry(
        ERROR, "tệp đọc quá lâu", "Tệp quá thời gian đọc cho phép, có thể bị hỏng hoặc được tạo bất thường.",
        "Hãy mở bằng Excel, lưu lại dạng .xlsx từ mẫu gốc và gửi lại.", _READING),
    "file-changing": Entry(
        WARNING, "tệp đang được chép", "{what}", "Chạy lại sau khi tệp đã chép xong hoặc đã được đóng lại.", _READING),
    "not-template": Entry(
        ERROR, "không phải mẫu báo cáo", "Tệp không phải mẫu báo cáo “{form}”: {why}.",
        "Hãy chép số liệu vào mẫu gốc (không tạo bảng mới) và gửi lại.", _READING),
    "other-form": Entry(
        ERROR, "mẫu của đợt báo cáo khác", "Tệp là mẫu “{found}”, không phải mẫu “{form}” của đợt báo cáo này.",
        "Hãy dùng đúng mẫu đã gửi kèm hướng dẫn.", _READING),
    "rollup-no-office": Entry(
        ERROR, "bảng tổng hợp chưa có mã đơn vị",
        "Bảng tổng hợp của “{name}” chưa ghi mã đơn vị gửi, nên không phân biệt được với bảng của đơn vị khác.",
        "Đơn vị đó chạy consolidate init, ghi mã (code) vào consolidate.toml, tổng hợp lại rồi gửi bảng mới.", _READING),
    "rollup-damaged": Entry(
        ERROR, "bảng tổng hợp bị hỏng", "Bảng tổng hợp của đơn vị cấp dưới không đọc được: {what}.",
        "Đơn vị gửi chạy lại consolidate để có bảng tổng hợp mới rồi gửi lại (không sửa, không lưu lại bằng tay).",
        _READING),
    "rollup-mismatch": Entry(
        ERROR, "bảng tổng hợp bị sửa tay",
        "Các dòng đơn vị của bảng tổng hợp không cộng lại bằng dòng tổng cộng của chính nó: {detail}.",
        "Đơn vị gửi chạy lại consolidate để có bảng tổng hợp mới (không sửa tay số liệu trong bảng) rồi gửi lại.",
        _READING),
    "duplicate-unit": Entry(
        ERROR, "đơn vị có trong hai tệp",
        "Bảng tổng hợp có đơn vị {units}, đơn vị này cũng có trong tệp {other}: cộng cả hai sẽ tính một đơn vị "
        "hai lần.",
        "Văn phòng xác định đơn vị đó thuộc đơn vị cấp trên nào, bỏ bản thừa (consolidate mark --exclude) hoặc đề "
        "nghị đơn vị gửi tổng hợp lại không có đơn vị đó.", _RECEIVING),
    "old-version": Entry(
        ERROR, "mẫu phiên bản cũ",
        "Tệp dùng mẫu phiên bản {found}, không còn dùng được (phiên bản hiện hành {version}).",
        "Hãy chép số liệu sang mẫu mới.", _READING),
    "damaged-template": Entry(
        ERROR, "cấu trúc mẫu bị sửa",
        "Cấu trúc mẫu trong tệp đã bị thay đổi: trang “{sheet}” không còn đúng nội dung của mẫu.", _REDO, _READING),
    "missing-sheet": Entry(
        ERROR, "thiếu trang của mẫu", "Không có trang “{sheet}” của mẫu.",
        "Không đổi tên hay xóa trang; hãy dùng mẫu gốc.", _READING),
    # --- one cell, while reading -------------------------------------------------------------------
    "formula-error": Entry(
        ERROR, "công thức báo lỗi", "công thức cho kết quả lỗi {fault}.", "Sửa công thức hoặc gõ thẳng số liệu.", _CELL),
    "formula-no-value": Entry(
        ERROR, "công thức chưa có kết quả", "ô có công thức nhưng chưa có kết quả đã tính.",
        "Mở tệp bằng Excel, lưu lại rồi gửi lại, hoặc gõ thẳng số liệu.", _CELL),
    "not-a-number": Entry(
        ERROR, "chữ trong ô số", "{what}, không phải một số.", "Ghi một số nguyên, ví dụ 1250, không kèm chữ.", _CELL),
    "number-as-text": Entry(
        WARNING, "số gõ dạng chữ", "số được gõ dạng chữ “{text}”, đã đọc là {number}.",
        "Nên gõ số không kèm dấu chấm, dấu cách hay đơn vị.", _CELL),
    "not-whole-number": Entry(
        ERROR, "số lẻ trong ô số nguyên", "{number} không phải số nguyên.", "Số {unit} phải là số nguyên.", _CELL),
    "date-as-text": Entry(WARNING, "ngày gõ dạng chữ", "ngày được gõ dạng chữ “{text}”, đã đọc là {date}.", "", _CELL),
    "not-a-date": Entry(
        ERROR, "ngày không hợp lệ", "đã ghi “{text}”, không phải một ngày.",
        "Nhập ngày dạng ngày/tháng/năm, ví dụ 05/12/2023.", _CELL),
    "too-long": Entry(
        WARNING, "nội dung dài quá một ô",
        "nội dung dài tới giới hạn 32.767 ký tự của một ô Excel, phần vượt quá có thể đã bị cắt khi lưu tệp.",
        "Rút gọn nội dung, hoặc chuyển phần còn lại sang mục khác.", _CELL),
    "legacy-encoding": Entry(
        WARNING, "gõ bằng bảng mã cũ", "văn bản gõ bằng bảng mã cũ {encoding} đã được chuyển sang Unicode.",
        "Lần sau hãy gõ bằng Unicode (phông Times New Roman).", _CELL),
    # --- checks over all files (pandera, the spec's rules, peers) -------------------------------------
    "missing-value": Entry(ERROR, "ô bắt buộc để trống", "đang để trống.", "{advice}", _CHECK),
    "below-minimum": Entry(
        ERROR, "số nhỏ hơn mức tối thiểu", "{given} nhỏ hơn mức tối thiểu.", "Số liệu phải từ {minimum} trở lên.", _CHECK),
    "not-in-list": Entry(
        ERROR, "giá trị ngoài danh sách", "“{given}” không có trong danh sách ({options}).",
        "Chọn trong danh sách thả xuống.", _CHECK),
    "rule": Entry(ERROR, "số liệu không khớp nhau", "{detail}", "", _CHECK),
    "outlier": Entry(
        WARNING, "số liệu bất thường",
        "{figure}{measure}, {direction} gấp khoảng {times} lần mức thường gặp ở các đơn vị khác ({typical}).",
        "Kiểm tra lại xem có gõ thừa hay thiếu chữ số không; nếu số liệu đúng thì không cần sửa.", _CHECK),
    "narrative-empty": Entry(
        WARNING, "mục thuyết minh để trống", "mục này chưa có nội dung.", "Viết vài câu về kết quả của đơn vị.", _CHECK),
    "narrative-short": Entry(
        WARNING, "thuyết minh quá ngắn", "nội dung quá ngắn (“{text}”), chưa đủ một câu.",
        "Viết rõ hơn kết quả của đơn vị.", _CHECK),
    "unknown-unit": Entry(
        ERROR, "mã đơn vị không có trong danh sách", "mã “{code}” không có trong danh sách đơn vị.",
        "Kiểm tra lại mã đơn vị theo danh sách đơn vị của văn phòng.", _CHECK),
    "changed-from-previous": Entry(
        WARNING, "khác xa số kỳ trước của đơn vị",
        "{figure}, {direction} gấp khoảng {times} lần số {phrase} của chính đơn vị ({before}){hint}.",
        "Kiểm tra lại đơn vị tính và số chữ số; nếu số liệu đúng thì không cần sửa.", _CHECK),
    "other-period": Entry(
        WARNING, "báo cáo của kỳ khác (để riêng)",
        "đã chọn kỳ {found}, không phải kỳ {period} đang tổng hợp; tệp được để riêng, không cộng vào kỳ này.",
        "Nếu đúng là báo cáo kỳ này, đơn vị chọn lại kỳ trong ô này rồi gửi lại.", _CHECK),
    "excluded": Entry(
        ERROR, "văn phòng để riêng tệp này", "Văn phòng đã để riêng tệp này: {reason}.",
        "Liên hệ văn phòng nếu cần gửi lại.", _CHECK),
    "email-date-implausible": Entry(
        WARNING, "ngày gửi của thư không hợp lý",
        "Thư điện tử ghi ngày gửi {date}, không hợp lý (trước khi kỳ báo cáo bắt đầu, hoặc sau lúc tệp có mặt trong "
        "hộp thư): ngày nhận được tính theo lúc tệp có mặt trong hộp thư.",
        "Nếu văn phòng biết ngày nhận thật, ghi lại bằng lệnh consolidate mark <tệp> --received <ngày>.", _RECEIVING),
    "unit-mismatch": Entry(
        WARNING, "dùng nhầm bản mẫu của đơn vị khác", "mã “{code}” khác mã của bản mẫu riêng gửi cho đơn vị “{copy}”.",
        "Kiểm tra xem có dùng nhầm tệp của đơn vị khác không.", _CHECK),
}

# A file with one of these could not be opened at all: modified within the last minute, it is taken for a copy
# still under way (pending) rather than a damaged file (run.py).
NOT_OPENED = frozenset({"empty-file", "unsupported-format", "bad-zip", "missing-part", "damaged-part", "unreadable"})


def label(code: str) -> str:
    entry = CATALOGUE.get(code)
    return entry.label if entry else code
