"""`placement-bot demo` and `placement-bot console`: the real bot against the built-in emulator.

No token and no network: a temporary SQLite database gets a generated cohort and demo users, the
Application polls the emulator on loopback, and a scripted conversation (or a person at the
console) talks to it as those users.
"""

from __future__ import annotations

import asyncio
import io
import logging
import sys
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from bot.application import build_application
from bot.cohort_gen import GenCohort, generate_cohort
from bot.emulator import BotApiEmulator
from bot.services import PlacementService
from bot.settings import Settings
from jobs.channels.service import wecom_demo_markdown
from storage.db import Database
from storage.schema import upgrade_database

DEMO_TOKEN = "100000:DEMO-TOKEN-NOT-REAL"
ADMIN_ID, HEAD_ID, COUNSELLOR_ID = 1001, 2001, 3001


@dataclass
class DemoWorld:
    emu: BotApiEmulator
    service: PlacementService
    cohort: GenCohort
    users: dict[str, tuple[int, str]]  # role → (telegram id, display name)


@asynccontextmanager
async def demo_world(workdir: Path, size: int = 3000) -> AsyncIterator[DemoWorld]:
    """A running bot over a generated cohort whose history is recorded up to yesterday."""
    url = f"sqlite:///{workdir / 'demo.db'}"
    upgrade_database(url)
    emu = BotApiEmulator(token=DEMO_TOKEN).start()
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        telegram_bot_token=DEMO_TOKEN,  # type: ignore[arg-type]
        database_url=url,
        telegram_api_base_url=emu.base_url,
        telegram_file_base_url=emu.base_file_url,
    )
    service = PlacementService(Database.connect(url), settings)
    today = service.today()
    cohort = generate_cohort(size, cohort=today.year, departments=6, majors=24, today=today - timedelta(days=1))
    roster = io.BytesIO()
    cohort.to_xlsx(roster)
    service.import_roster(roster.getvalue(), "roster.xlsx", cohort=cohort.cohort)

    department = cohort.departments[0]
    counsellor = next(g.counsellor for g in cohort.graduates if g.department == department and g.counsellor)
    service.grant(ADMIN_ID, "admin", name="就业指导中心")
    service.grant(HEAD_ID, "head", name=f"{department}负责人", scopes=[department])
    service.grant(COUNSELLOR_ID, "counsellor", name=counsellor)
    # Record the history so far, each counsellor's lines as they would have sent them.
    admin = service.actor(ADMIN_ID)
    assert admin is not None
    history_until = today - timedelta(days=8)
    lines = [e.as_line() for e in cohort.events if e.effective_date <= history_until]
    for start in range(0, len(lines), 500):
        service.apply_message(admin, "\n".join(lines[start : start + 500]), chat_id=None, message_id=None)

    application = build_application(settings, service)
    await application.initialize()
    await application.start()
    assert application.updater is not None
    await application.updater.start_polling(poll_interval=0.0, timeout=1)
    users = {"admin": (ADMIN_ID, "就业指导中心"), "head": (HEAD_ID, f"{department}负责人"), "counsellor": (COUNSELLOR_ID, counsellor)}
    try:
        yield DemoWorld(emu, service, cohort, users)
    finally:
        await application.updater.stop()
        await application.stop()
        await application.shutdown()
        service.db.dispose()
        emu.stop()


FILES: list[tuple[str, bytes]] = []


async def _exchange(world: DemoWorld, role: str, text: str, transcript: list[str], replies: int = 1) -> str:
    user_id, name = world.users[role]
    since = world.emu.mark(user_id)
    world.emu.send_text(user_id, text, first_name=name)
    answers = await world.emu.wait_for(user_id, replies, timeout=60, since=since)
    transcript.append(f"{name} ▶ {text}")
    for answer in answers:
        body = answer.text or ""
        if answer.file_bytes:
            name = answer.file_name or f"{answer.method}-{answer.message_id}.png"
            if answer.method == "sendPhoto" and not name.endswith(".png"):
                name += ".png"
            FILES.append((f"{len(FILES) + 1:02d}-{text.split()[0].lstrip('/')}-{' '.join(text.split()[1:2])}-{name}", answer.file_bytes))
            body = f"[{answer.method}: {name}, {len(answer.file_bytes)} bytes] {body}"
        transcript.append("bot ◀ " + body.replace("\n", "\n      "))
    transcript.append("")
    return answers[-1].text or ""


