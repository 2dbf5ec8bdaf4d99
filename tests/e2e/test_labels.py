"""The college's own labels (product.md §3): a priority group is named exactly as the roster names
it — in /rate, /rates and the report — and that label is always a valid scope; a built-in synonym
may find it but never renames or merges it."""

from __future__ import annotations

import io
import re

import openpyxl

from tests.e2e.conftest import BotHarness
from tests.e2e.test_core_loop import ADMIN

ROSTER = """学号,姓名,院系,专业,班级,学历,性别,重点群体,辅导员
2023010101,张伟,护理学院,护理,护理2301班,专科,女,特困家庭,王老师
2023010102,李娜,护理学院,护理,护理2301班,专科,女,特困家庭；少数民族,王老师
2023010103,王芳,护理学院,护理,护理2301班,专科,女,,王老师
2023010201,刘洋,护理学院,助产,助产2301班,专科,女,建档立卡,王老师
2023020101,杨磊,信息工程学院,软件技术,软件2301班,专科,男,特困家庭,李老师
2023020102,赵敏,信息工程学院,软件技术,软件2301班,专科,女,建档立卡,李老师
"""
BUILT_IN_NAMES = ("困难家庭", "脱贫家庭")  # what the taxonomy would have renamed them to


async def test_group_labels_stay_as_the_roster_writes_them(harness: BotHarness) -> None:
    h = harness
    h.service.access.grant(ADMIN, "admin", name="就业中心")
    assert "新增 6" in await h.upload(ADMIN, "roster.csv", ROSTER.encode("utf-8-sig"), caption="/import 2023")
    await h.say(ADMIN, "2023010101 合同 甲医院\n2023020101 升学 山东大学\n2023010201 合同 乙医院")

    rate = await h.say(ADMIN, "/rate 群体:特困家庭")
    assert "特困家庭" in rate and re.search(r"66\.67%", rate), rate  # 2 of 3 placed
    assert not any(name in rate for name in BUILT_IN_NAMES), rate

    synonym = await h.say(ADMIN, "/rate 群体:困难家庭")  # a built-in synonym finds the college's label
    assert "特困家庭" in synonym and "66.67%" in synonym, synonym
    english = await h.say(ADMIN, "/rate group:low-income")
    assert "特困家庭" in english and "66.67%" in english, english

    table = await h.say(ADMIN, "/rates 群体")
    assert "特困家庭" in table and "建档立卡" in table and "少数民族" in table, table
    assert not any(name in table for name in BUILT_IN_NAMES), table

    draft, report = await h.ask(ADMIN, "/report", count=2, timeout=120)  # the Word draft, then the workbook
    assert draft.method == report.method == "sendDocument" and (report.file_name or "").endswith(".xlsx")
    book = openpyxl.load_workbook(io.BytesIO(report.file_bytes or b""))
    cells = {str(cell.value) for sheet in book.worksheets for row in sheet.iter_rows() for cell in row if cell.value}
    assert {"特困家庭", "建档立卡"} <= cells, sorted(cells)[:80]
    assert not any(name in cell for cell in cells for name in BUILT_IN_NAMES)
