"""The sentences of §10 (graduates, review, 核查) in Chinese and English: (zh, en) by key, merged
into `bot.texts.MESSAGES`, so `texts.t` and every refusal find them. Kept apart to keep merges small."""

from __future__ import annotations

GRADUATE_MESSAGES: dict[str, tuple[str, str]] = {
    "staff_only": (
        "该命令仅供就业工作人员使用。发送 /me 查看您本人的记录。",
        "That command is for staff. Send /me to see your own record.",
    ),
    "graduate_hint": (
        "发送您的毕业去向（不写学号），例如：\n签劳动合同 聊城市人民医院 地区=山东聊城\n升学 聊城大学\n求职中 备注=下周面试\n发送 /me 查看您的记录。",
        "Send your destination (without your student ID), e.g.:\ncontract Liaocheng People's Hospital province=山东聊城\nstudy 聊城大学\nseeking note=interview next week\nSend /me to see your record.",
    ),
    "graduate_help": (
        "您已绑定为毕业生 {name}。\n/me 查看本人记录与核查状态\n直接发送去向即可上报（辅导员审核后生效）\n发送照片或 PDF 上传就业材料",
        "You are bound as graduate {name}.\n/me shows your record and its check state\nSend your destination to report it (it counts once reviewed)\nSend a photo or PDF to upload a document",
    ),
    "link_used": (
        "该链接已被使用。如需重新绑定，请联系辅导员。",
        "This link has already been used. Ask your counsellor if you need to bind again.",
    ),
    "link_cancelled": (
        "该链接已作废（已发出新的链接）。请使用最新的链接。",
        "This link was cancelled (a newer one was issued). Please use the newest link.",
    ),
    "link_expired": (
        "该链接已过期（有效期 {days} 天）。请向辅导员索取新的链接。",
        "This link has expired (valid for {days} days). Ask your counsellor for a new one.",
    ),
    "graduate_bound": (
        "该毕业生已绑定其他账号。如有疑问，请联系辅导员。",
        "This graduate is already bound to another account. Ask your counsellor.",
    ),
    "account_is_staff": (
        "您的账号已是工作人员账号，不能绑定为毕业生。",
        "Your account is a staff account; it cannot be bound to a graduate.",
    ),
    "account_bound": ("您的账号已绑定一名毕业生。", "Your account is already bound to a graduate."),
    "account_is_graduate": (
        "您的账号已绑定为毕业生，不能再接受工作人员邀请。",
        "Your account is bound to a graduate; it cannot take a staff invitation.",
    ),
    "not_bound": ("{who} 尚未绑定。", "{who} is not bound."),
    "unbound": ("已解除 {name} 的绑定，可为其重新生成链接。", "{name} is unbound; a new link can be issued."),
    "unbind_usage": ("用法：/unbind 学号", "Usage: /unbind <student ID>"),
    "ambiguous_scope": (
        "“{text}”对应多个范围：{options}。请写得更具体，例如 班级:护理2301班",
        "'{text}' matches several scopes: {options}. Be more specific, e.g. class:护理2301班",
    ),
    "links_ready": (
        "{scope}：已生成 {issued} 个个人链接（{days} 天内有效，旧链接已作废），已绑定 {bound} 人。",
        "{scope}: {issued} personal links issued (valid {days} days; older ones cancelled); {bound} already bound.",
    ),
    "invite_graduates_usage": (
        "用法：/invite graduates [范围]，例如 /invite graduates 护理2301班",
        "Usage: /invite graduates [scope], e.g. /invite graduates 护理2301班",
    ),
    "bound_welcome": ("绑定成功！", "You are bound!"),
    # self-report and review
    "report_pending": (
        "已收到，等待辅导员审核：\n{destination}\n审核通过后才会计入统计。",
        "Received; awaiting review:\n{destination}\nIt counts once approved.",
    ),
    "report_rejected": ("未能识别：{reason}", "Not understood: {reason}"),
    "report_names_other": (
        "请只填写您本人的去向，不要写学号或他人姓名。",
        "Report only your own destination, without a student ID or anyone's name.",
    ),
    "report_too_long": (
        "太长了：一条去向最多 {limit} 个字符。",
        "Too long: a destination line holds at most {limit} characters.",
    ),
    "report_one_line": ("请一次只发送一条去向。", "Please send one destination at a time."),
    "report_approved": (
        "您上报的去向已通过审核：\n{destination}",
        "Your reported destination was approved:\n{destination}",
    ),
    "report_returned": (
        "您上报的去向被退回：{reason}\n请修改后重新发送。",
        "Your report was returned: {reason}\nPlease correct it and send it again.",
    ),
    "report_superseded": (
        "辅导员已为您更新了去向，您之前上报的内容不再审核。发送 /me 查看。",
        "Your counsellor updated your destination; your earlier report will not be reviewed. Send /me to see it.",
    ),
    "review_empty": ("{scope}：没有待审核的上报。", "{scope}: no reports awaiting review."),
    "review_head": ("{scope}：待审核 {n} 条（最早的在前）", "{scope}: {n} awaiting review (oldest first)"),
    "review_flagged": ("核实为不属实、请更正去向：{names}", "Checked untrue, please correct: {names}"),
    "review_done": ("已通过：{who}", "Approved: {who}"),
    "review_returned": ("已退回：{who}（{reason}）", "Returned: {who} ({reason})"),
    "review_closed": (
        "这条上报已处理过，未重复记录。",
        "This report was already dealt with; nothing was recorded twice.",
    ),
    "review_ask_reason": ("请选择退回原因，或直接回复一句原因：", "Choose a reason, or reply with one line:"),
    "reason_incomplete": ("信息不完整", "incomplete"),
    "reason_mismatch": ("与材料不符", "does not match the document"),
    "reason_other": ("其他", "other"),
    "button_not_yours": ("这个按钮不是给您的。", "This button is not for you."),
    "pending_line": ("待审核 {n}", "awaiting review {n}"),
    "check_line": (
        "核查：本人确认 {a} · 材料 {b} · 核实 {c} · 未核查 {d}",
        "Checks: confirmed {a} · documents {b} · verified {c} · unchecked {d}",
    ),
    # confirmation
    "confirm_question": (
        "辅导员为你登记的毕业去向：{destination}\n是否正确？",
        "Your counsellor recorded your destination as: {destination}\nIs it right?",
    ),
    "confirm_sent": (
        "已向 {sent} 名毕业生发送确认请求（{skipped} 人无需确认，{failed} 人未能送达）。",
        "Asked {sent} graduates to confirm ({skipped} need not, {failed} could not be reached).",
    ),
    "confirmed": ("已确认，谢谢！", "Confirmed, thank you!"),
    "confirm_stale": (
        "去向已变更，这个确认按钮已失效。发送 /me 查看最新记录。",
        "Your destination has changed; this button is stale. Send /me for the latest.",
    ),
    "update_prompt": (
        "请直接发送您的毕业去向（不写学号），例如：签劳动合同 聊城市人民医院 地区=山东聊城",
        "Send your destination (without your student ID), e.g.: contract Liaocheng People's Hospital",
    ),
    # materials
    "material_prompt": (
        "请发送就业协议、劳动合同或录取通知的照片或 PDF（不超过 10 MB）。",
        "Send a photo or PDF (up to 10 MB) of your agreement, contract or admission letter.",
    ),
    "material_saved": ("材料已保存，附在当前去向上。", "Document saved with your current destination."),
    "material_saved_staff": ("材料已保存：{who}", "Document saved: {who}"),
    "material_type": ("只接受照片或 PDF 文件。", "Only photos and PDF files are accepted."),
    "material_size": (
        "文件超过 10 MB，请压缩后再发送。",
        "The file is larger than 10 MB; please send a smaller one.",
    ),
    "material_no_destination": (
        "还没有登记的去向，请先上报去向。",
        "There is no recorded destination yet; report it first.",
    ),
    "material_usage": (
        "请在图片或 PDF 的说明中写：材料 学号",
        "Caption the photo or PDF with: 材料 <student ID>",
    ),
    "material_none": ("没有材料。", "No documents."),
    # checks
    "verify_usage": (
        "用法：/verify 学号 电话|实地|其他 属实|不属实|联系不上 [备注]",
        "Usage: /verify <student ID> phone|visit|other true|false|unreachable [note]",
    ),
    "verified": ("已记录核实：{who} · {outcome}", "Check recorded: {who} · {outcome}"),
    "verify_no_destination": (
        "{who} 还没有登记的去向，无需核实。",
        "{who} has no recorded destination to check.",
    ),
    "sample_usage": ("用法：/sample 20 或 /sample 5% [范围]", "Usage: /sample 20 or /sample 5% [scope]"),
    "sample_empty": ("{scope}：没有已落实的毕业生可抽查。", "{scope}: no placed graduates to sample."),
    "samples_none": ("还没有抽查。", "No samples yet."),
    "digest_pending_reviews": (
        "待审核的毕业生上报 {n} 条，发送 /review 审核。",
        "{n} graduates' reports await your review: send /review.",
    ),
    "digest_stale_reviews": (
        "超过 7 天未审核的毕业生上报 {n} 条。",
        "{n} graduates' reports have waited over 7 days for review.",
    ),
    "digest_flagged": (
        "核实为不属实、待更正的去向 {n} 条。",
        "{n} destinations were checked untrue and await correction.",
    ),
    "digest_confirmed": (
        "本人确认去向 {n}/{placed}（{share}）。",
        "Confirmed by the graduates: {n}/{placed} ({share}).",
    ),
    "check_usage": ("用法：/check [范围] [日期]", "Usage: /check [scope] [date]"),
}
