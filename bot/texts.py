"""Every sentence the bot says, in Chinese and English, and the renderers that fill them.

Pure: takes service results (plain values) and returns strings. Numbers and names are the same in
both languages; only the words around them change.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import date, datetime, tzinfo

from bot.disclosure import HIDDEN, WITHHELD, Audience, hides, shown, withheld
from bot.graduate_catalogue import GRADUATE_MESSAGES
from bot.metrics import (
    UNPLACED_LABELS,
    GraduateState,
    PlacementCounts,
    format_change,
    format_percent,
    hundredths_of_percent,
    unplaced_label,
)
from bot.recorded import RecordedWeek
from bot.scopes import DIMENSIONS, WITHIN
from bot.survey_texts import SURVEY_MESSAGES
from bot.targets import Gap
from bot.taxonomy import destination_for, substate_en

TELEGRAM_LIMIT = 4096

MESSAGES: dict[str, tuple[str, str]] = {
    # key: (zh, en)
    "stranger": (
        "您好，本机器人仅供本校就业工作人员使用。如需使用，请向就业指导中心索取邀请链接。",
        "Hello, this bot is for the school's careers staff only. Please ask the careers office for an invitation link.",
    ),
    "welcome": ("欢迎，{name}！您的角色：{role}；范围：{scope}。", "Welcome, {name}! Your role: {role}; scope: {scope}."),
    "error": ("抱歉，出了点问题，请稍后再试。", "Sorry, something went wrong. Please try again later."),
    "hint": (
        "没看懂这条消息。更新去向请每行写一名毕业生，例如：\n2023010101 签劳动合同 聊城市人民医院 地区=山东聊城\n发送 /help 查看更多用法。",
        "I did not understand that. To record destinations, write one graduate per line, e.g.:\n2023010101 contract Liaocheng People's Hospital province=山东聊城\nSend /help for more.",
    ),
    "group_only_aggregates": ("群聊中只提供汇总数字，名单请私聊查询。", "In groups I only give aggregates; ask for lists in a private chat."),
    "group_no_updates": ("请在私聊中发送去向更新。", "Please send destination updates in a private chat."),
    "bad_scope": ("无法识别范围“{scope}”。", "Unknown scope '{scope}'."),
    "bad_role": ("角色必须是 admin、head 或 counsellor，而不是“{role}”。", "Role must be admin, head or counsellor, not '{role}'."),
    "counsellor_needs_scope": ("辅导员需要姓名（与名单中的辅导员一致）或班级范围。", "A counsellor needs a name (as in the roster's 辅导员 column) or a class scope."),
    "invite_not_allowed": ("您无权发出这种邀请。", "You may not issue this invitation."),
    "invite_needs_scope": ("请指定范围，例如：/invite counsellor 王老师 班级:护理2301班", "Give a scope, e.g. /invite counsellor Wang class:护理2301班"),
    "out_of_scope_invite": ("“{scope}”不在您的范围内。", "'{scope}' is outside your scope."),
    "invite_invalid": ("邀请链接无效。请向管理员索取新的链接。", "This invitation is not valid. Please ask for a new one."),
    "invite_used": ("该邀请链接已被使用。", "This invitation has already been used."),
    "invite_expired": ("该邀请链接已过期（有效期 7 天）。", "This invitation has expired (valid for 7 days)."),
    "invite_not_open": ("没有编号为 {id} 的未使用邀请。", "No open invitation with ID {id}."),
    "invite_cancelled": ("邀请 {id} 已作废。", "Invitation {id} cancelled."),
    "invites_usage": ("用法：/invites 列出未使用的邀请；/invites cancel 编号 作废一个", "Usage: /invites lists open invitations; /invites cancel ID cancels one"),
    "not_allowed": ("您无权执行此操作。", "You are not allowed to do that."),
    "no_cohort": ("还没有导入任何毕业生名单。管理员可用 /import 上传名单。", "No roster has been imported yet. An admin can upload one with /import."),
    "unknown_cohort": ("没有 {cohort} 届的数据。", "There is no data for cohort {cohort}."),
    "duplicate_message": ("这条消息已经处理过。", "This message was already processed."),
    "duplicate_applied": ("这条消息已经处理过，未重复记录。", "This message was already processed; nothing was recorded twice."),
    "edited_command": (
        "编辑过的命令不会再次执行；如需再次执行，请发送一条新消息。",
        "An edited command is not run again; send it as a new message to run it.",
    ),
    "undo_repeated": ("这条 /undo 已经执行过，未再撤销其他更新。", "This /undo was already carried out; nothing more was undone."),
    "undo_confirm_button": ("确认撤销", "Confirm undo"),
    "nothing_to_undo": ("没有可撤销的更新（仅限 {hours} 小时内您本人发送的更新）。", "Nothing to undo (only your own updates of the last {hours} hours)."),
    "future_as_of": ("日期 {date} 在未来。", "The date {date} is in the future."),
    "scope_forbidden": ("“{scope}”不在您的权限范围内。", "'{scope}' is outside your scope."),
    "unknown_scope": ("找不到“{scope}”。请输入院系、专业、大类或班级名称，例如 /rate 护理。", "I found no '{scope}'. Give a department, major, category or class, e.g. /rate nursing."),
    "unknown_scope_near": (
        "找不到“{scope}”。您是不是要找：{near}？",
        "I found no '{scope}'. Did you mean: {near}?",
    ),
    "bad_as_of": (
        "“{date}”不是有效的日期（例如 2026-09-01、9-01、9月1日）。",
        "'{date}' is not a valid date (e.g. 2026-09-01, 9-01, 9月1日).",
    ),
    "student_matches": (
        "“{who}”：您的范围内有 {count} 人，请用学号查询其中一人：",
        "'{who}': {count} graduates in your scope; ask for one by student ID:",
    ),
    "student_more": ("……另有 {count} 人未列出，请输入更完整的姓名。", "… {count} more not listed; type more of the name."),
    "unknown_dimension": (
        "无法按“{dimension}”分组。可用：院系、专业、大类、班级、学历、性别、群体、辅导员。",
        "Cannot group by '{dimension}'. Use: department, major, category, class, degree, gender, group, counsellor.",
    ),
    "rates_usage": (
        "用法：/rates <维度> [范围] [日期]，例如 /rates 专业 护理学院\n维度：院系、专业、大类、班级、学历、性别、群体、辅导员",
        "Usage: /rates <dimension> [scope] [date], e.g. /rates major nursing\nDimensions: department, major, category, class, degree, gender, group, counsellor",
    ),
    "student_usage": ("用法：/student 学号或姓名", "Usage: /student <student ID or name>"),
    "unknown_student": ("在您的范围内找不到学号或姓名“{who}”。", "No graduate with student ID or name '{who}' in your scope."),
    "alias_target": ("“{target}”不能唯一确定一个院系、专业、大类或班级。", "'{target}' does not name exactly one department, major, category or class."),
    "alias_usage": ("用法：/alias 别名 = 名称，例如 /alias nursing = 护理", "Usage: /alias NAME = TARGET, e.g. /alias nursing = 护理"),
    "alias_set": ("已设置别名：{alias} → {target}", "Alias set: {alias} → {target}"),
    "alias_list": ("别名：", "Aliases:"),
    "no_aliases": ("还没有别名。", "No aliases yet."),
    "choose_scope": ("“{text}”对应多个范围，请选择：", "'{text}' matches several scopes; choose one:"),
    "private_only": (
        "名单、个人记录、文件和管理操作只在私聊中进行；群聊中只提供汇总数据。",
        "Lists, records, files and administration are for private chats only; groups get aggregates.",
    ),
    "group_no_priority": (
        "群聊中不提供重点群体（群体）的数据，请在私聊中查询。",
        "Priority groups (群体) are not discussed in groups; ask in a private chat.",
    ),
    "group_too_small": (
        "该范围不足 5 人，群聊中不显示；请在私聊中查询。",
        "Fewer than 5 graduates in this scope: not shown in a group; ask in a private chat.",
    ),
    "import_usage": ("请把名单文件（.csv 或 .xlsx）作为文件发送，并在说明中写 /import。", "Send the roster (.csv or .xlsx) as a file with /import as its caption."),
    "import_admin_only": ("只有管理员可以导入名单。", "Only admins can import rosters."),
    "file_too_large": ("文件太大（通过 Telegram 上传上限 20 MB、20 万行）。", "The file is too large (limit through Telegram 20 MB, 200,000 rows)."),
    "file_unreadable": ("无法读取该文件：{detail}", "Cannot read this file: {detail}"),
    "file_type": ("只接受 .csv 或 .xlsx 文件。", "Only .csv and .xlsx files are accepted."),
    "invite_usage": ("用法：/invite head|counsellor [姓名] [范围]…", "Usage: /invite head|counsellor [name] [scope]…"),
    "invite_link": ("邀请链接（7 天内有效，仅可使用一次）：\n{link}", "Invitation link (valid 7 days, single use):\n{link}"),
    "cancelled": ("已取消。", "Cancelled."),
    "settings": (
        "设置：语言 {language}；每周汇总 {digest}。\n/settings lang zh|en — 切换语言\n/settings digest on|off — 开关每周汇总\n/settings schedule mon,thu 08:30 — 汇总时间（管理员）",
        "Settings: language {language}; weekly digest {digest}.\n/settings lang zh|en — language\n/settings digest on|off — weekly digest\n/settings schedule mon,thu 08:30 — digest time (admins)",
    ),
    "settings_saved": ("已保存。", "Saved."),
    "on": ("开", "on"),
    "off": ("关", "off"),
    "no_users": ("还没有用户。", "No users yet."),
    "button_expired": ("这个按钮已失效，请重新发送命令。", "This button has expired; send the command again."),
    "chart_usage": (
        "用法：/chart rates|trend|mix|flow|sector [范围] [日期]，例如 /chart rates 护理学院",
        "Usage: /chart rates|trend|mix|flow|sector [scope] [date], e.g. /chart trend nursing",
    ),
    "bad_schedule": ("时间表格式不对：{detail}。例如 /settings schedule mon,thu 08:30", "Not a schedule: {detail}. E.g. /settings schedule mon,thu 08:30"),
    "schedule_saved": ("每周汇总时间已设为：{schedule}", "Weekly digest schedule set to: {schedule}"),
    "targets_head": ("{cohort}届 节点目标：", "Checkpoint targets, cohort {cohort}:"),
    "targets_default": ("{cohort}届 尚未设置目标，使用默认方案：", "No targets set for cohort {cohort}; the default scheme applies:"),
    "targets_usage": (
        "管理员修改：发送 /targets 换行后跟 CSV 行（checkpoint,degree,target[,department]），例如\n/targets\ncheckpoint,degree,target\n6-15,本科,80",
        "Admins: send /targets, a newline, then CSV lines (checkpoint,degree,target[,department]), e.g.\n/targets\ncheckpoint,degree,target\n6-15,本科,80",
    ),
    "targets_saved": ("已保存 {cohort}届 的 {count} 条目标。", "Saved {count} targets for cohort {cohort}."),
    "targets_invalid": ("目标表有问题，未保存：", "The targets were not saved:"),
    "targets_merged": (
        "已保存 {cohort}届 的目标：新增 {added} 条、修改 {changed} 条、未变 {unchanged} 条；未发送的 {kept} 条保持不变。",
        "Saved cohort {cohort}'s targets: {added} added, {changed} changed, {unchanged} unchanged; the {kept} rows not sent are kept.",
    ),
    "targets_replace_ask": (
        "将用这 {sent} 条替换 {cohort}届 的全部 {current} 条目标（未列出的节点将被删除）。确认吗？",
        "Replace all {current} targets of cohort {cohort} with these {sent} rows (checkpoints not listed are deleted)?",
    ),
    "targets_replace_button": ("确认全部替换", "Replace them all"),
    "targets_usage_replace": (
        "只发送要修改的行即可，其余保持不变；要整体替换，请发送 /targets replace 换行后跟完整的 CSV，并按按钮确认。",
        "Send only the rows to change; the rest stay. To replace the whole table send /targets replace, a newline and the full CSV, then confirm with the button.",
    ),
    "unknown_command": ("没有 /{command} 这个命令。发送 /help 查看可用的命令。", "There is no /{command} command. Send /help for the commands you can use."),
    "unknown_command_near": (
        "没有 /{command} 这个命令，是否想用 /{near}？发送 /help 查看可用的命令。",
        "There is no /{command} command; did you mean /{near}? Send /help for the commands you can use.",
    ),
    "digest_pending": ("每周汇总功能尚未开放。", "Weekly digests are not available yet."),
    "ask_destination": (
        "第 {line} 行：{raw}\n“{word}”是已被录取（{placed}），还是仍在备考（{unplaced}）？请选择；选择之前不记录任何内容。",
        "Line {line}: {raw}\nDoes '{word}' mean admitted ({placed}) or still preparing ({unplaced})? Choose one; nothing is recorded until you do.",
    ),
    "asked_more": (
        "另有 {count} 行含“{word}”未提问：请改写为“升学”或“不就业拟升学”后重新发送。",
        "{count} more line(s) with '{word}' were not asked about: rewrite them as 'study' or 'preparing for study' and send them again.",
    ),
    "chosen": ("已选择：{choice}", "Chosen: {choice}"),
    "choice_done": ("这个问题已经回答过，未重复记录。", "This question was already answered; nothing was recorded twice."),
    "choice_stale": (
        "提问之后该毕业生已有新的记录，此选择未记录；如仍需更改，请重新发送一行。",
        "This graduate has had a newer record since the question; nothing was recorded. Send a new line if needed.",
    ),
}
MESSAGES.update(GRADUATE_MESSAGES)  # §10: graduates, review and 核查 (bot/graduate_catalogue.py)

LINE_REASONS: dict[str, tuple[str, str]] = {
    "missing_destination": ("缺少去向", "no destination"),
    "unknown_destination": ("无法识别的去向“{value}”", "unknown destination '{value}'"),
    "unknown_key": ("无法识别的字段“{value}”", "unknown field '{value}'"),
    "bad_value": ("无效的取值“{value}”", "invalid value '{value}'"),
    "bad_date": ("无法识别的日期“{value}”", "unreadable date '{value}'"),
    "future_date": ("日期“{value}”在未来", "date '{value}' is in the future"),
    "unclosed_quote": ("引号未闭合", "unclosed quote"),
    "too_long": ("内容过长（字数 > 上限）：{value}", "too long (characters > limit): {value}"),
    "ambiguous_name": ("姓名“{value}”有重名，请改用学号", "several graduates are named '{value}'; use the student ID"),
    "unknown_student": ("在您的范围内找不到学号 {value}", "no graduate with student ID {value} in your scope"),
    "unknown_name": ("在您的范围内找不到“{value}”", "no '{value}' in your scope"),
    "file_row": ("{value}", "{suggestion}"),
    "duplicate_key": ("同一字段填写了两次（“{value}”）", "a field is given twice ('{value}')"),
    "missing_who": ("缺少学号或姓名", "no student ID or name"),
    "ambiguous_destination": (
        "“{value}”可能是已录取也可能是备考，请写明：{suggestion}",
        "'{value}' may mean admitted or still preparing; write one of: {suggestion}",
    ),
}

ROLE_NAMES = {
    "admin": ("管理员", "admin"), "head": ("院系负责人", "department head"), "counsellor": ("辅导员", "counsellor"),
    "graduate": ("毕业生", "graduate"),
}  # fmt: skip


def lang_index(lang: str) -> int:
    return 1 if lang == "en" else 0


CHART_TEXTS: dict[str, tuple[str, str]] = {
    "title": ("{label} · {year}届 · 截至 {day}", "{label} · cohort {year} · as of {day}"),
    "rates": ("毕业去向落实率", "placement rate"),
    "trend": ("每周毕业去向落实率", "weekly placement rate"),
    "mix": ("毕业去向构成", "destination mix"),
    "flow": ("就业地区", "where the employed went"),
    "sector": ("单位性质与行业", "unit nature and industry"),
    "hidden": (
        "另有 {n} 个单位未显示（不足 5 人，或为防止由合计推算而一并隐藏）",
        "{n} units not shown (under 5 graduates, or withheld so that the total does not reveal one)",
    ),
    "series": ("{year}届", "cohort {year}"),
    "target": ("{day} 目标 {value}%", "{day} target {value}%"),
    "not_given": ("未填写", "not given"),
    "unknown": ("未知", "unknown"),
}

MESSAGES.update(SURVEY_MESSAGES)  # the survey's refusals, kept in bot/survey_texts.py


def chart_text(lang: str, key: str, **params: object) -> str:
    """A chart's title, suffix, series or axis word in the asker's language (names stay as they are)."""
    zh, en = CHART_TEXTS[key]
    return (en if lang == "en" else zh).format(**params)


def t(lang: str, key: str, **params: object) -> str:
    template = MESSAGES[key][lang_index(lang)]
    return template.format(**params) if params else template


def role_name(lang: str, role: str) -> str:
    return ROLE_NAMES.get(role, (role, role))[lang_index(lang)]


def mask_name(name: str) -> str:
    """张*芳 / 李* — keep the first and last characters."""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_id(student_id: str) -> str:
    return "…" + student_id[-4:] if len(student_id) > 4 else student_id


_ID_RUN = re.compile(r"\d{6,}")  # a 学号 inside free text
_NAME_KEY = re.compile(r"((?:姓名|name)\s*[:：=＝]\s*)(\S+)", re.IGNORECASE)
# Line reasons whose value is the 学号 or 姓名 the sender wrote, and whose suggestion is one (or a
# list separated by 、) of the graduates in their scope.
_WHO_REASONS = frozenset({"ambiguous_name", "unknown_student", "unknown_name"})
PII_PARAMS = frozenset({"who"})  # ServiceError parameters naming a graduate


class Privacy:
    """Names and IDs as PII_IN_CHAT allows. Every name or 学号 the bot sends through Telegram goes
    through one of these methods (lists, records, update replies, suggestions, refusals), and so
    does every free-text field (a note, an employer, a school): `text`.

    `names` are the roster's names, to find inside free text (`备注=与张伟2023010104同去面试`);
    a caller showing free text passes its cohort's (`among`)."""

    def __init__(self, mode: str, names: Collection[str] = frozenset()) -> None:
        self.mode = mode
        self.masked = mode == "masked"
        self._names: Collection[str] = names if self.masked else frozenset()  # shared, never copied
        self._longest: int | None = None  # of the names; found at the first free text

    def among(self, names: Collection[str]) -> Privacy:
        """The same mode, knowing these roster names (free text is searched for them)."""
        return Privacy(self.mode, names) if self.masked else self

    def text(self, free: str | None) -> str:
        """Free text with every roster name (the longest at each place) and every 学号-like run of
        six or more digits in it masked: `与张伟2023010104同去` → `与张*…0104同去`."""
        if not free or not self.masked:
            return free or ""
        if self._longest is None:
            self._longest = max(map(len, self._names), default=0)
        out: list[str] = []
        i = 0
        while i < len(free):
            # two characters or more: a one-character "name" would mask that character everywhere
            for size in range(min(self._longest, len(free) - i), 1, -1):
                if free[i : i + size] in self._names:
                    out.append(mask_name(free[i : i + size]))
                    i += size
                    break
            else:
                out.append(free[i])
                i += 1
        return _ID_RUN.sub(lambda m: mask_id(m.group(0)), "".join(out))

    def name(self, name: str) -> str:
        return mask_name(name) if self.masked else name

    def sid(self, student_id: str) -> str:
        return mask_id(student_id) if self.masked else student_id

    def who(self, text: str) -> str:
        """A 学号 or a 姓名 as someone wrote it."""
        return self.sid(text) if any(ch.isdigit() for ch in text) else self.name(text)

    def whos(self, text: str) -> str:
        """Several, separated by 、 (the candidates for an ambiguous name)."""
        return "、".join(self.who(part) for part in text.split("、"))

    def line(self, raw: str, who: str | None = None) -> str:
        """A quoted input line: the graduate it names (its first token, 学号 runs, 姓名=…) masked."""
        if not self.masked:
            return raw
        text = raw
        if who:
            text = text.replace(who, self.who(who))
        elif "\n" not in raw:  # a line's first token names the graduate
            first, sep, rest = raw.strip().partition(" ")
            if first and "=" not in first and "＝" not in first:
                text = self.who(first) + sep + rest
        text = _NAME_KEY.sub(lambda m: m.group(1) + self.name(m.group(2)), text)
        return self.text(text)

    def ids(self, text: str) -> str:
        """Free text (a file row's problem) with every 学号 in it masked."""
        return _ID_RUN.sub(lambda m: mask_id(m.group(0)), text) if self.masked else text

    def params(self, params: Mapping[str, object]) -> dict[str, object]:
        """A refusal's parameters with the ones naming a graduate masked."""
        return {k: self.who(str(v)) if k in PII_PARAMS else v for k, v in params.items()}


