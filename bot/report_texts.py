"""Words of the annual report's tables and of its Word draft, in zh and en (the `bot/texts.py` style).

`rt(lang, key, **params)` returns the word or sentence in the asker's language. Names of units,
places, schools and destinations are data and stay as given.
"""

from __future__ import annotations

from bot.texts import lang_index

REPORT_TEXTS: dict[str, tuple[str, str]] = {
    # ---- table words
    "total": ("合计", "Total"),
    "missing": ("未填写", "Not given"),
    "unknown_region": ("未知", "Unknown"),
    "unsplit": ("未细分", "not split"),
    "dimension": ("维度", "Dimension"),
    "item": ("项目", "Item"),
    "count": ("人数", "Graduates"),
    "share": ("占比", "Share"),
    "share_of_graduates": ("占毕业生比例", "Share of graduates"),
    "share_of_employed": ("占就业人数比例", "Share of employed"),
    "share_of_study": ("占升学人数比例", "Share of further study"),
    "share_of_unplaced": ("占未落实比例", "Share of not placed"),
    "employed_count": ("就业人数", "Employed"),
    "bucket": ("去向类别", "Bucket"),
    "code": ("去向代码", "Code"),
    "destination": ("毕业去向", "Destination"),
    "substate": ("细分", "Sub-state"),
    "sub_count": ("细分人数", "Sub-state graduates"),
    "sub_share": ("细分占毕业生比例", "Sub-state share"),
    "bucket_employed": ("就业", "Employed"),
    "bucket_study": ("升学", "Further study"),
    "bucket_unplaced": ("未落实", "Not placed"),
    "figure": ("指标", "Figure"),
    "unit": ("单位", "Unit"),
    "graduates": ("毕业生数", "Graduates"),
    "placed": ("已落实", "Placed"),
    "employed": ("就业", "Employed"),
    "study": ("升学", "Further study"),
    "unplaced": ("未落实", "Not placed"),
    "placement_rate": ("毕业去向落实率", "Placement rate"),
    "signing_rate": ("签约率", "Signing rate"),
    "card": ("预警", "Warning"),
    "nature_code": ("代码", "Code"),
    "nature": ("单位性质", "Employer type"),
    "industry_code": ("门类", "Section"),
    "industry": ("行业", "Industry"),
    "school": ("升学院校", "School"),
    "domestic": ("境内升学", "Domestic"),
    "abroad": ("出国出境", "Abroad"),
    "unplaced_state": ("未就业状态", "Status"),
    "day": ("日期", "Date"),
    "change_points": ("较上周（百分点）", "Change on the week (points)"),
    "province": ("省份", "Province"),
    "region": ("经济区域", "Economic region"),
    "area": ("战略区域", "Strategy area"),
    "flow": ("流向", "Flow"),
    "midwest": ("中西部就业", "Employed in the centre and west"),
    "grassroots": ("基层项目就业", "Grassroots programmes"),
    "home": ("留{province}就业", "Employed in {province}"),
    "areas_note": (
        "注：一个省份可属多个战略区域，各区域人数不相加，不设合计。",
        "Note: a province may belong to several strategy areas; the areas do not add up and have no total.",
    ),
    # the six shares (and the placement rate above them)
    "rate_employment": ("就业率", "Employment rate"),
    "rate_contract": ("协议和合同就业率", "Agreement and contract employment rate"),
    "rate_other": ("其他形式就业率", "Other forms of employment rate"),
    "rate_study": ("升学率", "Further-study rate"),
    "rate_awaiting": ("待就业率", "Awaiting-employment rate"),
    "rate_not_seeking": ("暂不就业率", "Not-seeking-work rate"),
    "rate_unreported": ("未上报", "Not reported"),
    # dimensions
    "dim_department": ("院系", "Department"),
    "dim_major": ("专业", "Major"),
    "dim_category": ("专业大类", "Major category"),
    "dim_degree": ("学历", "Degree"),
    "dim_gender": ("性别", "Gender"),
    "dim_origin": ("生源地", "Origin"),
    "dim_group": ("重点群体", "Priority group"),
    # ---- table titles
    "t_scale": ("毕业生规模（按{dimension}）", "Graduates by {dimension}"),
    "t_destinations": ("毕业去向分布", "Destinations"),
    "t_shares": ("主要就业指标", "Main figures"),
    "t_rates": ("毕业去向落实率（按{dimension}）", "Placement rate by {dimension}"),
    "t_provinces": ("就业省份分布", "Province of employment"),
    "t_regions": ("就业经济区域分布", "Economic region of employment"),
    "t_areas": ("国家战略区域就业", "National strategy areas"),
    "t_flows": ("就业流向", "Where the employed went"),
    "t_natures": ("就业单位性质", "Employer type"),
    "t_industries": ("就业单位行业", "Industry"),
    "t_study": ("升学院校", "Further study by school"),
    "t_unplaced": ("未就业毕业生状态", "Graduates not placed, by status"),
    "t_trend": ("每周毕业去向落实率", "Weekly placement rate"),
    # ---- the Word draft
    "doc_title": (
        "{scope}{year}届毕业生就业质量年度报告",
        "{scope}: Annual Report on Graduate Employment, Cohort {year}",
    ),
    "doc_subtitle": ("（草稿 · 数据截至 {day}）", "(Draft · figures as of {day})"),
    "doc_toc": ("目  录", "Contents"),
    "doc_toc_hint": (
        "（在 Word 或 WPS 中右键此处选择“更新域”以生成目录）",
        "(Right-click here and choose Update Field in Word or WPS to build the table of contents)",
    ),
    "doc_caption": (
        "就业质量年度报告（草稿）· {label} · {year}届 · 截至 {day}：{chapters}；表 {tables} 个，图 {figures} 个",
        "Annual report (draft) · {label} · cohort {year} · as of {day}: {chapters}; {tables} tables, {figures} figures",
    ),
    "doc_caption_empty": ("无可统计的数字", "no figures to report"),
    "doc_page": ("第 {page} 页", "Page {page}"),
    "ch_scale": ("毕业生规模和结构", "Size and structure of the cohort"),
    "ch_placement": ("毕业去向落实情况", "Placement"),
    "ch_flow": ("就业流向", "Where graduates work"),
    "ch_study": ("升学", "Further study"),
    "ch_notes": ("说明", "Notes on definitions"),
    "sec_overall": ("总体情况", "Overall"),
    "sec_by": ("分{dimension}落实情况", "By {dimension}"),
    "sec_mix": ("毕业去向构成", "Destination mix"),
    "sec_trend": ("落实进度", "Progress through the season"),
    "sec_region": ("就业地区", "Region"),
    "sec_sector": ("单位性质与行业", "Employer type and industry"),
    "caption_table": ("表 {n}  {title}", "Table {n}. {title}"),
    "caption_figure": ("图 {n}  {title}", "Figure {n}. {title}"),
    "fig_rates": ("各单位毕业去向落实率", "Placement rate by unit"),
    "fig_trend": ("每周毕业去向落实率", "Weekly placement rate"),
    "fig_mix": ("毕业去向构成", "Destination mix"),
    "fig_flow": ("就业地区", "Where the employed went"),
    "fig_sector": ("单位性质与行业", "Employer type and industry"),
    "s_scale": (
        "{scope}{year}届毕业生共 {total} 人，分布在 {departments} 个院系、{majors} 个专业。",
        "The {year} cohort of {scope} has {total} graduates in {departments} departments and {majors} majors.",
    ),
    "s_largest": (
        "其中{unit}毕业生最多，为 {count} 人，占 {share}。",
        "The largest is {unit}, with {count} ({share}).",
    ),
    "s_gender": ("男生 {male} 人，女生 {female} 人。", "{male} are men and {female} women."),
    "s_rate": (
        "截至 {month} 月 {day} 日，{we}{year} 届毕业生毕业去向落实率为 {rate}（{placed}/{total}）。",
        "As of {month}/{day}, the placement rate of {we}{year} cohort is {rate} ({placed} of {total}).",
    ),
    "we_school": ("我校 ", "our "),
    "we_scope": ("{scope} ", "the {scope} "),
    "s_shares": (
        "其中就业率 {employment}，协议和合同就业率 {contract}，其他形式就业率 {other}，升学率 {study}；"
        "待就业率 {awaiting}，暂不就业率 {not_seeking}。",
        "The employment rate is {employment} (agreements and contracts {contract}, other forms {other}), "
        "the further-study rate {study}; {awaiting} are awaiting employment and {not_seeking} not seeking work.",
    ),
    "s_unreported": (
        "另有 {count} 人（{share}）尚未上报去向。",
        "A further {count} ({share}) have not reported a destination yet.",
    ),
    "s_range": (
        "分{dimension}看，落实率最高的是{top}（{top_rate}），最低的是{bottom}（{bottom_rate}）。",
        "By {dimension}, the rate is highest in {top} ({top_rate}) and lowest in {bottom} ({bottom_rate}).",
    ),
    "s_flow": (
        "已就业毕业生 {employed} 人，其中在东部地区就业 {east} 人（{east_share}），在中西部地区就业 {midwest} 人（{midwest_share}）。",
        "Of {employed} employed graduates, {east} ({east_share}) work in the east and {midwest} ({midwest_share}) "
        "in the centre and west.",
    ),
    "s_home": ("留在{province}就业 {count} 人，占 {share}。", "{count} ({share}) stay in {province}."),
    "s_top_province": (
        "就业人数最多的省份是{province}（{count} 人）。",
        "The most common province is {province} ({count}).",
    ),
    "s_sector": (
        "就业单位以{nature}为主（{nature_count} 人，{nature_share}），行业以{industry}为主（{industry_count} 人，{industry_share}）。",
        "Most work at {nature} ({nature_count}, {nature_share}), in {industry} ({industry_count}, {industry_share}).",
    ),
    "s_study": (
        "升学 {study} 人，升学率 {rate}；其中境内升学 {domestic} 人，出国出境深造 {abroad} 人。",
        "{study} went on to further study ({rate}): {domestic} in China and {abroad} abroad.",
    ),
    "s_study_top": (
        "升学人数最多的院校是{school}（{count} 人）。",
        "The most common school is {school} ({count}).",
    ),
    "s_trend": (
        "本届毕业生的落实进度见图 {n}：自 {first} 起按周统计，至 {last} 为 {rate}。",
        "Figure {n} shows the season week by week, from {first} to {last} ({rate}).",
    ),
    "s_none": ("无。", "None."),
    "s_empty_cohort": (
        "{scope}{year}届暂无毕业生数据，本报告无可统计的数字。请先导入毕业生名单。",
        "{scope} has no graduates in the {year} cohort, so this report has no figures. Import the roster first.",
    ),
    "s_empty_date": (
        "截至 {day}，{scope}{year}届毕业生尚无任何去向更新（首次更新日期为 {first}），本报告无可统计的去向数字。",
        "As of {day} no destination of the {year} cohort of {scope} had been recorded yet (the first update is "
        "dated {first}); this report has no placement figures.",
    ),
    "s_empty_none": (
        "截至 {day}，{scope}{year}届毕业生尚无任何去向更新，本报告无可统计的去向数字。",
        "As of {day} no destination of the {year} cohort of {scope} had been recorded yet; this report has no "
        "placement figures.",
    ),
    "note_placed": (
        "毕业去向落实：毕业去向代码为 {employed}（就业）或 {study}（升学）。毕业去向落实率 = 已落实人数 ÷ 毕业生总数。",
        "Placed: destination code {employed} (employed) or {study} (further study). Placement rate = placed ÷ "
        "all graduates.",
    ),
    "note_shares": (
        "就业率 = 就业人数 ÷ 毕业生总数；协议和合同就业率：代码 {contract}；其他形式就业率：其余就业代码；"
        "升学率：代码 {study}；待就业率：代码 70；暂不就业率：代码 71、72；未上报者计入未落实。",
        "Employment rate = employed ÷ all graduates; agreements and contracts: codes {contract}; other forms: the "
        "other employment codes; further study: codes {study}; awaiting employment: code 70; not seeking work: "
        "codes 71 and 72; graduates with no report count as not placed.",
    ),
    "note_as_of": (
        "数据截至 {day}：每名毕业生取生效日期不晚于该日的最新一条去向记录。",
        "Figures as of {day}: each graduate's latest destination with an effective date on or before that day.",
    ),
    "note_rounding": (
        "百分比由整数人数计算，保留两位小数，四舍五入（如 72.825% 记为 72.83%），各项之和可能不等于 100%。",
        "Percentages come from whole counts, to two decimals rounded half up (72.825% → 72.83%); parts may not "
        "add up to exactly 100%.",
    ),
    "note_scope": ("统计范围：{scope}。", "Scope: {scope}."),
    "note_source": (
        "本稿由就业去向管理机器人生成，表格数字与同时发送的 Excel 工作簿一致，文字可由就业指导中心补充修改。",
        "Drafted by the placement bot; every table equals the workbook sent with it. The careers office adds its "
        "own words.",
    ),
}


def rt(lang: str, key: str, **params: object) -> str:
    """A report word or sentence in `lang` (zh or en)."""
    template = REPORT_TEXTS[key][lang_index(lang)]
    return template.format(**params) if params else template
