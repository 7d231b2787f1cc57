"""To whom a recommendation is addressed, as the guidance sorts them: the Party and the State (Chính phủ, bộ,
ngành, tỉnh) or the union organisation (Tổng LĐLĐ, LĐLĐ tỉnh, CĐVC tỉnh). A request a union is asked to
pass on ("đề nghị CĐVC tỉnh kiến nghị với UBND tỉnh …") is for the one who acts in the end."""
from __future__ import annotations

import re

STATE, UNION = "dang-nha-nuoc", "cong-doan"
LABELS = {STATE: "Đối với Đảng, Nhà nước", UNION: "Đối với tổ chức Công đoàn", None: "Chưa rõ nơi nhận"}

_STATE = (r"đảng(?! viên)|nhà nước|chính phủ|quốc hội|thủ tướng|(?<!cán )(?<!toàn )bộ\b|ngành chức năng|ubnd|"
          r"ủy ban nhân dân|hđnd|hội đồng nhân dân|tỉnh ủy|(?<!cơ )sở\b|chính quyền|cơ quan bảo hiểm|bhxh tỉnh|bảo hiểm xã hội tỉnh")
_UNION = (r"tổng liên đoàn|tổng lđlđ|tlđ\b|lđlđ|liên đoàn lao động|cđvc|công đoàn viên chức|công đoàn cấp trên|"
          r"công đoàn ngành|cấp trên")
# Matched on the lower-cased text: Unicode case-insensitive matching is several times slower in `re`.
_MENTION = re.compile(rf"(?P<state>{_STATE})|(?P<union>{_UNION})")
_RELAY = re.compile(r"(kiến nghị|đề nghị|đề xuất|tham mưu)(\s+với)?\s*$")


def addressee(text: str, default: str | None = None) -> str | None:
    """The body asked to act: the last one named after a relay ("kiến nghị với …"), else the first named."""
    text = text.lower()
    mentions = list(_MENTION.finditer(text))
    if not mentions:
        return default
    chosen = mentions[0]
    for mention in mentions[1:]:
        if _RELAY.search(text[chosen.end():mention.start()]):
            chosen = mention
    return STATE if chosen.group("state") else UNION
