"""`placement-bot demo`: the real bot against the built-in emulator, in a scripted conversation.

No token and no network: a temporary SQLite database gets a generated cohort and demo users, the
Application polls the emulator on loopback, and a scripted conversation talks to it as those users.
``demo_world`` is shared with the console (bot/sandbox/console.py).
"""

from __future__ import annotations

import asyncio
import io
import logging
import tempfile
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from bot.application import build_application
from bot.sandbox.cohort_gen import GenCohort, generate_cohort
from bot.sandbox.emulator import BotApiEmulator
from bot.services import SYSTEM, Services
from bot.settings import Settings
from jobs.channels.service import wecom_demo_markdown
from storage.db import Database
from storage.files import write_private
from storage.schema import upgrade_database

DEMO_TOKEN = "100000:DEMO-TOKEN-NOT-REAL"
ADMIN_ID, HEAD_ID, COUNSELLOR_ID, GRADUATE_ID = 1001, 2001, 3001, 5001


@dataclass
class DemoWorld:
    emu: BotApiEmulator
    service: Services
    cohort: GenCohort
    users: dict[str, tuple[int, str]]  # role → (telegram id, display name)


@asynccontextmanager
async def demo_world(
    workdir: Path, size: int = 3000, clock: Callable[[], datetime] | None = None
) -> AsyncIterator[DemoWorld]:
    """A running bot over a generated cohort whose history is recorded up to yesterday.

    Scheduled digests are off: the demo is a scripted conversation and shows the digest on demand
    (/digest); a slot falling due mid-script would interleave a digest with the script's replies."""
    url = f"sqlite:///{workdir / 'demo.db'}"
    upgrade_database(url)
    emu = BotApiEmulator(token=DEMO_TOKEN).start()
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        telegram_bot_token=DEMO_TOKEN,  # type: ignore[arg-type]
        database_url=url,
        telegram_api_base_url=emu.base_url,
        telegram_file_base_url=emu.base_file_url,
        digests_enabled=False,
    )
    service = Services.build(Database.connect(url), settings, clock=clock)
    today = service.today()
    cohort = generate_cohort(size, cohort=today.year, departments=6, majors=24, today=today - timedelta(days=1))
    roster = io.BytesIO()
    cohort.to_xlsx(roster)
    service.roster.import_roster(roster.getvalue(), "roster.xlsx", actor=SYSTEM, cohort=cohort.cohort)

    department = cohort.departments[0]
    counsellor = next(g.counsellor for g in cohort.graduates if g.department == department and g.counsellor)
    service.access.grant(ADMIN_ID, "admin", name="就业指导中心")
    service.access.grant(HEAD_ID, "head", name=f"{department}负责人", scopes=[department])
    service.access.grant(COUNSELLOR_ID, "counsellor", name=counsellor)
    # Record the history so far, each counsellor's lines as they would have sent them.
    admin = service.access.actor(ADMIN_ID)
    assert admin is not None
    history_until = today - timedelta(days=8)
    lines = [e.as_line() for e in cohort.events if e.effective_date <= history_until]
    for start in range(0, len(lines), 500):
        service.updates.apply_message(admin, "\n".join(lines[start : start + 500]), chat_id=None, message_id=None)

    application = build_application(settings, service)
    await application.initialize()
    await application.start()
    assert application.updater is not None
    await application.updater.start_polling(poll_interval=0.0, timeout=1)
    graduate = next(g for g in cohort.graduates if g.counsellor == counsellor)
    users = {
        "admin": (ADMIN_ID, "就业指导中心"), "head": (HEAD_ID, f"{department}负责人"), "counsellor": (COUNSELLOR_ID, counsellor),
        "graduate": (GRADUATE_ID, graduate.name),
    }  # fmt: skip
    try:
        yield DemoWorld(emu, service, cohort, users)
    finally:
        await application.updater.stop()
        await application.stop()
        await application.shutdown()
        service.db.dispose()
        emu.stop()


@dataclass(frozen=True)
class Step:
    """One scripted message and the kinds of reply it must get, in order (sendMessage, sendPhoto …)."""

    role: str
    text: str
    kinds: tuple[str, ...] = ("sendMessage",)

    def slug(self) -> str:
        """The command and its first argument, for file names: `/export 护理` → `export-护理`."""
        words = self.text.split()[:2]
        return "-".join(w.lstrip("/") for w in words).replace("/", "_") or "message"


