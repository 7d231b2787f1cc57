"""Fill the project's own template through its defined names, as a unit (or an outside check) would."""
from __future__ import annotations

import datetime as dt

from pipeline.form import FormSpec
from pipeline.template.fill import fill_template  # noqa: F401  (tests import it from here)


def good_values(spec: FormSpec, code: str = "CD001", size: int = 100) -> dict:
    """A consistent set of answers for every field: passes every rule."""
    values: dict = {
        "ma_cdcs": code, "ten_cdcs": f"Công đoàn Trường {code}", "chu_tich": "Nguyễn Văn An",
        "nguoi_lap": "Lê Thị Bình", "dien_thoai": "0912345678", "email": "cdcs@example.vn",
        "ngay_bao_cao": dt.date(2023, 12, 5),
        "cbccvcld_tong": size, "cbccvcld_nu": size * 6 // 10, "cbccvcld_hop_dong": size // 10,
        "doan_vien_dau_ky": size - 8, "doan_vien_tang": 5, "doan_vien_giam": 3, "doan_vien_tong": size - 6,
        "doan_vien_nu": size * 55 // 100, "thu_nhap_binh_quan": 8_500_000,
        "hoi_nghi_cbccvc": "Có", "tham_hoi_luot": size // 4, "tham_hoi_tien": size // 4 * 500_000,
        "ho_tro_tet_nguoi": size, "ho_tro_tet_tien": size * 300_000, "mai_am_nha": 1, "mai_am_tien": 50_000_000,
        "ung_ho_quy_tien": size * 50_000, "tuyen_truyen_buoi": 6, "tuyen_truyen_luot": size * 5,
        "van_hoa_the_thao_buoi": 3, "cuoc_thi_so": 2, "sang_kien_so": 4, "khen_thuong_tap_the": 2,
        "khen_thuong_ca_nhan": 10, "can_bo_tap_huan": 7, "gioi_thieu_dang": 3, "ket_nap_dang": 2,
        "dai_hoi_da_to_chuc": "Có", "dai_hoi_ngay": dt.date(2023, 5, 20), "nu_gioi_viec_nuoc": size // 5,
        "clb_nu_cong": "Không", "tai_chinh_ton_dau_ky": 20_000_000, "tai_chinh_thu_kpcd": size * 400_000,
        "tai_chinh_thu_doan_phi": size * 100_000, "tai_chinh_thu_khac": 5_000_000,
        "kiem_tra_cuoc": 2, "don_thu_nhan": 1, "don_thu_giai_quyet": 1,
        "tu_xep_loai": "Hoàn thành tốt nhiệm vụ",
    }
    values["tai_chinh_tong_thu"] = (values["tai_chinh_thu_kpcd"] + values["tai_chinh_thu_doan_phi"]
                                    + values["tai_chinh_thu_khac"])
    values["tai_chinh_tong_chi"] = values["tai_chinh_tong_thu"] - 3_000_000
    values["tai_chinh_ton_cuoi_ky"] = (values["tai_chinh_ton_dau_ky"] + values["tai_chinh_tong_thu"]
                                       - values["tai_chinh_tong_chi"])
    for field in spec.narrative_fields:
        values[field.code] = (f"Trong năm {spec.period}, {values['ten_cdcs']} đã triển khai nội dung "
                              f"{field.label} theo hướng dẫn của cấp trên, đạt kết quả tốt.")
    assert set(values) == {f.code for f in spec.fields}, "good_values must answer every field"
    return values
