"""What the bot says about the follow-up survey, in Chinese and English (product.md §11).

Pure: service results in, strings and button rows out. The question and option labels are the
questionnaire's own (Chinese clients see the labels of §11 exactly; a chosen one is preceded by ✓).
Button data carries the survey, the version the screen was drawn for, an action and an option —
never who pressed: the service asks the binding of the account that pressed.
"""

from __future__ import annotations

from bot import survey as core

SURVEY_MESSAGES: dict[str, tuple[str, str]] = {
    # refusals a user can cause (rendered by the common ServiceError path too)
    "survey_graduates_only": ("问卷只供已绑定的毕业生本人填写，这次点击没有记录任何内容。",
                              "The survey is for bound graduates only; nothing was recorded."),
    "survey_no_bindings": ("毕业生尚未接入机器人，暂时无法发送问卷。", "Graduates are not bound to the bot yet; no survey can be sent."),
    "survey_not_open": ("本届跟踪调查没有在进行中（先用 /survey open 开启）。", "This cohort's survey is not open (open it with /survey open)."),
    "survey_none": ("{cohort}届还没有跟踪调查（/survey open 开启）。", "Cohort {cohort} has no survey yet (/survey open starts one)."),
    "survey_has_answers": ("已有毕业生开始作答，本届问卷不能再更换。", "Graduates have started answering; this cohort's questionnaire can no longer be replaced."),
    "survey_close_whole": ("/survey close 结束整届调查，不需要范围。", "/survey close ends the whole cohort's survey; give no scope."),
    "survey_unknown_question": ("没有题目“{question}”。可选：{ids}", "No question '{question}'. Choose one of: {ids}"),
    "survey_usage": (
        "用法：/survey [范围] 查看回收情况和各题结果；/survey open [范围] 开启并邀请；/survey remind [范围] 提醒未完成者；/survey close 结束",
        "Usage: /survey [scope] shows responses and every question's figures; /survey open [scope] opens it and invites; "
        "/survey remind [scope] reminds those not done; /survey close ends it",
    ),
}  # fmt: skip