def split_message(text: str, limit: int = TELEGRAM_LIMIT, *, size: Callable[[str], int] = len) -> list[str]:
    """Split at line boundaries into parts of at most `limit` (measured by `size`: characters for
    Telegram, UTF-8 bytes for WeCom); an overlong line is cut between characters. Never drops text."""
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        while size(line) > limit:  # a single overlong line: hard-wrap it
            if current:
                parts.append(current)
                current = ""
            cut = _fitting_prefix(line, limit, size)
            parts.append(line[:cut])
            line = line[cut:]
        candidate = f"{current}\n{line}" if current else line
        if size(candidate) > limit:
            parts.append(current)
            current = line
        else:
            current = candidate
    if current or not parts:
        parts.append(current)
    return parts


def _fitting_prefix(line: str, limit: int, size: Callable[[str], int]) -> int:
    """The most characters of `line` whose size is within `limit` (at least one)."""
    low, high = 1, len(line)
    while low < high:
        middle = (low + high + 1) // 2
        if size(line[:middle]) <= limit:
            low = middle
        else:
            high = middle - 1
    return low


# The words of the domain in each language. Every label a reply shows — a destination, an
# unplaced status (sub-state), a degree, a dimension, a scope grant — goes through one of the
# functions below, so an English reply never carries a Chinese label (nor the reverse); names of
# units, classes and people are the roster's and stay as they are.
DEGREE_EN: dict[str, str] = {"专科": "associate", "本科": "bachelor", "硕士": "master", "博士": "doctor", "未知": "unknown"}
GENDER_EN: dict[str, str] = {"男": "male", "女": "female"}
WITHIN_LABEL = ("限于", "within")  # a head's invitee reads only inside these departments