@dataclass
class DemoRun:
    """What the scripted conversation produced: the transcript, each step's reply kinds, and files."""

    transcript: list[str] = field(default_factory=list)
    replies: list[tuple[Step, tuple[str, ...]]] = field(default_factory=list)
    files: list[tuple[str, bytes]] = field(default_factory=list)


async def _exchange(world: DemoWorld, run: DemoRun, step: Step) -> None:
    """Send one step and wait for exactly its replies; anything more is shown, never paired with the
    next step (a quiet moment after the expected replies catches stragglers)."""
    user_id, name = world.users[step.role]
    since = world.emu.mark(user_id)
    world.emu.send_text(user_id, step.text, first_name=name)
    await world.emu.wait_for(user_id, len(step.kinds), timeout=60, since=since)
    await asyncio.sleep(0.15)
    answers = world.emu.messages_to(user_id)[since:]
    run.replies.append((step, tuple(a.method for a in answers)))
    run.transcript.append(f"{name} ▶ {step.text}")
    for answer in answers:
        body = answer.text or ""
        if answer.file_bytes:
            original = answer.file_name or ""
            extension = Path(original).suffix or (".png" if answer.method == "sendPhoto" else ".bin")
            file_name = f"{len(run.files) + 1:02d}-{step.slug()}{extension}"
            run.files.append((file_name, answer.file_bytes))
            body = f"[{answer.method}: {file_name}, {len(answer.file_bytes)} bytes] {body}"
        run.transcript.append("bot ◀ " + body.replace("\n", "\n      "))
    run.transcript.append("")


def _digest_kinds(world: DemoWorld, role: str) -> tuple[str, ...]:
    """/digest answers with the digest's text parts, then (heads, admins) the trend chart."""
    from jobs.delivery import DigestService

    actor = world.service.access.actor(world.users[role][0])
    assert actor is not None
    digest, chart = DigestService(world.service).build(actor)
    return ("sendMessage",) * len(digest.parts) + (("sendPhoto",) if chart is not None else ())


def demo_steps(world: DemoWorld) -> list[Step]:
    today = world.service.today()
    counsellor_name = world.users["counsellor"][1]
    pending = [e for e in world.cohort.events if e.counsellor == counsellor_name and e.effective_date > today - timedelta(days=8)]
    lines = [e.as_line().split(" 日期=")[0] for e in pending[:6]]
    if not lines:
        mine = [g for g in world.cohort.graduates if g.counsellor == counsellor_name]
        lines = [f"{g.student_id} 签劳动合同 示例医院 地区=山东聊城" for g in mine[:3]]
    lines.append("2099999999 升学 聊城大学")  # rejected: unknown 学号
    lines.append(f"{lines[0].split()[0]} 签劳动和同 某公司")  # rejected: unknown word, with a suggestion
    checkpoint = date(today.year, 6, 15)
    photo, document = ("sendPhoto",), ("sendDocument",)
    ambiguous = f"{lines[0].split()[0]} 考研"  # asked with buttons (升学 80 / 不就业拟升学 71), never guessed
    return [
        Step("counsellor", "/start"),
        Step("counsellor", "/foo"),  # an unknown command points to /help
        Step("counsellor", "\n".join(lines)),
        Step("counsellor", ambiguous, ("sendMessage", "sendMessage")),
        Step("counsellor", "/unplaced"),
        Step("head", "/rate"),
        Step("head", "/rates 专业"),
        Step("admin", "/rate nursing"),
        Step("admin", "/rate 全校"),
        Step("admin", f"/rate {checkpoint.isoformat()}" if today >= checkpoint else "/rate"),
        Step("admin", "/rates 院系"),
        Step("admin", "/chart rates", photo),
        Step("admin", "/chart trend", photo),
        Step("head", "/chart mix", photo),
        Step("admin", "/chart flow", photo),
        Step("head", "/chart sector", photo),
        Step("head", "/digest", _digest_kinds(world, "head")),
        Step("admin", "/export 护理", document),
        Step("admin", "/report", ("sendDocument", "sendDocument")),  # the Word draft, then the workbook
        Step("counsellor", "/undo"),
    ]