_TEXTS: dict[str, tuple[str, str]] = {
    "invite": (
        "{cohort}届毕业生跟踪调查\n学校想了解你的就业情况和对母校的评价。约 3 分钟，点按钮作答，随时可以中断、稍后继续。"
        "你的回答只用于统计，任何老师都看不到你个人的答案。",
        "Cohort {cohort} graduate follow-up survey\nThe college would like to know how you are doing and what you think of it. "
        "About 3 minutes, answered with buttons; you can stop and continue later. Your answers are only counted: "
        "no staff member sees your own answers.",
    ),
    "remind": (
        "提醒：你的{cohort}届毕业生跟踪调查还没有提交。",
        "Reminder: your cohort {cohort} follow-up survey is not submitted yet.",
    ),
    "start": ("开始", "Start"),
    "fill": ("填写问卷", "Take the survey"),
    "mean": ("均值", "mean"),
    "back": ("上一题", "Back"),
    "done": ("完成", "Done"),
    "submit": ("提交", "Submit"),
    "number": ("第 {n} 题", "Question {n}"),
    "many_hint": ("（可多选，选好后按「完成」）", "(choose any, then press Done)"),
    "many_max": ("（可多选，最多 {max} 项，选好后按「完成」）", "(choose up to {max}, then press Done)"),
    "summary": ("请核对你的回答：", "Please check your answers:"),
    "summary_end": (
        "确认无误请按「提交」；提交后不能再修改。",
        "Press Submit when they are right; after that they cannot be changed.",
    ),
    "nothing_asked": ("（没有需要你回答的题目）", "(no questions for you)"),
    "stale": ("这个按钮已过期，下面是你现在的题目。", "That button was old; here is where you are now."),
    "too_many": ("最多只能选 {max} 项。", "You can choose at most {max}."),
    "none_chosen": ("请至少选择一项。", "Please choose at least one."),
    "submitted": ("问卷已提交，谢谢你的参与！", "Submitted. Thank you!"),
    "already_submitted": ("你已经提交过问卷，谢谢！", "You have already submitted the survey. Thank you!"),
    "closed": ("本次调查已经结束。", "This survey has closed."),
    "not_started": ("你还没有开始作答，请按「开始」。", "You have not started yet; press Start."),
    "restart": ("问卷已更新，请重新开始。", "The questionnaire changed; please start again."),
    # staff
    "sending": ("正在向 {n} 名毕业生发送{what}（{scope}）…", "Sending {what} to {n} graduates ({scope})…"),
    "what_invite": ("调查邀请", "survey invitations"),
    "what_remind": ("提醒", "reminders"),
    "nobody": (
        "{scope}：没有需要发送的毕业生（范围内 {in_scope} 人，未绑定 {unbound}，已完成 {completed}，已邀请过 {skipped}）。",
        "{scope}: nobody to send to ({in_scope} in scope, {unbound} not bound, {completed} completed, {skipped} already invited).",
    ),
    "sent": (
        "{what}已发送 {sent} 份；{not_started} 人尚未在 Telegram 中启动机器人（未按 Start），{blocked} 人已停用，{failed} 份发送失败。"
        "范围内未绑定 {unbound} 人，已完成 {completed} 人，已邀请过 {skipped} 人（未重复发送）。",
        "{what}: {sent} sent; {not_started} have not pressed Start in Telegram, {blocked} blocked the bot, {failed} failed. "
        "In scope: {unbound} not bound, {completed} completed, {skipped} already invited (not sent again).",
    ),
    "closed_staff": (
        "{cohort}届跟踪调查已结束，答案不再变化。",
        "Cohort {cohort}'s survey is closed; answers are final.",
    ),
    "status_open": ("进行中", "open"),
    "status_closed": ("已结束", "closed"),
    "status_draft": ("未开启", "not open"),
    "head": (
        "{cohort}届毕业生跟踪调查 · {scope} · {status}",
        "Cohort {cohort} follow-up survey · {scope} · {status}",
    ),
    "rate_line": (
        "共发出调查问卷 {invited} 份，回收 {completed} 份，回收率 {rate}（已开始 {started}；未按 Start {not_started}）",
        "{invited} questionnaires sent, {completed} returned, response rate {rate} ({started} started; {not_started} have not pressed Start)",
    ),
    "by_department": (
        "按院系（发出 · 开始 · 回收 · 回收率）：",
        "By department (sent · started · returned · rate):",
    ),
    "structure": ("样本结构（{n} 份）：", "Respondents ({n}):"),
    "gender": ("性别", "Gender"),
    "department": ("院系", "Department"),
    "questions": (
        "各题结果（N = 作答人数；<5 表示不足 5 人）：",
        "Questions (N = answered; <5 means fewer than five):",
    ),
    "scale_line": ("满意度（前三项）{share} · 均值 {mean}", "satisfied (first three) {share} · mean {mean}"),
    "digest_line": (
        "跟踪调查（进行中）：你的班级发出 {invited} 份，回收 {completed} 份，回收率 {rate}。",
        "Follow-up survey (open): your classes — {invited} sent, {completed} returned, response rate {rate}.",
    ),
    "chart_title": ("{cohort}届跟踪调查 · {scope}", "Cohort {cohort} survey · {scope}"),
    "chart_scales": ("各量表题满意度（前三项）", "Satisfied share (first three) per scale question"),
    "chart_caption": ("{title} · 回收 {completed} 份", "{title} · {completed} returned"),
}


def _i(lang: str) -> int:
    return 1 if lang == "en" else 0


def say(lang: str, key: str, **params: object) -> str:
    template = (_TEXTS.get(key) or SURVEY_MESSAGES[key])[_i(lang)]
    return template.format(**params) if params else template


# ------------------------------------------------------------------ the graduate's screens

Button = tuple[str, str]  # label, callback data
START_DATA = "sv:0:0:g:0"  # the /me button `填写问卷` and the invitation's `开始`: the cohort's open survey


def data(survey_id: int, version: int, action: str, option: int = 0) -> str:
    return f"sv:{survey_id}:{version}:{action}:{option}"


def parse_data(text: str) -> tuple[int, int, str, int] | None:
    """(survey id, version, action, option) from a button's data, or None when it is not ours or malformed."""
    parts = text.split(":")
    if (
        len(parts) != 5
        or parts[0] != "sv"
        or not all(p.isascii() and p.isdigit() and len(p) <= 12 for p in (parts[1], parts[2], parts[4]))
    ):
        return None
    if len(parts[3]) != 1:
        return None
    return int(parts[1]), int(parts[2]), parts[3], int(parts[4])


def invitation(
    lang: str, cohort: int, survey_id: int, *, remind: bool = False
) -> tuple[str, list[list[Button]]]:
    text = say(lang, "invite", cohort=cohort)
    if remind:
        text = say(lang, "remind", cohort=cohort) + "\n\n" + text
    return text, [[(say(lang, "start"), data(survey_id, 0, "g"))]]