def dimension_label(lang: str, dimension: str) -> str:
    if dimension == WITHIN:
        return WITHIN_LABEL[lang_index(lang)]
    zh, en, _ = DIMENSIONS[dimension]
    return en if lang == "en" else zh


def status_label(lang: str, label: str) -> str:
    """An unplaced graduate's status as listed (求职中, 未上报, 不就业拟升学 …; `unplaced_label`)."""
    if lang != "en":
        return label
    words = substate_en(label) or _UNPLACED_EN.get(label, label)
    return words[:1].upper() + words[1:]


def degree_label(lang: str, degree: str | None) -> str:
    if not degree:
        return ""
    return DEGREE_EN.get(degree, degree) if lang == "en" else degree


def value_label(lang: str, dimension: str, value: str) -> str:
    """A unit of a breakdown: degrees and genders have words in each language; names are the roster's."""
    if lang != "en":
        return value
    if dimension == "degree":
        return degree_label(lang, value)
    if dimension == "gender":
        return GENDER_EN.get(value, value)
    return value


def grant_label(lang: str, grant: str) -> str:
    """A stored scope grant `dimension:value` (department:护理学院) as `院系:护理学院` / `department:护理学院`."""
    dimension, sep, value = grant.partition(":")
    if not sep or (dimension not in DIMENSIONS and dimension != WITHIN):
        return grant
    return f"{dimension_label(lang, dimension)}:{value_label(lang, dimension, value)}"


