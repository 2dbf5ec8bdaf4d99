"""`placement-bot demo` gives the same, correct transcript on any day at any hour: each command's
replies are of the expected kinds, in order, and each file is named after its own command."""

from __future__ import annotations

import asyncio
import re
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.sandbox.demo import run_script

TZ = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 11, 23, tzinfo=TZ)  # the default schedule is `mon 08:30`
MOMENTS = [MONDAY + timedelta(days=day, hours=hour) for day in range(7) for hour in (8, 9)]  # before, after 08:30


@pytest.mark.parametrize("moment", MOMENTS, ids=[m.strftime("%a-%H:%M") for m in MOMENTS])
def test_demo_transcript_on_every_weekday_before_and_after_the_slot(tmp_path: Path, moment: datetime) -> None:
    run = asyncio.run(run_script(tmp_path, size=300, clock=lambda: moment))
    commands = [step.text.split()[0] for step, _ in run.replies]
    for required in ("/chart", "/digest", "/export", "/report", "/undo"):
        assert required in commands
    assert {step.text for step, _ in run.replies} >= {"/chart mix", "/chart sector", "/digest"}
    for step, kinds in run.replies:
        assert kinds == step.kinds, (step.text, kinds)
    digest_kinds = next(kinds for step, kinds in run.replies if step.text == "/digest")
    assert digest_kinds[0] == "sendMessage" and digest_kinds[-1] == "sendPhoto"  # text, then the trend chart

    expected_files = [step.slug() for step, kinds in run.replies for kind in kinds if kind != "sendMessage"]
    replies, robot = run.files[: len(expected_files)], run.files[len(expected_files) :]
    assert [name.split("-", 1)[1].rsplit(".", 1)[0] for name, _ in replies] == expected_files
    assert len(robot) == 1 and "-wecom-" in robot[0][0] and robot[0][0].endswith(".md")  # a WeCom group's view
    assert "落实率" in robot[0][1].decode()
    for name, data in replies:
        if "-chart-" in name or name.endswith("-digest.png"):
            assert name.endswith(".png") and data.startswith(b"\x89PNG"), name
        else:
            assert name.endswith((".xlsx", ".docx")) and data.startswith(b"PK"), name
    report_files = [name for name, _ in replies if "-report" in name]
    assert [name.rsplit(".", 1)[1] for name in report_files] == ["docx", "xlsx"]  # the draft beside the workbook
    transcript = "\n".join(run.transcript)
    # the transcript says what the draft holds: its chapters, tables and figures
    assert re.search(r"就业质量年度报告（草稿）· 全校 · \d{4}届 · 截至 [-\d]+：一、毕业生规模和结构 二、毕业去向落实情况 三、就业流向 四、升学 五、毕业生自主评价 六、就业信息核查 七、说明；表 \d+ 个，图 5 个", transcript)
    assert "每周汇总" in transcript and "毕业去向落实率" in transcript
    # the survey (§11): a graduate's screens, /survey's response line and both survey charts
    assert "毕业生 ▶ [开始]" in transcript and "bot ◀ 问卷已提交，谢谢你的参与！" in transcript
    assert "共发出调查问卷 30 份，回收 30 份，回收率 100.00%" in transcript
    assert sum(1 for name, _ in run.files if "-chart-survey" in name) == 2