def screen(lang: str, s: core.Screen) -> tuple[str, list[list[Button]]]:
    """A graduate's screen as a message text and its keyboard."""
    question = s.question
    if s.final:
        if s.notice == "not_started":
            return say(lang, "not_started"), [[(say(lang, "start"), START_DATA)]]
        return say(lang, s.notice or "closed"), []
    head = ""
    if s.notice:
        limit = question.max_choices if question is not None else None
        head = say(lang, s.notice, max=limit or "") + "\n\n"
    if question is None:  # the summary before 提交
        lines = [say(lang, "summary")]
        for i, (q, chosen) in enumerate(s.answered, start=1):
            labels = q.labels(lang)
            lines.append(
                f"{i}. {q.wording(lang)} — {'、'.join(labels[o] for o in chosen if 0 <= o < len(labels))}"
            )
        if not s.answered:
            lines.append(say(lang, "nothing_asked"))
        lines += ["", say(lang, "summary_end")]
        row = [(say(lang, "back"), data(s.survey_id, s.version, "b"))] if s.can_back else []
        return head + "\n".join(lines), [[*row, (say(lang, "submit"), data(s.survey_id, s.version, "s"))]]
    chosen = set(s.chosen)
    text = f"{say(lang, 'number', n=s.number)} · {question.wording(lang)}"
    if question.kind == "many":
        text += "\n" + (
            say(lang, "many_max", max=question.max_choices)
            if question.max_choices
            else say(lang, "many_hint")
        )
    rows: list[list[Button]] = [
        [(("✓ " if i in chosen else "") + label, data(s.survey_id, s.version, "o", i))]
        for i, label in enumerate(question.labels(lang))
    ]
    nav: list[Button] = []
    if s.can_back:
        nav.append((say(lang, "back"), data(s.survey_id, s.version, "b")))
    if question.kind == "many":
        nav.append((say(lang, "done"), data(s.survey_id, s.version, "d")))
    if nav:
        rows.append(nav)
    return head + text, rows


# ------------------------------------------------------------------ staff


def invitation_report(
    lang: str, outcomes: dict[str, int], *, unbound: int, completed: int, skipped: int, remind: bool
) -> str:
    return say(
        lang,
        "sent",
        what=say(lang, "what_remind" if remind else "what_invite"),
        sent=outcomes.get("sent", 0),
        not_started=outcomes.get("not_started", 0),
        blocked=outcomes.get("blocked", 0),
        failed=outcomes.get("failed", 0),
        unbound=unbound,
        completed=completed,
        skipped=skipped,
    )


def render_figures(lang: str, f: core.SurveyFigures) -> str:
    """`/survey`: response by department, 样本结构 and every question's figures (`<5` below five)."""
    colon = "：" if lang == "zh" else ": "
    total = f.total
    lines = [
        say(lang, "head", cohort=f.cohort, scope=f.scope_label, status=say(lang, f"status_{f.status}")),
        say(
            lang,
            "rate_line",
            invited=core.count_text(total.invited),
            completed=core.count_text(total.completed),
            rate=total.rate,
            started=core.count_text(total.started),
            not_started=core.count_text(f.not_started),
        ),
    ]
    if len(f.departments) > 1:
        lines += ["", say(lang, "by_department")]
        for d in f.departments:
            counts = " · ".join(core.count_text(n) for n in (d.invited, d.started, d.completed))
            lines.append(f"{d.unit} {counts} · {d.rate}")
    lines += ["", say(lang, "structure", n=core.count_text(f.respondents))]
    if not core.hidden(f.respondents) and f.respondents:
        for key, rows in (("gender", f.gender), ("department", f.department_structure)):
            parts = [f"{label} {core.count_text(n)} ({share})" for label, n, share in rows]
            lines.append(say(lang, key) + colon + " · ".join(parts))
    lines += ["", say(lang, "questions")]
    for i, fig in enumerate(f.questions, start=1):
        q = fig.question
        lines.append(f"{i}. {q.wording(lang)} [{q.id}] N={core.count_text(fig.n)}")
        if core.hidden(fig.n) or fig.n == 0:
            continue
        parts = [
            f"{label} {core.count_text(c)} ({core.share_text(c, fig.n)})"
            for label, c in zip(q.labels(lang), fig.counts, strict=True)
        ]
        lines.append("   " + " · ".join(parts))
        if q.kind == "scale":
            lines.append(
                "   "
                + say(lang, "scale_line", share=core.share_text(fig.satisfied or 0, fig.n), mean=fig.mean)
            )
    return "\n".join(lines)


def digest_line(lang: str, tally: core.Tally) -> str:
    return say(
        lang,
        "digest_line",
        invited=core.count_text(tally.invited),
        completed=core.count_text(tally.completed),
        rate=tally.rate,
    )