def counts_line(lang: str, counts: PlacementCounts, audience: Audience = Audience.PRIVATE) -> str:
    """The counts; for a group, a count of 1–4 graduates is `<5`, and all of a unit under 5 is."""
    small = hides(audience, counts.total)

    def n(value: int) -> str:
        return HIDDEN if small else shown(audience, value)

    if lang == "en":
        return (
            f"placed {n(counts.placed)}/{n(counts.total)} · employed {n(counts.employed)} · study {n(counts.study)} · "
            f"unplaced {n(counts.unplaced)} (not reported {n(counts.unreported)})"
        )
    return (
        f"已落实 {n(counts.placed)}/{n(counts.total)} · 就业 {n(counts.employed)} · 升学 {n(counts.study)} · "
        f"未落实 {n(counts.unplaced)}（未上报 {n(counts.unreported)}）"
    )


def rate_of(counts: PlacementCounts, audience: Audience = Audience.PRIVATE) -> str:
    """The placement rate, or `<5` for a group reading about fewer than 5 graduates."""
    return HIDDEN if hides(audience, counts.total) else counts.placement_rate


def recorded_line(lang: str, recorded: RecordedWeek | None, placed: int, audience: Audience = Audience.PRIVATE) -> str | None:
    """This week by recording time (`bot.recorded`), beside the change by effective date: entries
    recorded, graduates, backdated ones, and the rate as known 7 days ago → as known now (both as of
    today; `placed` is today's placed count). None when there is nothing to say or a group may not
    read it (fewer than 5 graduates in the scope)."""
    if recorded is None or hides(audience, recorded.total):
        return None
    en = lang == "en"
    if not recorded.entries:
        return "Nothing recorded in the last 7 days." if en else "近 7 天无新录入。"
    n = lambda value: shown(audience, value)  # noqa: E731 - a figure about fewer than 5 is <5 in a group
    before = placed - recorded.placed_gain
    change = format_change(hundredths_of_percent(before, recorded.total), hundredths_of_percent(placed, recorded.total))
    since = f"{recorded.since.month}-{recorded.since.day:02d}"
    if en:
        backdated = f"; {n(recorded.backdated)} dated before {since}" if recorded.backdated else ""
        return (
            f"Recorded in the last 7 days: {n(recorded.entries)} update(s) for {n(recorded.graduates)} graduate(s){backdated}; "
            f"by recording time {format_percent(before, recorded.total)} → {format_percent(placed, recorded.total)} ({change} pts)"
        )
    backdated = f"，其中补录 {n(recorded.backdated)} 条（日期早于 {since}）" if recorded.backdated else ""
    return (
        f"近 7 天录入：{n(recorded.entries)} 条（{n(recorded.graduates)} 人）{backdated}；"
        f"按录入时间 {format_percent(before, recorded.total)} → {format_percent(placed, recorded.total)}（{change} 个百分点）"
    )


def gap_line(lang: str, gap: Gap | None) -> str | None:
    """The next checkpoint's target and the graduates still missing (with the projection when known).
    The gap comes from the cohort's own targets (`bot.targets.gap_at`); None — no next checkpoint,
    or no graduates — means no line: there is no built-in checkpoint to fall back on."""
    if gap is None:
        return None
    day = f"{gap.checkpoint.month}-{gap.checkpoint.day:02d}"
    if lang == "en":
        line = f"Next checkpoint {day} (target {gap.target_text}): " + (
            "reached" if gap.needed == 0 else f"{gap.needed} more graduates needed"
        )
        if gap.needed and gap.on_track is not None:
            line += " — on track at the current pace" if gap.on_track else " — ⚠ not on track at the current pace"
        return line
    line = f"下一节点 {day}（目标 {gap.target_text}）：" + ("已达到" if gap.needed == 0 else f"还差 {gap.needed} 人")
    if gap.needed and gap.on_track is not None:
        line += "，按近期进度可望达标" if gap.on_track else "，⚠ 按近期进度难以达标"
    return line


