"""The `placement-bot` command line (product.md §1). User mistakes print one line and exit 2."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from bot import texts
from bot.settings import Settings, load_settings

log = logging.getLogger("placement_bot")


class CliError(Exception):
    """A mistake the user can fix; printed as one line."""


def _service(settings: Settings, *, create: bool = True):  # type: ignore[no-untyped-def]
    from bot.services import Services
    from storage.db import Database
    from storage.schema import upgrade_database

    if create:
        upgrade_database(settings.database_url)
    return Services.build(Database.connect(settings.database_url), settings)


def cmd_init(args: argparse.Namespace, settings: Settings) -> int:
    from storage.schema import upgrade_database

    upgrade_database(settings.database_url)
    print(f"database ready: {_safe_url(settings.database_url)}")
    return 0


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    from bot.roster import RosterTooLarge, RosterUnreadable
    from bot.services import SYSTEM

    path = Path(args.file)
    if not path.is_file():
        raise CliError(f"no such file: {path}")
    service = _service(settings)
    try:
        result = service.roster.import_roster(
            path.read_bytes(), path.name, actor=SYSTEM, cohort=args.cohort, dry_run=args.dry_run, prune=args.prune
        )
    except (RosterTooLarge, RosterUnreadable) as problem:
        raise CliError(problem.message(settings.bot_language)) from problem
    print(texts.render_import(settings.bot_language, result))
    return 0 if result.ok else 1


def cmd_grant(args: argparse.Namespace, settings: Settings) -> int:
    service = _service(settings)
    user = service.access.grant(args.telegram_id, args.role, name=args.name, scopes=args.scope or [])
    print(f"granted {user.role} to {user.telegram_id}" + (f" ({user.name})" if user.name else ""))
    return 0


def cmd_revoke(args: argparse.Namespace, settings: Settings) -> int:
    service = _service(settings)
    if not service.access.revoke(args.telegram_id):
        raise CliError(f"no active user with Telegram ID {args.telegram_id}")
    print(f"revoked {args.telegram_id}")
    return 0


def cmd_invite(args: argparse.Namespace, settings: Settings) -> int:
    if args.role == "graduates":
        return _invite_graduates(args, settings)
    if args.out:
        raise CliError("--out is for `invite graduates`")
    service = _service(settings)
    token = service.access.create_invite(args.role, name=args.name, scopes=args.scope or [])
    print(f"https://t.me/{_bot_username(settings)}?start={token}")
    return 0


def _invite_graduates(args: argparse.Namespace, settings: Settings) -> int:
    """Personal links and QR codes of a scope's graduates (§10) into a workbook."""
    from bot.graduate_sheets import links_workbook
    from bot.services import SYSTEM
    from storage.files import write_private

    if not args.out:
        raise CliError("invite graduates needs --out FILE.xlsx")
    out = Path(args.out)
    if out.suffix.lower() != ".xlsx":
        raise CliError(f"--out must be an .xlsx file, not {out.name}")
    service = _service(settings)
    username = _bot_username(settings)
    book = service.graduates.issue_links(SYSTEM, args.scope or [], username)
    prefix = f"https://t.me/{username}?start="
    data = links_workbook([(r.student_id, r.name, r.class_name, r.link) for r in book.rows], prefix, settings.bot_language)
    write_private(out, data)  # personal links are credentials: owner only
    print(texts.t(settings.bot_language, "links_ready", scope=book.scope_label, issued=book.issued, days=settings.graduate_link_days, bound=book.bound))
    print(f"written: {out}")
    return 0


def cohort_year(text: str) -> int:
    """A cohort at the command line: a year such as 2023."""
    if not (text.isascii() and text.isdigit() and len(text) == 4 and 1900 <= int(text) <= 2200):
        raise argparse.ArgumentTypeError(f"not a cohort year: {text[:40]!r} (e.g. 2023)")
    return int(text)


def record_id(text: str) -> int:
    """An ID typed at the command line: 1–18 ASCII digits (what the database can hold), else a usage error."""
    from bot.sanitize import ascii_int

    value = ascii_int(text)
    if value is None:
        raise argparse.ArgumentTypeError(f"not an ID: {text[:40]!r}")
    return value