async def _script(world: DemoWorld, transcript: list[str]) -> None:
    today = world.service.today()
    counsellor_name = world.users["counsellor"][1]
    pending = [e for e in world.cohort.events if e.counsellor == counsellor_name and e.effective_date > today - timedelta(days=8)]
    lines = [e.as_line().split(" 日期=")[0] for e in pending[:6]]
    if not lines:
        mine = [g for g in world.cohort.graduates if g.counsellor == counsellor_name]
        lines = [f"{g.student_id} 签劳动合同 示例医院 地区=山东聊城" for g in mine[:3]]
    lines.append("2099999999 升学 聊城大学")  # rejected: unknown 学号
    lines.append(f"{lines[0].split()[0]} 签劳动和同 某公司")  # rejected: unknown word, with a suggestion
    await _exchange(world, "counsellor", "/start", transcript)
    await _exchange(world, "counsellor", "\n".join(lines), transcript)
    await _exchange(world, "counsellor", "/unplaced", transcript)
    await _exchange(world, "head", "/rate", transcript)
    await _exchange(world, "head", "/rates 专业", transcript)
    await _exchange(world, "admin", "/rate nursing", transcript)
    await _exchange(world, "admin", f"/rate {date(today.year, 6, 15).isoformat() if today >= date(today.year, 6, 15) else ''}".strip(), transcript)
    await _exchange(world, "admin", "/rates 院系", transcript)
    await _exchange(world, "admin", "/chart rates", transcript)
    await _exchange(world, "admin", "/chart trend", transcript)
    await _exchange(world, "head", "/chart mix", transcript)
    await _exchange(world, "admin", "/chart flow", transcript)
    await _exchange(world, "admin", "/export 护理", transcript)
    await _exchange(world, "admin", "/report", transcript)
    await _exchange(world, "counsellor", "/undo", transcript)
    department = world.cohort.departments[0]  # the department's digest as its WeCom group reads it
    markdown = await asyncio.to_thread(wecom_demo_markdown, world.service, department)
    FILES.append((f"{len(FILES) + 1:02d}-wecom-{department}.md", markdown.encode()))
    transcript += [f"[WeCom group robot · {department}]", markdown, ""]


def run_demo(out: Path | None, size: int = 3000) -> int:
    logging.getLogger().setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="placement-demo-") as tmp:
        transcript: list[str] = []

        async def main() -> None:
            async with demo_world(Path(tmp), size) as world:
                transcript.append(
                    f"# Demo: {len(world.cohort.graduates)} graduates, {len(world.cohort.departments)} departments, "
                    f"{len(world.cohort.majors)} majors (cohort {world.cohort.cohort})\n"
                )
                await _script(world, transcript)

        asyncio.run(main())
        text = "\n".join(transcript)
        print(text)
        if out is not None:
            out.mkdir(parents=True, exist_ok=True)
            (out / "transcript.txt").write_text(text, encoding="utf-8")
            for name, data in FILES:
                (out / name.replace("/", "_").replace(" ", "_")).write_bytes(data)
            print(f"\nwritten to {out}/")
    return 0


def run_console(role: str) -> int:
    """Type as a demo user; each line is sent to the bot and its replies are printed."""
    logging.getLogger().setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="placement-console-") as tmp:

        async def main() -> None:
            async with demo_world(Path(tmp), 3000) as world:
                user_id, name = world.users[role]
                print(f"You are {name} ({role}). Type messages or commands; an empty line or Ctrl-D quits.")
                while True:
                    try:
                        line = await asyncio.to_thread(input, f"{name} ▶ ")
                    except EOFError:
                        break
                    if not line.strip():
                        break
                    since = world.emu.mark(user_id)
                    world.emu.send_text(user_id, line.replace("\\n", "\n"), first_name=name)
                    try:
                        answers = await world.emu.wait_for(user_id, 1, timeout=30, since=since)
                        await asyncio.sleep(0.2)  # a reply may come in several parts
                        answers = world.emu.messages_to(user_id)[since:]
                    except TimeoutError:
                        answers = []
                    for answer in answers:
                        print("bot ◀ " + (answer.text or f"[{answer.method}]").replace("\n", "\n      "))

        asyncio.run(main())
    sys.stdout.flush()
    return 0