def render_rate(lang: str, answer: object) -> str:
    """/rate: the first percentage in the reply is the placement rate (毕业去向落实率)."""
    a = answer  # RateAnswer
    c: PlacementCounts = a.counts  # type: ignore[attr-defined]
    w: PlacementCounts = a.week_ago  # type: ignore[attr-defined]
    audience: Audience = getattr(a, "audience", Audience.PRIVATE)
    change = format_change(w.placement_hundredths, c.placement_hundredths)
    if hides(audience, c.total) or hides(audience, w.total):  # a group, and fewer than 5 graduates
        rates = dict.fromkeys(("signing", "flexible", "known"), HIDDEN)
        change, before = HIDDEN, HIDDEN
    else:
        rates = {"signing": c.signing_rate, "flexible": c.flexible_rate, "known": c.knowledge_rate}
        before = w.placement_rate
    if lang == "en":
        lines = [
            f"{a.scope_label} · cohort {a.cohort} · as of {a.as_of.isoformat()}",  # type: ignore[attr-defined]
            f"Placement rate (毕业去向落实率): {rate_of(c, audience)}",
            counts_line(lang, c, audience),
            f"Signing rate {rates['signing']} · flexible {rates['flexible']} · known {rates['known']}",
            f"Last 7 days (by destination date): {change} pts (from {before})",
        ]
        if a.partial:  # type: ignore[attr-defined]
            lines.insert(1, "(only the part within your scope)")
    else:
        lines = [
            f"{a.scope_label} · {a.cohort}届 · 截至 {a.as_of.isoformat()}",  # type: ignore[attr-defined]
            f"毕业去向落实率：{rate_of(c, audience)}",
            counts_line(lang, c, audience),
            f"签约率 {rates['signing']} · 灵活就业率 {rates['flexible']} · 去向知晓率 {rates['known']}",
            f"近 7 天（按去向日期）：{change} 个百分点（7 天前 {before}）",
        ]
        if a.partial:  # type: ignore[attr-defined]
            lines.insert(1, "（仅统计您权限范围内的部分）")
    recorded = recorded_line(lang, getattr(a, "recorded", None), c.placed, audience)
    if recorded:
        lines.append(recorded)
    gap = None if hides(audience, c.total) else gap_line(lang, getattr(a, "gap", None))
    if gap:
        lines.append(gap)
    lines.extend(review_lines(lang, getattr(a, "pending", 0), getattr(a, "checks", None), audience))
    return "\n".join(lines)


def review_lines(lang: str, pending: int, checks: object, audience: Audience = Audience.PRIVATE) -> list[str]:
    """§10 in /rate and digests: "待审核 N" and the one 核查 line (each figure `<5` in a group)."""
    out = []
    if pending:
        out.append(t(lang, "pending_line", n=shown(audience, pending)))
    if checks is not None:
        c = checks  # bot.verification.CheckTally
        figures = [shown(audience, n) for n in (c.confirmed, c.materials, c.checked, c.none)]  # type: ignore[attr-defined]
        out.append(t(lang, "check_line", a=figures[0], b=figures[1], c=figures[2], d=figures[3]))
    return out


def render_rates(lang: str, answer: object) -> str:
    a = answer  # RatesAnswer
    dim = dimension_label(lang, a.dimension)  # type: ignore[attr-defined]
    if lang == "en":
        head = f"{a.scope_label} · placement rate by {dim} · as of {a.as_of.isoformat()}"  # type: ignore[attr-defined]
    else:
        head = f"{a.scope_label} · 按{dim}的毕业去向落实率 · 截至 {a.as_of.isoformat()}"  # type: ignore[attr-defined]
    lines = [head]
    below: dict = getattr(a, "below", {})
    audience: Audience = getattr(a, "audience", Audience.PRIVATE)
    # a group: units under 5 (and those withheld with them) go last, by name, so that the rate
    # order tells nothing about them either
    held = withheld(audience, [row.counts.total for row in a.rows])  # type: ignore[attr-defined]
    rows = sorted(enumerate(a.rows), key=lambda item: (item[0] in held, item[1].unit if item[0] in held else ""))  # type: ignore[attr-defined]
    for i, (position, row) in enumerate(rows, 1):
        small = position in held
        gap = None if small else below.get(row.unit)
        flag = (f" ⚠ need {gap.needed}" if lang == "en" else f" ⚠ 差{gap.needed}人") if gap else ""
        card = None if small else getattr(a, "cards", {}).get(row.unit)
        if card:  # with the rate and day it was judged on, which need not be this table's
            if lang == "en":
                flag += (" 🟥 red card" if card.kind == "红牌" else " 🟨 yellow card") + f" ({card.basis()})"
            else:
                flag += (" 🟥红牌" if card.kind == "红牌" else " 🟨黄牌") + f"（{card.basis()}）"
        if small and not hides(audience, row.counts.total):
            lines.append(f"{i}. {value_label(lang, a.dimension, row.unit)}  {WITHHELD}  ({WITHHELD}/{WITHHELD})")  # type: ignore[attr-defined]
            continue
        unit = value_label(lang, a.dimension, row.unit)  # type: ignore[attr-defined]
        lines.append(f"{i}. {unit}  {rate_of(row.counts, audience)}  ({_fraction(row.counts, audience)}){flag}")
    total = a.total  # type: ignore[attr-defined]
    lines.append(("Total" if lang == "en" else "合计") + f"  {rate_of(total, audience)}  ({_fraction(total, audience)})")
    if below:
        gap = next(iter(below.values()))
        day = gap.checkpoint.isoformat()
        lines.append(
            f"⚠ short of the {day} targets ({gap.target_text})" if lang == "en" else f"⚠ 未达 {day} 节点目标（{gap.target_text}）"
        )
    return "\n".join(lines)


def _fraction(counts: PlacementCounts, audience: Audience) -> str:
    if hides(audience, counts.total):
        return f"{HIDDEN}/{HIDDEN}"
    return f"{shown(audience, counts.placed)}/{counts.total}"


def destination_label(lang: str, code: int, substate: str | None) -> str:
    destination = destination_for(code, substate)
    return destination.label_en if lang == "en" else destination.label_zh


# the statuses `bot.metrics.unplaced_label` lists without a sub-state: the bare destinations' names
_UNPLACED_EN: dict[str, str] = {
    destination_for(code, None).name_zh: destination_for(code, None).name_en for code in UNPLACED_LABELS
}