def cmd_invites(args: argparse.Namespace, settings: Settings) -> int:
    """Open invites (who made them, for whom, expiry — never the token); `--cancel ID` cancels one."""
    from bot.services import ServiceError

    service = _service(settings)
    if args.cancel is not None:
        try:
            service.access.cancel_invite(args.cancel)
        except ServiceError as refusal:
            raise CliError(texts.t(settings.bot_language, refusal.key, **refusal.params)) from refusal
        print(f"cancelled invite {args.cancel}")
        return 0
    print(texts.render_invites(settings.bot_language, service.access.open_invites(), settings.tz))
    return 0


def _bot_username(settings: Settings) -> str:
    if settings.telegram_bot_token is None:
        return "<bot>"
    import httpx

    try:
        token = settings.telegram_bot_token.get_secret_value()
        answer = httpx.get(f"{settings.telegram_api_base_url}{token}/getMe", timeout=10).json()
        return answer["result"]["username"]
    except Exception:
        return "<bot>"


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    import asyncio

    from telegram.error import Conflict, InvalidToken, NetworkError

    from bot.application import build_application
    from bot.intake import Webhook, run_worker, validate_webhook
    from jobs.schedule import ScheduleError, parse_schedule

    if settings.telegram_bot_token is None:
        raise CliError("TELEGRAM_BOT_TOKEN is not set (environment or .env)")
    try:
        parse_schedule(settings.digest_schedule)
    except ScheduleError as problem:
        raise CliError(f"DIGEST_SCHEDULE: {problem}") from problem
    webhook = Webhook(args.webhook_url, args.listen, args.port) if args.webhook_url else None
    if webhook is not None and settings.worker_role != "processor":
        try:
            validate_webhook(webhook, settings)
        except ValueError as problem:
            raise CliError(str(problem)) from problem
    if settings.worker_role == "receiver":
        settings = settings.model_copy(update={"digests_enabled": False})  # receivers send nothing
    service = _service(settings)
    application = build_application(settings, service)
    try:
        asyncio.run(run_worker(application, service.db, settings, webhook))
    except InvalidToken as problem:
        raise CliError("Telegram rejected TELEGRAM_BOT_TOKEN (check the token with @BotFather)") from problem
    except Conflict as problem:
        raise CliError(f"Telegram refused getUpdates: {problem.message} (another instance polling, or a webhook set)") from problem
    except NetworkError as problem:  # at start: Telegram (or TELEGRAM_API_BASE_URL) unreachable
        raise CliError(f"cannot reach the Bot API at {settings.telegram_api_base_url}: {problem.message}") from problem
    except OSError as problem:
        raise CliError(f"cannot listen on {args.listen}:{args.port}: {problem.strerror}") from problem
    finally:
        service.db.dispose()
    return 0


def cmd_backup(args: argparse.Namespace, settings: Settings) -> int:
    from storage.backup import BackupError, backup_database

    target = Path(args.file)
    try:
        rows = backup_database(settings.database_url, target)
    except BackupError as problem:
        raise CliError(str(problem)) from problem
    print(f"backup written: {target} ({rows} rows)")
    return 0


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from bot.sandbox.demo import run_demo

    return run_demo(Path(args.out) if args.out else None, size=args.size)


def cmd_console(args: argparse.Namespace, settings: Settings) -> int:
    from bot.sandbox.console import run_console

    if args.db:  # the console types into a generated demo school; it never opens a real database
        raise CliError(
            "console runs on its own temporary demo database and does not take --db; "
            "to talk to a real database run the bot (placement-bot run --db URL)"
        )
    return run_console(args.role, lang=args.lang)


def _admin_actor(service):  # type: ignore[no-untyped-def]
    from bot.services import SYSTEM

    return SYSTEM  # the operator at the server: the whole school


def _query_args(scope: str | None, as_of: str | None, cohort: int | None) -> list[str]:
    args = [scope] if scope else []
    if as_of:
        args.append(as_of)
    if cohort:
        args.append(f"{cohort}届")
    return args


def _write_document(args: argparse.Namespace, settings: Settings, kind: str) -> int:
    from bot.services import Ambiguous
    from storage.files import write_private

    service = _service(settings)
    outputs = service.outputs
    query = _query_args(getattr(args, "scope", None), args.as_of, getattr(args, "cohort", None))
    target = Path(args.out or args.file or "")
    if kind == "export":
        build = outputs.export
    elif target.suffix.lower() == ".docx":
        build = outputs.report_draft  # the Word draft; .xlsx the workbook (product.md §7)
    elif target.suffix.lower() == ".xlsx":
        build = outputs.report
    else:
        raise CliError(f"report FILE must end in .xlsx (the workbook) or .docx (the draft): {target}")
    document = build(_admin_actor(service), query, settings.bot_language)
    if isinstance(document, Ambiguous):
        names = ", ".join(s.token for s in document.candidates)
        raise CliError(f"'{document.text}' is ambiguous: {names}")
    target = write_private(target, document.data)  # every graduate's record: owner only
    print(f"written: {target} ({document.caption})")
    return 0


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    return _write_document(args, settings, "export")


def cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    return _write_document(args, settings, "report")


def cmd_digest(args: argparse.Namespace, settings: Settings) -> int:
    import asyncio

    from telegram import Bot

    from jobs.delivery import DigestDeliverer, DigestService
    from jobs.schedule import slot_times

    service = _service(settings)
    digests = DigestService(service)
    now = service.now()
    slot = digests.due(now) or slot_times(digests.schedule(), now, settings.tz)[0]  # early manual run: this week's first
    if args.dry_run:
        for actor in digests.recipients(args.to):
            digest, chart = digests.build(actor)
            print(f"=== {actor.name or ''} ({actor.role}, Telegram {actor.telegram_id}) ===")
            print("\n".join(digest.parts))
            if chart is not None:
                print(f"[chart: {chart.file_name}, {len(chart.png)} bytes]")
        return 0
    if settings.telegram_bot_token is None:
        raise CliError("TELEGRAM_BOT_TOKEN is not set (environment or .env)")

    async def send() -> int:
        bot = Bot(
            settings.telegram_bot_token.get_secret_value(),  # type: ignore[union-attr]
            base_url=settings.telegram_api_base_url,
            base_file_url=settings.telegram_file_base_url,
        )
        async with bot:
            report = await DigestDeliverer(bot, digests).run(slot=slot, force=args.force, only=args.to)
        print(
            f"digests for {slot.isoformat()}: sent {len(report.sent)}, already done {len(report.skipped)}, "
            f"blocked {len(report.blocked)}, failed {len(report.failed)}; {report.messages} messages, "
            f"built in {report.build_seconds:.2f} s (summed), sent in {report.send_seconds:.2f} s"
        )
        return 1 if report.failed else 0

    return asyncio.run(send())


def cmd_targets(args: argparse.Namespace, settings: Settings) -> int:
    from bot.kpi import TargetFileError

    path = Path(args.file)
    if not path.is_file():
        raise CliError(f"no such file: {path}")
    try:
        year, rows = _service(settings).targets.set_targets(path.read_bytes(), args.cohort)
    except TargetFileError as problem:
        for row, text in problem.problems:
            print(f"row {row}: {text}", file=sys.stderr)
        raise CliError(f"{len(problem.problems)} problem(s): nothing saved") from problem
    print(f"saved {len(rows)} targets for cohort {year}")
    return 0


def cmd_kpi(args: argparse.Namespace, settings: Settings) -> int:
    import json


    service = _service(settings)
    answer = service.targets.kpi(_admin_actor(service), [], args.cohort, settings.bot_language)
    if args.json:
        print(json.dumps([
            {
                "unit": r.unit, "checkpoint": r.checkpoint.isoformat(), "degree": r.degree, "total": r.total,
                "placed": r.placed, "rate": r.rate, "target": None if r.target is None else format(r.target.normalize(), "f"),
                "needed": r.needed, "score": r.score,
            }
            for r in answer.rows  # type: ignore[union-attr]
        ], ensure_ascii=False, indent=1))
    else:
        print(texts.render_kpi(settings.bot_language, answer))
    return 0


