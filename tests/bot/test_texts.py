"""Reply rendering: splitting at Telegram's limit, masking, the first percentage of /rate."""

from __future__ import annotations

import re
from datetime import date

from bot import texts
from bot.metrics import PlacementCounts
from bot.services import RateAnswer


def test_split_message_never_loses_text() -> None:
    lines = [f"{i:05d} " + "护" * (i % 90) for i in range(600)]
    text = "\n".join(lines)
    parts = texts.split_message(text)
    assert len(parts) > 1
    assert all(len(part) <= 4096 for part in parts)
    assert "\n".join(parts) == text
    huge = "x" * 10_000
    assert "".join(texts.split_message(huge)) == huge


def test_masking() -> None:
    assert texts.mask_name("张三芳") == "张*芳"
    assert texts.mask_name("李四") == "李*"
    assert texts.mask_name("欧阳娜娜") == "欧**娜"
    assert texts.mask_id("2023010123") == "…0123"
    privacy = texts.Privacy("masked")
    assert privacy.name("张三芳") == "张*芳" and privacy.sid("2023010123") == "…0123"
    assert texts.Privacy("full").name("张三芳") == "张三芳"


def test_rate_reply_first_percentage_is_placement_rate() -> None:
    counts = PlacementCounts(total=5809, employed=4513, study=407, signed=2329, flexible=1158, by_code={11: 4513, 80: 407, 0: 889})
    week = PlacementCounts(total=5809, employed=4400, study=400, by_code={})
    for lang in ("zh", "en"):
        reply = texts.render_rate(lang, RateAnswer("全校", date(2023, 8, 31), 2023, counts, week))
        assert re.search(r"(\d+\.\d\d)%", reply).group(1) == "84.70"  # type: ignore[union-attr]
        assert "4920/5809" in reply


def test_free_text_is_masked_for_roster_names_and_id_runs() -> None:
    from bot.texts import Privacy

    names = {"张伟", "欧阳明月", "欧阳", "李"}
    masked = Privacy("masked").among(names)
    assert masked.text("备注=与张伟2023010104同去面试") == "备注=与张*…0104同去面试"
    assert masked.text("欧阳明月和欧阳的工作室") == "欧**月和欧*的工作室"  # the longest name at each place
    assert masked.text("李老师电话 13800001111") == "李老师电话 …1111"  # one-character names are not searched
    assert masked.text(None) == ""
    full = Privacy("full").among(names)
    assert full.text("与张伟2023010104同去") == "与张伟2023010104同去"