def render_unplaced_page(
    lang: str, answer: object, privacy: Privacy, today: date, page: int, per_page: int = 40
) -> tuple[str, int]:
    """One page of the unplaced list, grouped by sub-state; returns (text, number of pages)."""
    graduates: list[GraduateState] = answer.graduates  # type: ignore[attr-defined]
    privacy = privacy.among(answer.names)  # type: ignore[attr-defined]
    pages = max(1, -(-len(graduates) // per_page))
    page = min(max(page, 0), pages - 1)
    chunk = graduates[page * per_page : (page + 1) * per_page]
    if lang == "en":
        head = f"{answer.scope_label} · unplaced {len(graduates)} · page {page + 1}/{pages}"  # type: ignore[attr-defined]
    else:
        head = f"{answer.scope_label} · 未落实 {len(graduates)} 人 · 第 {page + 1}/{pages} 页"  # type: ignore[attr-defined]
    if not graduates:
        return head + ("\nAll placed." if lang == "en" else "\n全部已落实。"), 1
    lines = [head]
    current = None
    for state in chunk:
        label = unplaced_label(state)
        if label != current:
            current = label
            lines.append(f"【{status_label(lang, label)}】")
        days = (today - state.last_update).days if state.last_update else None
        since = ("no update" if lang == "en" else "无记录") if days is None else (f"{days} d" if lang == "en" else f"{days} 天")
        note = f" · {privacy.text(state.note)}" if state.note else ""
        lines.append(f"{privacy.name(state.name)} {privacy.sid(state.student_id)} · {state.class_name or ''} · {since}{note}")
    return "\n".join(lines), pages


def render_student(lang: str, answer: object, privacy: Privacy) -> str:
    s: GraduateState = answer.state  # type: ignore[attr-defined]
    en = lang == "en"
    privacy = privacy.among(answer.names)  # type: ignore[attr-defined]
    lines = [
        f"{privacy.name(s.name)} {privacy.sid(s.student_id)}",
        f"{s.department} · {s.major} · {s.class_name or ''} · {degree_label(lang, s.degree)} · {answer.cohort}{'' if en else '届'}",  # type: ignore[attr-defined]
        ("Now: " if en else "当前：") + destination_label(lang, s.code, s.substate)
        + _detail(privacy.text(s.employer or s.school), s.province, s.city),
        "History:" if en else "历史：",
    ]
    history = answer.history  # type: ignore[attr-defined]
    if not history:
        lines.append("  (none)" if en else "  （无）")
    for entry, sender in history:
        undone = (" (undone)" if en else "（已撤销）") if entry.undone_at else ""
        who = f" · {sender}" if sender else ""
        lines.append(
            f"  {entry.effective_date.isoformat()} {destination_label(lang, entry.code, entry.substate)}"
            f"{_detail(privacy.text(entry.employer or entry.school or entry.note), entry.province, entry.city)}{who}{undone}"
        )
    return "\n".join(lines)


def _detail(place: str | None, province: str | None, city: str | None) -> str:
    bits = [b for b in (place, (province or "") + (city or "") if (province or city) else None) if b]
    return " · " + " ".join(bits) if bits else ""


def render_apply(lang: str, result: object, privacy: Privacy) -> str:
    r = result  # ApplyResult
    en = lang == "en"
    if r.duplicate:  # type: ignore[attr-defined]
        return t(lang, "duplicate_applied")
    privacy = privacy.among(getattr(r, "names", frozenset()))  # roster names inside quoted lines
    applied, unchanged, rejected = len(r.applied), len(r.unchanged), len(r.rejected)  # type: ignore[attr-defined]
    asked = len(getattr(r, "asked", ()))
    if en:
        lines = [f"Applied {applied} · unchanged {unchanged} · rejected {rejected}" + (f" · to confirm {asked}" if asked else "")]
    else:
        lines = [f"已更新 {applied} 条 · 未变化 {unchanged} 条 · 未通过 {rejected} 条" + (f" · 待确认 {asked} 条" if asked else "")]
    if getattr(r, "edit_version", 0):
        lines.insert(0, "Edited message applied as a correction." if en else "已按编辑后的消息更正。")
    for outcome in r.rejected:  # type: ignore[attr-defined]
        reason = LINE_REASONS.get(outcome.reason or "", ("{value}", "{value}"))[lang_index(lang)]
        names_graduate = outcome.reason in _WHO_REASONS
        value = privacy.who(outcome.value) if names_graduate and outcome.value else privacy.ids(outcome.value or "")
        suggestion = outcome.suggestion or ""
        if outcome.reason == "file_row":  # the English text of a file row's problem
            suggestion = privacy.ids(suggestion)
        if names_graduate and suggestion:
            suggestion = privacy.whos(suggestion)
        text = reason.format(value=value, suggestion=suggestion)
        if outcome.suggestion and outcome.reason not in ("file_row", "ambiguous_destination"):
            if outcome.reason == "ambiguous_name":
                text += f"（{suggestion}）" if not en else f" ({suggestion})"
            else:
                text += f"，是否想写“{suggestion}”？" if not en else f"; did you mean '{suggestion}'?"
        raw = privacy.line(outcome.raw, outcome.value if names_graduate else None) if outcome.raw else ""
        quoted = f"：{raw}" if raw and not en else (f": {raw}" if raw else "")
        lines.append(f"✗ {'line' if en else '第'} {outcome.line_no}{'' if en else ' 行'}{quoted}\n   → {text}")
    if r.before is not None and r.after is not None:  # type: ignore[attr-defined]
        lines.append(f"{r.scope_label} {r.before.placement_rate} → {r.after.placement_rate}")  # type: ignore[attr-defined]
    return "\n".join(lines)


def choice_label(lang: str, destination: object) -> str:
    """A button for one reading of an ambiguous word: its name and MoE code (升学 80)."""
    name = destination.label_en if lang == "en" else destination.label_zh  # type: ignore[attr-defined]
    return f"{name} {destination.code}"  # type: ignore[attr-defined]


def render_question(lang: str, asked: object, privacy: Privacy) -> str:
    """The question for one ambiguous line (考研): which reading is meant; nothing applied yet."""
    readings = asked.readings  # type: ignore[attr-defined]
    return t(
        lang,
        "ask_destination",
        line=asked.line_no,  # type: ignore[attr-defined]
        raw=privacy.line(asked.raw),  # type: ignore[attr-defined]
        word=asked.word,  # type: ignore[attr-defined]
        placed=choice_label(lang, readings[0].destination),
        unplaced=choice_label(lang, readings[-1].destination),
    )


def _named_message(lang: str, created_at: datetime, first_line: str | None, tz: tzinfo, privacy: Privacy) -> str:
    """An update message as /undo names it: when it was sent and its first line."""
    when = created_at.astimezone(tz).strftime("%m-%d %H:%M")
    if not first_line:
        return f"your message of {when}" if lang == "en" else f"{when} 的消息"
    line = privacy.line(first_line)
    return f"your message of {when} “{line}”" if lang == "en" else f"{when} 的消息「{line}」"


def render_undo(lang: str, result: object, tz: tzinfo, privacy: Privacy) -> str:
    r = result  # UndoResult
    named = _named_message(lang, r.created_at, r.first_line, tz, privacy)  # type: ignore[attr-defined]
    if lang == "en":
        head = f"Undone {named}: {r.entries} update(s) for {r.graduates} graduate(s)."  # type: ignore[attr-defined]
    else:
        head = f"已撤销 {named}：{r.graduates} 名毕业生的 {r.entries} 条更新，已恢复为之前的去向。"  # type: ignore[attr-defined]
    return f"{head}\n{r.scope_label} {r.before.placement_rate} → {r.after.placement_rate}"  # type: ignore[attr-defined]


def render_undo_pending(lang: str, pending: object, tz: tzinfo, privacy: Privacy) -> str:
    p = pending  # UndoPending
    named = _named_message(lang, p.created_at, p.first_line, tz, privacy)  # type: ignore[attr-defined]
    if lang == "en":
        return (
            f"This would undo {named}: {p.entries} update(s) for {p.graduates} graduates. "  # type: ignore[attr-defined]
            "Press the button to confirm; nothing is undone until then."
        )
    return f"将撤销 {named}：{p.graduates} 名毕业生的 {p.entries} 条更新。确认请按下方按钮；按下之前不会撤销。"  # type: ignore[attr-defined]


def render_import(lang: str, result: object, privacy: Privacy | None = None) -> str:
    r = result  # ImportResult
    privacy = privacy or Privacy("full")  # the CLI prints on the server: full
    en = lang == "en"
    if r.problems:  # type: ignore[attr-defined]
        head = (
            f"Nothing imported: {len(r.problems)} problem(s)." if en else f"未导入任何数据：发现 {len(r.problems)} 处问题。"  # type: ignore[attr-defined]
        )
        lines = [head]
        for p in r.problems:  # type: ignore[attr-defined]
            if hasattr(p, "message_zh"):
                message = privacy.ids(p.message_en if en else p.message_zh)
                lines.append(f"{'row' if en else '第'} {p.row_no}{'' if en else ' 行'}: {message}")
            else:
                reason = LINE_REASONS.get(p.reason or "", ("{value}", "{value}"))[lang_index(lang)]
                value = privacy.who(p.value) if p.reason in _WHO_REASONS and p.value else p.value or ""
                suggestion = privacy.whos(p.suggestion) if p.reason in _WHO_REASONS and p.suggestion else p.suggestion or ""
                lines.append(f"{privacy.line(p.raw)}: {reason.format(value=value, suggestion=suggestion)}")
        return "\n".join(lines)
    verb = ("Dry run" if en else "试运行") if r.dry_run else ("Imported" if en else "已导入")  # type: ignore[attr-defined]
    if en:
        lines = [
            f"{verb}: cohort {r.cohort}, {r.total_rows} rows — new {r.created}, updated {r.updated}, unchanged {r.unchanged}",  # type: ignore[attr-defined]
            f"Not in this file: {r.missing} (kept)" + (f"; removed {r.pruned}" if r.pruned else ""),  # type: ignore[attr-defined]
        ]
        if r.destinations_applied or r.destinations_unchanged:  # type: ignore[attr-defined]
            lines.append(f"Destinations applied {r.destinations_applied}, unchanged {r.destinations_unchanged}")  # type: ignore[attr-defined]
        if r.unknown_columns:  # type: ignore[attr-defined]
            lines.append("Ignored columns: " + ", ".join(r.unknown_columns))  # type: ignore[attr-defined]
    else:
        lines = [
            f"{verb}：{r.cohort}届，共 {r.total_rows} 行——新增 {r.created}，更新 {r.updated}，未变 {r.unchanged}",  # type: ignore[attr-defined]
            f"文件中没有的毕业生：{r.missing} 人（已保留）" + (f"；已删除 {r.pruned} 人" if r.pruned else ""),  # type: ignore[attr-defined]
        ]
        if r.destinations_applied or r.destinations_unchanged:  # type: ignore[attr-defined]
            lines.append(f"去向：已更新 {r.destinations_applied}，未变化 {r.destinations_unchanged}")  # type: ignore[attr-defined]
        if r.unknown_columns:  # type: ignore[attr-defined]
            lines.append("已忽略的列：" + "、".join(r.unknown_columns))  # type: ignore[attr-defined]
    return "\n".join(lines)


# Every command's menu description and its arguments in /help: (zh, en, zh arguments, en arguments).
# Which commands a user is offered is the policy's (`bot.services.policy.COMMANDS`), not this table's.
COMMAND_TEXTS: dict[str, tuple[str, str, str, str]] = {
    "start": ("开始 / 注册", "start / register", "", ""),
    "rate": ("毕业去向落实率", "placement rate", "[范围] [日期]", "[scope] [date]"),
    "rates": ("分组落实率", "rates by unit", "<维度> [范围] [日期]", "<dimension> [scope] [date]"),
    "unplaced": ("未落实名单", "unplaced graduates", "[范围]", "[scope]"),
    "student": ("个人记录与历史", "one graduate's record and history", "<学号或姓名>", "<ID or name>"),
    "chart": ("图表：rates trend mix flow sector", "chart: rates trend mix flow sector", "<种类> [范围] [日期]", "<kind> [scope] [date]"),
    "export": ("导出名单 .xlsx", "export .xlsx", "[范围] [日期]", "[scope] [date]"),
    "report": ("年度报告表格", "annual-report workbook", "[届别] [日期]", "[cohort] [date]"),
    "digest": ("本周汇总", "this week's digest", "", ""),
    "kpi": ("节点考核", "checkpoint KPI", "[范围]", "[scope]"),
    "targets": ("节点目标", "checkpoint targets", "", ""),
    "undo": ("撤销您上一条更新", "undo your last update", "", ""),
    "invite": ("邀请用户", "invite a user", "head|counsellor [姓名] [范围]", "head|counsellor [name] [scope]"),
    "invite graduates": ("毕业生个人链接与二维码", "graduates' personal links and QR codes", "[范围]", "[scope]"),
    "invites": ("未使用的邀请", "open invites", "[cancel 编号]", "[cancel ID]"),
    "users": ("用户", "users", "", ""),
    "import": ("导入名单（作为文件说明）", "import a roster (as a file's caption)", "", ""),
    "alias": ("别名", "aliases", "[别名 = 名称]", "[NAME = TARGET]"),
    "channels": ("群机器人", "group robots", "", ""),
    "review": ("审核毕业生上报", "review graduates' reports", "[范围]", "[scope]"),
    "confirm": ("请毕业生确认去向", "ask graduates to confirm", "[范围]", "[scope]"),
    "check": ("核查情况", "verification figures", "[范围] [日期]", "[scope] [date]"),
    "verify": ("记录核实", "record a check", "<学号> <电话|实地|其他> <属实|不属实|联系不上> [备注]", "<ID> <phone|visit|other> <true|false|unreachable> [note]"),
    "sample": ("抽查", "draw a sample", "<N|N%> [范围]", "<N|N%> [scope]"),
    "unbind": ("解除毕业生绑定", "unbind a graduate", "<学号>", "<ID>"),
    "me": ("我的记录", "my record", "", ""),
    "survey": ("跟踪调查", "follow-up survey", "[open|remind|close] [范围]", "[open|remind|close] [scope]"),
    "settings": ("设置：语言、每周汇总", "settings: language, digest", "", ""),
    "help": ("用法", "help", "", ""),
    "cancel": ("取消", "cancel", "", ""),
}


def command_description(lang: str, name: str) -> str:
    """A command's line in the Telegram command menu."""
    zh, en, _, _ = COMMAND_TEXTS[name]
    return en if lang == "en" else zh


def render_help(
    lang: str,
    role: str | None,
    scope_label: str | None,
    commands: Sequence[str],
    *,
    examples: Sequence[str] = (),
) -> str:
    """The role's usage: update examples (when `examples`, 学号 of the user's own cohort, are given:
    those who may record destinations) and one line per command the policy offers them."""
    en = lang == "en"
    lines: list[str] = []
    if role:
        lines += [f"You are {role_name(lang, role)}; scope: {scope_label}." if en else f"您是{role_name(lang, role)}，范围：{scope_label}。", ""]
    if examples:
        a, b, c = (list(examples) * 3)[:3]
        if en:
            lines += [
                "Record destinations: one graduate per line —",
                f"  {a} contract Liaocheng People's Hospital province=山东聊城 industry=Q related=yes",
                f"  {b} study 聊城大学",
                f"  {c} seeking note=interview next week",
                "  张三 military date=9-05",
                "",
            ]
        else:
            lines += [
                "更新去向：每行一名毕业生——",
                f"  {a} 签劳动合同 聊城市人民医院 地区=山东聊城 行业=卫生 对口=是",
                f"  {b} 升学 聊城大学",
                f"  {c} 求职中 备注=下周面试",
                "  张三 应征义务兵 日期=9-05",
                "",
            ]
    for name in commands:
        zh, en_text, zh_args, en_args = COMMAND_TEXTS[name]
        args = en_args if en else zh_args
        lines.append(f"/{name}{' ' + args if args else ''} — {en_text if en else zh}")
    return "\n".join(lines).strip("\n")


def render_invites(lang: str, invites: Sequence[object], tz: tzinfo) -> str:
    """Open invitations: ID, role, for whom, made by whom, expiry (the token is never shown)."""
    if not invites:
        return "No open invitations." if lang == "en" else "没有未使用的邀请。"
    lines = ["Open invitations:" if lang == "en" else "未使用的邀请："]
    for inv in invites:  # OpenInvite
        who = inv.name or ("(no name)" if lang == "en" else "（未指定姓名）")  # type: ignore[attr-defined]
        scopes = f" [{', '.join(grant_label(lang, g) for g in inv.scopes)}]" if inv.scopes else ""  # type: ignore[attr-defined]
        expires = inv.expires_at.astimezone(tz).strftime("%Y-%m-%d %H:%M")  # type: ignore[attr-defined]
        role = role_name(lang, inv.role)  # type: ignore[attr-defined]
        if lang == "en":
            lines.append(f"#{inv.id} {role} for {who}{scopes} · by {inv.made_by} · expires {expires}")  # type: ignore[attr-defined]
        else:
            lines.append(f"#{inv.id} {role} · {who}{scopes} · 邀请人 {inv.made_by} · {expires} 到期")  # type: ignore[attr-defined]
    return "\n".join(lines)


def render_users(lang: str, users: Sequence[object]) -> str:
    """/users: one line per user (bot.services.access.UserRow), with their state."""
    if not users:
        return t(lang, "no_users")
    en = lang == "en"
    lines = []
    for user in users:
        if not user.active:  # type: ignore[attr-defined]
            status = " (inactive)" if en else "（已停用）"
        elif not user.started:  # type: ignore[attr-defined]
            status = " (has not pressed Start yet: no digest can reach them)" if en else "（尚未点击 Start，收不到每周汇总）"
        else:
            status = ""
        scopes = [grant_label(lang, g) for g in user.scopes]  # type: ignore[attr-defined]
        lines.append(
            f"{user.telegram_id or '—'} · {user.name or ''} · {role_name(lang, user.role)}"  # type: ignore[attr-defined]
            f"{' · ' + '、'.join(scopes) if scopes else ''}{status}"
        )
    return "\n".join(lines)


def percent(numerator: int, denominator: int) -> str:
    return format_percent(numerator, denominator)


def render_kpi(lang: str, answer: object) -> str:
    """/kpi: per unit, checkpoint and degree: graduates, placed, rate, target, needed, score; totals, ranking."""
    en = lang == "en"
    rows = answer.rows  # type: ignore[attr-defined]
    lines = [
        f"{answer.scope_label} · {'cohort ' if en else ''}{answer.cohort}{'' if en else '届'} · KPI"  # type: ignore[attr-defined]
    ]
    unit = None
    for row in rows:
        if row.unit != unit:
            unit = row.unit
            lines.append(f"【{unit}】")
        target = f"{format(row.target.normalize(), 'f')}%" if row.target is not None else "—"
        score = "—" if row.score is None else f"{row.score}/{row.full_marks}"
        needed = ("need " if en else "差") + str(row.needed) if row.needed else ("met" if en else "达标")
        day = f"{row.checkpoint.month}-{row.checkpoint.day:02d}"
        pending = ""
        if row.as_of is not None:  # not reached: today's rate against its target, scored on the day
            judged = f"{row.as_of.month}-{row.as_of.day:02d}"
            pending = f" (as of {judged}; not reached yet)" if en else f"（截至 {judged}，节点未到）"
        lines.append(
            f"{day} {degree_label(lang, row.degree)} {row.rate} ({row.placed}/{row.total}) "
            f"{'target' if en else '目标'} {target} · {needed} · {'score' if en else '得分'} {score}{pending}"
        )
    totals = answer.totals  # type: ignore[attr-defined]
    days = next((tuple(day for day, _ in total.rates) for total in totals if total.rates), ())
    named = "、".join(f"{day.month}-{day.day:02d}" for day in days)
    scored = any(row.score is not None for row in rows)
    if not days:
        lines.append("Ranking:" if en else "排名：")
    elif scored:
        lines.append(f"Ranking (equal scores: by the rate on {named}):" if en else f"排名（得分相同时依次按 {named} 的落实率）：")
    else:
        lines.append(f"Ranking (no checkpoint scored yet: by the rate on {named}):" if en else f"排名（尚无已评分的节点，按 {named} 的落实率）：")
    for total in totals:
        rates = "".join(f" · {day.month}-{day.day:02d} {rate}" for day, rate in total.rates)
        if total.rank is None:
            lines.append(f"— {total.unit} ({'nothing to score' if en else '无可评分的节点'})")
        elif scored:
            lines.append(f"{total.rank}. {total.unit} {total.score}/{total.full_marks}{rates}")
        else:
            lines.append(f"{total.rank}. {total.unit}{rates}")
    minimum = getattr(answer, "group_minimum", None)
    if minimum is not None and answer.groups:  # type: ignore[attr-defined]
        head = f"Priority groups (minimum {format(minimum.normalize(), 'f')}%):" if en else f"重点群体（不低于 {format(minimum.normalize(), 'f')}%）："
        lines.append(head)
        for group, placed, total, meets in answer.groups:  # type: ignore[attr-defined]
            mark = "✓" if meets else "✗"
            lines.append(f"  {mark} {group} {format_percent(placed, total)} ({placed}/{total})")
    guided, employed, off = getattr(answer, "guided", (0, 0, 0))
    if employed:
        day = answer.guided_as_of  # type: ignore[attr-defined]
        share = format_percent(guided, employed)
        if en:
            lines.append(f"Guided employers ({day.isoformat()}): {share} ({guided}/{employed}), minimum 50% → −{off}")
        else:
            lines.append(f"引导性就业占比（{day.isoformat()}）：{share}（{guided}/{employed}），要求 ≥50% → 扣 {off} 分")
    return "\n".join(lines)
