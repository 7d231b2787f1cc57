"""To whom a recommendation is addressed, as the guidance sorts them: the Party and the State (Chính phủ, bộ,
ngành, tỉnh) or the union organisation (Tổng LĐLĐ, LĐLĐ tỉnh). A request a union is asked to pass on ("đề nghị
CĐVC tỉnh kiến nghị với UBND tỉnh …") is for the one who acts in the end; one to the office that collects the
reports itself (its names in the thesaurus) is not one it forwards; equipment and buildings of a school or a
hospital are the State's to give, whoever the unit asked."""
from __future__ import annotations

import re

STATE, UNION, OFFICE = "dang-nha-nuoc", "cong-doan", "van-phong"
LABELS = {STATE: "Đối với Đảng, Nhà nước", UNION: "Đối với tổ chức Công đoàn", OFFICE: "Kiến nghị gửi văn phòng",
          None: "Chưa rõ nơi nhận"}

_STATE = (r"đảng(?! viên)|nhà nước|chính phủ|quốc hội|thủ tướng|(?<!cán )(?<!toàn )bộ\b|ngành chức năng|ubnd|"
          r"ủy ban nhân dân|hđnd|hội đồng nhân dân|tỉnh ủy|(?<!cơ )sở\b|chính quyền|cơ quan bảo hiểm|bhxh tỉnh|bảo hiểm xã hội tỉnh")
_UNION = (r"tổng liên đoàn|tổng lđlđ|tlđ\b|lđlđ|liên đoàn lao động|cđvc|công đoàn viên chức|công đoàn cấp trên|"
          r"công đoàn ngành|cấp trên")
# Matched on the lower-cased text: Unicode case-insensitive matching is several times slower in `re`.
_MENTION = re.compile(rf"(?P<state>{_STATE})|(?P<union>{_UNION})")
_RELAY = re.compile(r"(kiến nghị|đề nghị|đề xuất|tham mưu)(\s+với)?\s*$")
_EQUIPMENT = re.compile(r"cơ sở vật chất|thiết bị|phòng học|phòng chức năng|lớp học|trường học|xây dựng trường|"
                        r"sửa chữa trường|bàn ghế|máy chiếu|máy tính|nhà vệ sinh|khuôn viên|bệnh viện|giường bệnh")


def addressee(text: str, default: str | None = None, office: tuple[str, ...] = ()) -> str | None:
    """The body asked to act: the last one named after a relay ("kiến nghị với …"), else the first named;
    OFFICE when that is the office itself (`office`: its names, lower case); the State for equipment."""
    text = text.lower()
    mentions = list(_MENTION.finditer(text))
    if _EQUIPMENT.search(text):
        return STATE
    if not mentions:
        return default
    chosen = mentions[0]
    for mention in mentions[1:]:
        if _RELAY.search(text[chosen.end():mention.start()]):
            chosen = mention
    if chosen.group("state"):
        return STATE
    return OFFICE if any(text.startswith(name, chosen.start()) for name in office) else UNION


_LEVELS = (" tỉnh", " thành phố", " huyện", " thị xã", " quận")


def own_names(office: str, symbol: str = "") -> tuple[str, ...]:
    """The office's names as units write them, lower case, from its name and symbol (consolidate.toml or the
    spec): "liên đoàn lao động tỉnh thanh hóa", "liên đoàn lao động tỉnh", "lđlđ tỉnh". A bare symbol is not
    one ("lđlđ" alone may be a district's)."""
    name = " ".join(office.lower().split())
    names = {name} if name else set()
    for level in _LEVELS:
        if level in name:
            names.add(name[:name.index(level) + len(level)])
            if symbol:
                names.add(symbol.lower() + level)
            break
    return tuple(sorted(names))

