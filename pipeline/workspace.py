"""The office a workspace works for: `consolidate.toml` in the working folder, `[office]` (code, name, issuer,
parent, recipient, place, signer, email). What it leaves out comes from the form's spec. Every output's
letterhead, intro, "Nơi nhận", signature and feedback mail read the spec, so the office is applied to the spec
once, when it is loaded (`with_office`), and nothing downstream knows the file exists."""
from __future__ import annotations

import re
import tomllib
from dataclasses import replace
from pathlib import Path

from pipeline.form import FormSpec

WORKSPACE_NAME = "consolidate.toml"
OFFICE_KEYS = ("code", "name", "issuer", "parent", "recipient", "place", "signer", "email", "symbol")
_CODE = re.compile(r"^[0-9A-Za-z._-]{1,40}$")


class WorkspaceError(ValueError):
    """A consolidate.toml that cannot be used: the message names the file and the key."""


def read_office(folder: Path = Path(".")) -> dict[str, str]:
    """The `[office]` table of `consolidate.toml` in `folder`; {} when there is no such file."""
    path = Path(folder) / WORKSPACE_NAME
    if not path.is_file():
        return {}
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise WorkspaceError(f"Tệp {path}: không đọc được ({exc}). Sửa lại, hoặc xóa rồi chạy consolidate init.") from exc
    office = raw.get("office", {})
    if not isinstance(office, dict):
        raise WorkspaceError(f"Tệp {path}: [office] phải là một bảng.")
    unknown = sorted(set(office) - set(OFFICE_KEYS))
    if unknown:
        raise WorkspaceError(f"Tệp {path}, [office]: khóa không hợp lệ {unknown}; dùng {list(OFFICE_KEYS)}.")
    for key, value in office.items():
        if not isinstance(value, str):
            raise WorkspaceError(f"Tệp {path}, [office] {key}: phải là chữ trong ngoặc kép, đang là {value!r}.")
    code = office.get("code", "").strip()
    if code and not _CODE.match(code):
        raise WorkspaceError(f"Tệp {path}, [office] code: '{code}' chỉ gồm chữ không dấu, số, dấu chấm, gạch ngang, "
                             "gạch dưới (không có dấu '/' hay khoảng trắng), tối đa 40 ký tự.")
    return {key: value.strip() for key, value in office.items() if value.strip()}


def with_office(spec: FormSpec, office: dict[str, str]) -> FormSpec:
    """The spec as this office writes it: its name, letterhead, recipient, place, signer and address."""
    if not office:
        return spec
    send_to = spec.send_to
    if "name" in office or "email" in office:
        send_to = office.get("name", spec.office) + (f" (email: {office['email']})" if "email" in office else "")
    return replace(spec, office_code=office.get("code", spec.office_code), office=office.get("name", spec.office),
                   issuer=office.get("issuer", spec.issuer), parent_org=office.get("parent", spec.parent_org),
                   recipient=office.get("recipient", spec.recipient), place=office.get("place", spec.place),
                   signer=office.get("signer", spec.signer), symbol=office.get("symbol", spec.symbol),
                   send_to=send_to)


TEMPLATE = '''# Đơn vị làm việc với thư mục này: công cụ consolidate ghi tên, tiêu đề văn bản, nơi nhận, người ký và địa chỉ
# thư này vào mọi kết quả (dự thảo báo cáo, thư phản hồi, bảng tổng hợp). Dòng nào để trống hoặc xóa đi thì
# dùng giá trị có sẵn trong mẫu biểu. Sửa bằng Notepad, lưu dạng UTF-8.

[office]
# Mã của đơn vị: cấp trên dùng mã này để phân biệt các bảng tổng hợp gửi lên (ví dụ HUYEN01).
# Chỉ gồm chữ không dấu, số, dấu chấm, gạch ngang, gạch dưới.
code = "{code}"
# Tên đơn vị, như viết trong câu: "Ban Thường vụ <tên> báo cáo như sau".
name = "{name}"
# Tên trên tiêu đề văn bản (chữ in hoa), và tên cơ quan cấp trên trực tiếp đứng trên nó.
issuer = "{issuer}"
parent = "{parent}"
# Chữ viết tắt trong số ký hiệu văn bản ("CĐVC" trong "Số: …/BC-CĐVC").
symbol = "{symbol}"
# Nơi nhận báo cáo (để báo cáo), địa danh ghi ở dòng ngày tháng, người ký.
recipient = "{recipient}"
place = "{place}"
signer = "{signer}"
# Địa chỉ thư điện tử nhận báo cáo của các đơn vị trực thuộc (ghi vào mẫu và thư phản hồi).
email = "{email}"
'''


def write_workspace(spec: FormSpec, folder: Path = Path(".")) -> Path:
    """`consolidate.toml` with this form's office filled in, for the office to edit; never over an existing one."""
    from pipeline.files import atomic_write_bytes

    path = Path(folder) / WORKSPACE_NAME
    if path.exists():
        raise WorkspaceError(f"Đã có tệp {path}: không ghi đè. Sửa trực tiếp tệp đó, hoặc xóa nó rồi chạy lại.")
    email = re.search(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", spec.send_to)
    values = {"code": spec.office_code, "name": spec.office, "issuer": spec.issuer, "parent": spec.parent_org,
              "recipient": spec.recipient, "place": spec.place, "signer": spec.signer, "symbol": spec.symbol,
              "email": email.group(0) if email else ""}
    text = TEMPLATE.format(**{key: value.replace("\\", "\\\\").replace('"', '\\"') for key, value in values.items()})
    atomic_write_bytes(path, text.encode("utf-8"))
    return path
