"""Province figures written into Vietnamese sentences for the draft report: pure text, no files."""
from __future__ import annotations

from pipeline.merge import Consolidation
from pipeline.spec import FormSpec
from pipeline.vietnamese import vn_number, vn_percent


def _n(data: Consolidation, code: str) -> float:
    return data.totals.get(code) or 0


def staff_sentence(data: Consolidation) -> str:
    """Section I: staff, women, members, income, in the province office's usual phrasing."""
    t = lambda code: vn_number(_n(data, code))  # noqa: E731
    staff, women = _n(data, "cbccvcld_tong"), _n(data, "cbccvcld_nu")
    members, women_members = _n(data, "doan_vien_tong"), _n(data, "doan_vien_nu")
    parts = [
        f"Toàn tỉnh có {t('cbccvcld_tong')} CBCCVCLĐ, trong đó nữ {t('cbccvcld_nu')}, chiếm {vn_percent(women, staff)}; "
        f"lao động hợp đồng {t('cbccvcld_hop_dong')} người.",
        f"Tổng số đoàn viên cuối năm là {t('doan_vien_tong')}, trong đó nữ {t('doan_vien_nu')}, chiếm "
        f"{vn_percent(women_members, members)}; đoàn viên chiếm {vn_percent(members, staff)} tổng số CBCCVCLĐ.",
        f"Trong năm kết nạp mới (tăng) {t('doan_vien_tang')} đoàn viên, giảm {t('doan_vien_giam')} đoàn viên "
        f"(đầu năm {t('doan_vien_dau_ky')}).",
    ]
    if data.totals.get("thu_nhap_binh_quan"):
        parts.append(f"Thu nhập bình quân của CBCCVCLĐ đạt {t('thu_nhap_binh_quan')} đồng/người/tháng "
                     "(bình quân theo số CBCCVCLĐ của các đơn vị).")
    return " ".join(parts)


def finance_sentence(data: Consolidation) -> str:
    t = lambda code: vn_number(_n(data, code))  # noqa: E731
    return (f"Tổng thu tài chính Công đoàn của các CĐCS là {t('tai_chinh_tong_thu')} đồng (thu kinh phí công đoàn "
            f"{t('tai_chinh_thu_kpcd')} đồng, đoàn phí {t('tai_chinh_thu_doan_phi')} đồng, thu khác "
            f"{t('tai_chinh_thu_khac')} đồng); tổng chi {t('tai_chinh_tong_chi')} đồng; tồn quỹ đầu năm "
            f"{t('tai_chinh_ton_dau_ky')} đồng, cuối năm {t('tai_chinh_ton_cuoi_ky')} đồng.")


def figures_sentence(spec: FormSpec, data: Consolidation, section: str) -> str:
    """Any section: its figures as "label: value unit" and its yes/no answers as "n/N đơn vị"."""
    parts = []
    units = data.unit_count
    for field in spec.fields_in(section):
        if field.is_numeric:
            value = data.totals.get(field.code)
            if value is not None:
                parts.append(f"{_lower_first(field.label)}: {vn_number(value)} {field.unit}".rstrip())
        elif field.kind == "yes-no":
            yes = data.answers[field.code].get("Có", 0)
            parts.append(f"{yes}/{units} đơn vị {_lower_first(field.label)}")
        elif field.kind == "choice":
            counts = ", ".join(f"{n} đơn vị {o.lower()}" for o, n in data.answers[field.code].items() if n)
            if counts:
                parts.append(f"{_lower_first(field.label)}: {counts}")
    return ("Kết quả tổng hợp từ báo cáo của các CĐCS: " + "; ".join(parts) + ".") if parts else ""


def reporting_sentence(ledger, deadline_text: str) -> str:
    units = ledger.units
    total = len(units)
    sent = sum(u.state != "missing" for u in units)
    on_time = sum(u.state == "on_time" for u in units)
    late = sum(u.state == "late" for u in units)
    rejected = sum(u.state == "rejected" for u in units)
    missing = [u.unit.name for u in units if u.state == "missing"]
    text = (f"Đến thời điểm tổng hợp, {sent}/{total} CĐCS đã gửi báo cáo ({vn_percent(sent, total)}); trong đó "
            f"{on_time} đơn vị gửi đúng hạn ({deadline_text}), {late} đơn vị gửi muộn, {rejected} đơn vị có tệp "
            "còn lỗi phải sửa lại.")
    if missing:
        text += f" Còn {len(missing)} đơn vị chưa gửi: {', '.join(missing)}."
    return text


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[:2] not in ("ĐV", "CĐ", "CB") else text