def _link_of(workbook: bytes, student_id: str) -> str:
    """The personal link of one graduate in the /invite graduates workbook."""
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_filelike(io.BytesIO(workbook)).get_sheet_by_index(0).to_python()
    return next(str(row[3]) for row in rows[1:] if str(row[0]) == student_id)


async def _graduate_steps(world: DemoWorld, run: DemoRun) -> None:
    """§10: the counsellor prints personal links, a graduate binds and reports their destination,
    the counsellor approves it in /review, and the graduate sees it recorded and confirmed."""
    run.transcript.append("# 毕业生本人上报与审核 / a graduate reports, the counsellor reviews\n")
    counsellor_name = world.users["counsellor"][1]
    graduate = next(g for g in world.cohort.graduates if g.counsellor == counsellor_name)
    await _exchange(world, run, Step("counsellor", "/invite graduates", ("sendDocument",)))
    token = _link_of(run.files[-1][1], graduate.student_id).rsplit("start=", 1)[1]
    await _exchange(world, run, Step("graduate", f"/start {token}", ("sendMessage", "sendMessage")))
    await _exchange(world, run, Step("graduate", "签劳动合同 聊城市人民医院 地区=山东聊城 行业=卫生和社会工作"))
    await _exchange(world, run, Step("counsellor", "/review", ("sendMessage", "sendMessage")))
    user_id, name = world.users["counsellor"]
    card = world.emu.messages_to(user_id)[-1]
    graduate_id = world.users["graduate"][0]
    since_graduate = world.emu.mark(graduate_id)
    since = world.emu.mark(user_id)
    world.emu.press_button(user_id, card, card.button_data("通过"))
    edited = (await world.emu.wait_for(user_id, 1, timeout=60, since=since))[-1]
    told = (await world.emu.wait_for(graduate_id, 1, timeout=60, since=since_graduate))[-1]
    run.transcript += [
        f"{name} ▶ [通过]", "bot ◀ " + (edited.text or "").replace("\n", "\n      "),
        f"bot ◀ ({world.users['graduate'][1]}) " + (told.text or "").replace("\n", "\n      "), "",
    ]  # fmt: skip
    await _exchange(world, run, Step("graduate", "/me"))
    await _exchange(world, run, Step("graduate", "/rate"))  # a staff command: one line
    await _exchange(world, run, Step("counsellor", "/rate"))


async def run_script(workdir: Path, size: int = 3000, clock: Callable[[], datetime] | None = None) -> DemoRun:
    """The whole scripted conversation against a fresh demo world; `clock` fixes "now" (tests)."""
    run = DemoRun()
    async with demo_world(workdir, size, clock=clock) as world:
        run.transcript.append(
            f"# Demo: {len(world.cohort.graduates)} graduates, {len(world.cohort.departments)} departments, "
            f"{len(world.cohort.majors)} majors (cohort {world.cohort.cohort})\n"
        )
        for step in demo_steps(world):
            if step.text == "/report":  # the survey first, so that the report carries its 自主评价 sheet
                from bot.sandbox.demo_survey import run_survey

                await run_survey(world, run, _exchange, Step)
            await _exchange(world, run, step)
        await _graduate_steps(world, run)
        department = world.cohort.departments[0]  # the department's digest as its WeCom group reads it
        markdown = await asyncio.to_thread(wecom_demo_markdown, world.service, department)
        run.files.append((f"{len(run.files) + 1:02d}-wecom-{department}.md", markdown.encode()))
        run.transcript += [f"[企业微信群机器人 / WeCom group robot · {department}]", markdown, ""]
    return run


def run_demo(out: Path | None, size: int = 3000) -> int:
    logging.getLogger().setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="placement-demo-") as tmp:
        run = asyncio.run(run_script(Path(tmp), size))
        text = "\n".join(run.transcript)
        print(text)
        if out is not None:  # names and 学号 of the generated cohort: owner only, like every export
            write_private(out / "transcript.txt", text.encode("utf-8"))
            for name, data in run.files:
                write_private(out / name, data)
            print(f"\nwritten to {out}/")
    return 0