def cmd_channel(args: argparse.Namespace, settings: Settings) -> int:
    """`channel add|list|remove|test`: group robots. The operator at the command line acts as admin."""
    import asyncio

    from bot.services import SYSTEM
    from jobs.channels.delivery import channel_deliverer
    from jobs.channels.service import ChannelError, ChannelService
    from jobs.channels.texts import render_list, t
    from jobs.delivery import DigestService

    lang = settings.bot_language
    service = _service(settings)
    channels = ChannelService(service)
    try:
        if args.action == "add":
            view = channels.add(SYSTEM, args.scope, args.kind, args.url, args.secret)
            print(view.id)
            print(t(lang, "added", id=view.id, scope=view.scope_label, kind=view.kind, url=view.masked_url), file=sys.stderr)
        elif args.action == "list":
            print(render_list(lang, channels.list(SYSTEM, lang)))
        elif args.action == "remove":
            channels.remove(SYSTEM, args.id)
            print(t(lang, "removed", id=args.id))
        else:
            due = channels.robot(SYSTEM, args.id)
            outcome = asyncio.run(channel_deliverer(channels, DigestService(service)).test(due, lang))
            print(t(lang, "test_ok" if outcome.ok else "test_failed", id=args.id, outcome=outcome.text))
            return 0 if outcome.ok else 1
    except ChannelError as refusal:
        raise CliError(refusal.message(lang)) from None
    return 0


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def cmd_survey(args: argparse.Namespace, settings: Settings) -> int:
    from bot.services import SYSTEM
    from bot.survey import QuestionnaireError

    path = Path(args.file)
    if not path.is_file():
        raise CliError(f"no such file: {path}")
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as problem:
        raise CliError(f"{path.name}: not UTF-8 text") from problem
    service = _service(settings)
    try:
        questionnaire = service.survey.set_questionnaire(SYSTEM, text, args.cohort)
    except QuestionnaireError as problem:
        raise CliError(f"{path.name}: {problem} (nothing changed)") from problem
    print(f"questionnaire set: {len(questionnaire.questions)} questions ({', '.join(q.id for q in questionnaire.questions)})")
    return 0


def cmd_purge(args: argparse.Namespace, settings: Settings) -> int:
    from bot.services import SYSTEM
    from bot.services.retention import purge_cohort

    service = _service(settings)
    counts = purge_cohort(service.db, service.snapshots, SYSTEM, args.cohort)
    print(f"cohort {args.cohort} deleted: " + ", ".join(f"{n} {kind}" for kind, n in counts.items()))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="placement-bot", description="Graduate placement bot for careers offices")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", metavar="URL", help="database URL (overrides DATABASE_URL)")
    sub = parser.add_subparsers(dest="verb", required=True)

    def verb(name: str, func: Callable[[argparse.Namespace, Settings], int], help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, parents=[common], help=help_text)
        p.set_defaults(func=func)
        return p

    verb("init", cmd_init, "create or upgrade the database (safe to run twice)")
    p = verb("import", cmd_import, "import a roster (.csv/.xlsx)")
    p.add_argument("file")
    p.add_argument("--cohort", type=cohort_year)
    p.add_argument("--dry-run", action="store_true")
    p.add_argument("--prune", action="store_true")
    p = verb("grant", cmd_grant, "give a Telegram user a role")
    p.add_argument("telegram_id", type=record_id)
    p.add_argument("role", choices=["admin", "head", "counsellor"])
    p.add_argument("--name")
    p.add_argument("--scope", action="append")
    p = verb("revoke", cmd_revoke, "take a user's access away")
    p.add_argument("telegram_id", type=record_id)
    p = verb("invite", cmd_invite, "print a single-use registration link; `invite graduates` writes personal links")
    p.add_argument("role", choices=["admin", "head", "counsellor", "graduates"])
    p.add_argument("--name")
    p.add_argument("--scope", action="append")
    p.add_argument("--out", metavar="FILE", help="invite graduates: the .xlsx of links and QR codes")
    p = verb("invites", cmd_invites, "list open invites (who made them, for whom, expiry); --cancel ID cancels one")
    p.add_argument("--cancel", type=record_id, metavar="ID")
    p = verb("run", cmd_run, "run the bot (long polling unless a webhook is given)")
    p.add_argument("--webhook-url")
    p.add_argument("--listen", default="127.0.0.1", help="address to listen on (behind a TLS proxy: loopback)")
    p.add_argument("--port", type=int, default=8443)
    p = verb("digest", cmd_digest, "send this week's digests to those who have not had theirs")
    p.add_argument("--dry-run", action="store_true", help="print the digests instead of sending them")
    p.add_argument("--force", action="store_true", help="send again to those who already had theirs")
    p.add_argument("--to", type=record_id, metavar="TELEGRAM_ID", help="only this user")
    p = verb("targets", cmd_targets, "set checkpoint targets from a CSV (checkpoint,degree,target[,department])")
    p.add_argument("file")
    p.add_argument("--cohort", type=cohort_year)
    p = verb("kpi", cmd_kpi, "the KPI table: rates, targets and scores per unit, checkpoint and degree")
    p.add_argument("--cohort", type=cohort_year)
    p.add_argument("--json", action="store_true")
    p = verb("export", cmd_export, "write an .xlsx of graduates with their destinations")
    p.add_argument("file")
    p.add_argument("--scope")
    p.add_argument("--as-of")
    p.set_defaults(out=None)
    p = verb("report", cmd_report, "write the annual-report workbook (.xlsx) or its Word draft (.docx), by FILE's suffix")
    p.add_argument("file", nargs="?", help="FILE.xlsx or FILE.docx")
    p.add_argument("--out", metavar="FILE", help="the same as FILE")
    p.add_argument("--cohort", type=cohort_year)
    p.add_argument("--as-of", "--date", dest="as_of")
    p = verb("demo", cmd_demo, "offline demo: emulator, generated cohort, scripted conversation")
    p.add_argument("--out", help="folder for the transcript, pictures and files")
    p.add_argument("--size", type=int, default=3000, help="graduates in the generated cohort")
    p = verb("console", cmd_console, "type as a demo user and read the bot's replies")
    p.add_argument("--as", dest="role", choices=["admin", "head", "counsellor"], default="counsellor")
    p.add_argument("--lang", choices=["zh", "en"], default="zh", help="the language of your Telegram client")
    p = verb("channel", cmd_channel, "group robots (企业微信, 钉钉, 飞书) that receive a scope's digest")
    actions = p.add_subparsers(dest="action", required=True)
    a = actions.add_parser("add", help="attach a robot to a scope; prints its ID")
    a.add_argument("scope")
    a.add_argument("kind", choices=["wecom", "dingtalk", "feishu"])
    a.add_argument("url")
    a.add_argument("--secret", help="signing secret (DingTalk 加签, Feishu 签名校验)")
    actions.add_parser("list", help="ID, scope, kind, masked URL, last outcome")
    for action, help_text in (("remove", "detach a robot"), ("test", "send one short test message now")):
        a = actions.add_parser(action, help=help_text)
        a.add_argument("id", type=record_id)
    p = verb("survey", cmd_survey, "the follow-up survey (§11)")
    actions = p.add_subparsers(dest="action", required=True)
    a = actions.add_parser("questions", help="replace a cohort's questionnaire with a TOML file (docs/survey-default.toml)")
    a.add_argument("file")
    a.add_argument("--cohort", type=cohort_year)
    p = verb("purge", cmd_purge, "delete a whole cohort: roster, history, survey answers")
    p.add_argument("--cohort", type=cohort_year, required=True)
    p = verb("backup", cmd_backup, "copy the database to a file")
    p.add_argument("file")
    return parser


class RedactingFormatter(logging.Formatter):
    """Replaces secrets (the bot token, in either spelling a URL may carry) wherever they appear."""

    def __init__(self, fmt: str, secrets: Sequence[str]) -> None:
        super().__init__(fmt)
        self.secrets = secrets

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record), self.secrets)


def redact(text: str, secrets: Sequence[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, "<redacted>")
    return text


def _secrets(settings: Settings | None) -> list[str]:
    from urllib.parse import quote

    values = []
    if settings is not None:
        for secret in (settings.telegram_bot_token, settings.webhook_secret):
            if secret is not None and secret.get_secret_value():
                value = secret.get_secret_value()
                values += [value, quote(value, safe=""), value.partition(":")[2]]
    return sorted({v for v in values if len(v) >= 8}, key=len, reverse=True)


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    from bot.application import quiet_http_logs

    quiet_http_logs()
    logging.getLogger("alembic").setLevel(logging.WARNING)
    parser = build_parser()
    args = parser.parse_args(argv)
    settings: Settings | None = None
    try:
        settings = load_settings(database_url=args.db)
        secrets = _secrets(settings)
        for handler in logging.getLogger().handlers:
            handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", secrets))
        return args.func(args, settings)
    except CliError as problem:
        print(redact(f"error: {problem}", _secrets(settings)), file=sys.stderr)
        return 2
    except Exception as problem:  # a ServiceError or settings error is still the user's to fix
        from pydantic import ValidationError

        from bot.services import ServiceError

        if isinstance(problem, ServiceError):
            print("error: " + texts.t("en", problem.key, **problem.params), file=sys.stderr)
            return 2
        if isinstance(problem, ValidationError):
            print(f"error: invalid setting: {problem.errors()[0]['loc'][0]}: {problem.errors()[0]['msg']}", file=sys.stderr)
            return 2
        import traceback

        print(redact("".join(traceback.format_exception(problem)), _secrets(settings)), file=sys.stderr)
        return 1

if __name__ == "__main__":
    sys.exit(main())
