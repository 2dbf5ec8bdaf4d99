"""SQLModel tables: cohorts, graduates, destination history, batches, users, scopes, invites, aliases.

History is append-only: a graduate's destination on any date derives from `DestinationEntry` rows
(latest effective date ≤ D, recording order breaks ties, undone entries excluded).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


class Cohort(SQLModel, table=True):
    """A graduating cohort (届). The version counters increase with every write, for caching."""

    id: int | None = Field(default=None, primary_key=True)
    year: int = Field(unique=True, index=True)
    data_version: int = 0  # any change: destinations or roster
    roster_version: int = 0  # roster changes only (who is in which department, class …)
    created_at: datetime = Field(default_factory=utcnow)


class Graduate(SQLModel, table=True):
    """One graduate's roster row."""

    __table_args__ = (UniqueConstraint("cohort_id", "student_id", name="uq_graduate_cohort_student"),)

    id: int | None = Field(default=None, primary_key=True)
    cohort_id: int = Field(foreign_key="cohort.id", index=True)
    student_id: str = Field(max_length=32)
    name: str = Field(max_length=64)
    department: str = Field(max_length=128)
    major: str = Field(max_length=128)
    category: str | None = Field(default=None, max_length=128)
    class_name: str | None = Field(default=None, max_length=128)
    degree: str | None = Field(default=None, max_length=8)
    gender: str | None = Field(default=None, max_length=4)
    origin: str | None = Field(default=None, max_length=64)
    ethnicity: str | None = Field(default=None, max_length=32)
    groups: str = Field(default="", max_length=512)  # canonical group names joined by ";"
    counsellor: str | None = Field(default=None, max_length=64, index=True)
    major_en: str | None = Field(default=None, max_length=128)
    department_en: str | None = Field(default=None, max_length=128)
    updated_at: datetime = Field(default_factory=utcnow)


class Batch(SQLModel, table=True):
    """One applied unit of change: a Telegram message, an uploaded file, or an import."""

    __table_args__ = (
        # one batch per version of a message: the original is 0, an edit is its edit_date
        UniqueConstraint("chat_id", "message_id", "edit_version", name="uq_batch_chat_message_edit"),
        # a /undo message undoes at most one batch, however often it is delivered
        UniqueConstraint("undone_by_chat_id", "undone_by_message_id", name="uq_batch_undone_by"),
    )

    id: int | None = Field(default=None, primary_key=True)
    cohort_id: int = Field(foreign_key="cohort.id", index=True)
    user_id: int | None = Field(default=None, foreign_key="botuser.id", index=True)
    source: str = Field(max_length=16)  # message | file | import
    chat_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    message_id: int | None = None
    edit_version: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, server_default="0"))
    applied: int = 0
    unchanged: int = 0
    rejected: int = 0
    created_at: datetime = Field(default_factory=utcnow)
    undone_at: datetime | None = None
    undone_by_chat_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    undone_by_message_id: int | None = None
    first_line: str | None = Field(default=None, max_length=120)  # what /undo names (migration 0012)


class DestinationEntry(SQLModel, table=True):
    """One accepted destination line. Never updated, except to mark it undone."""

    __table_args__ = (
        Index("ix_entry_cohort_graduate", "cohort_id", "graduate_id", "effective_date"),
        Index("ix_entry_cohort_recorded", "cohort_id", "recorded_at"),  # what was recorded this week
    )

    id: int | None = Field(default=None, primary_key=True)
    cohort_id: int = Field(foreign_key="cohort.id")
    graduate_id: int = Field(foreign_key="graduate.id", index=True)
    batch_id: int = Field(foreign_key="batch.id", index=True)
    code: int
    substate: str | None = Field(default=None, max_length=32)
    employer: str | None = Field(default=None, max_length=256)
    school: str | None = Field(default=None, max_length=256)
    province: str | None = Field(default=None, max_length=32)
    city: str | None = Field(default=None, max_length=64)
    unit_nature: int | None = None
    industry: str | None = Field(default=None, max_length=2)
    related: bool | None = None
    note: str | None = Field(default=None, max_length=512)
    effective_date: date
    line_no: int | None = None
    recorded_at: datetime = Field(default_factory=utcnow)
    undone_at: datetime | None = None


class BotUser(SQLModel, table=True):
    """A registered person: admin, head or counsellor."""

    id: int | None = Field(default=None, primary_key=True)
    telegram_id: int | None = Field(default=None, sa_column=Column(BigInteger, unique=True, nullable=True))
    name: str | None = Field(default=None, max_length=64)
    role: str = Field(max_length=16)  # admin | head | counsellor
    language: str | None = Field(default=None, max_length=4)
    active: bool = True
    digest_opt_out: bool = False
    created_at: datetime = Field(default_factory=utcnow)
    created_by: int | None = None


class UserScope(SQLModel, table=True):
    """One scope grant: a dimension (department, class, major …) and its value."""

    __table_args__ = (UniqueConstraint("user_id", "dimension", "value", name="uq_userscope"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="botuser.id", index=True)
    dimension: str = Field(max_length=16)
    value: str = Field(max_length=128)


class Invite(SQLModel, table=True):
    """A single-use registration token, stored only as its SHA-256 hash."""

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    role: str = Field(max_length=16)
    name: str | None = Field(default=None, max_length=64)
    scopes: str = Field(default="", max_length=1024)  # "dimension:value" joined by "\n"
    created_by: int | None = None
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    used_at: datetime | None = None
    used_by: int | None = None


class Alias(SQLModel, table=True):
    """A user-defined name for a scope value (e.g. "nursing" → major 护理)."""

    id: int | None = Field(default=None, primary_key=True)
    alias: str = Field(max_length=128, unique=True, index=True)  # normalized
    dimension: str = Field(max_length=16)
    value: str = Field(max_length=128)
    created_by: int | None = None
    created_at: datetime = Field(default_factory=utcnow)


class AuditLog(SQLModel, table=True):
    """Who changed users, roles, aliases and settings, and when."""

    id: int | None = Field(default=None, primary_key=True)
    actor_id: int | None = None
    action: str = Field(max_length=32)
    detail: str = Field(default="", max_length=2048)
    at: datetime = Field(default_factory=utcnow)


class AppSetting(SQLModel, table=True):
    """Settings changed at run time (e.g. the digest schedule), overriding the environment."""

    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(max_length=1024)
    updated_at: datetime = Field(default_factory=utcnow)


class DigestDelivery(SQLModel, table=True):
    """One recipient's digest for one scheduled slot: claimed in the database before it is sent,
    so that restarts and several bot processes never send it twice."""

    __table_args__ = (UniqueConstraint("user_id", "slot", name="uq_digest_user_slot"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="botuser.id", index=True)
    slot: datetime  # the scheduled time this digest belongs to (UTC)
    week: str = Field(max_length=10)  # ISO week, e.g. 2026-W48, for reading the log
    status: str = Field(max_length=12)  # claimed | sent | partial | failed | blocked | not_started
    worker: str = Field(default="", max_length=64)
    attempts: int = 0
    messages: int = 0
    detail: str = Field(default="", max_length=512)
    claimed_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None


class CheckpointTarget(SQLModel, table=True):
    """A cohort's target at a checkpoint for one degree level, optionally for one department."""

    id: int | None = Field(default=None, primary_key=True)
    cohort_id: int = Field(foreign_key="cohort.id", index=True)
    month: int
    day: int
    degree: str = Field(max_length=8)
    target: str = Field(max_length=12)  # a decimal percent as text ("94", "97.5"): exact, no float
    department: str | None = Field(default=None, max_length=128)


class InboxUpdate(SQLModel, table=True):
    """One raw update from Telegram, stored before it is confirmed (polling) or answered (webhook).

    A dispatcher claims the oldest unfinished update of a chat (state `claimed`, a lease), feeds it
    to the bot and marks it `done`; a lapsed lease makes the update claimable again.
    """

    # Unfinished rows are few and finished ones are kept for days: the partial indexes let a claim
    # touch only the unfinished (storage.inbox.UNFINISHED must be the same predicate, as a literal).
    __table_args__ = (
        Index("ix_inboxupdate_chat_update", "chat_key", "update_id"),
        Index("ix_inboxupdate_open", "update_id", sqlite_where=text("state != 'done'"),
              postgresql_where=text("state != 'done'")),
        Index("ix_inboxupdate_open_chat", "chat_key", "update_id", sqlite_where=text("state != 'done'"),
              postgresql_where=text("state != 'done'")),
    )

    id: int | None = Field(default=None, primary_key=True)
    update_id: int = Field(sa_column=Column(BigInteger, nullable=False, unique=True))
    chat_key: int = Field(sa_column=Column(BigInteger, nullable=False))  # chat id, else user id, else 0; 0 once done
    payload: str  # the update's JSON as Telegram sent it; "" once done (storage/inbox.py REDACTED)
    received_at: datetime = Field(default_factory=utcnow)
    state: str = Field(default="pending", max_length=8, index=True)  # pending | claimed | done
    claimed_by: str | None = Field(default=None, max_length=64)
    lease_until: datetime | None = None
    attempts: int = 0
    done_at: datetime | None = None


class GroupChannel(SQLModel, table=True):
    """A group robot (WeCom, DingTalk or Feishu webhook) that receives a scope's digest.

    `url` and `secret` are credentials: never logged, masked wherever shown."""

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=12)  # wecom | dingtalk | feishu
    scope: str = Field(max_length=200)  # Scope.token, e.g. "department:护理学院"; "all:" = whole school
    url: str = Field(max_length=1024)
    secret: str | None = Field(default=None, max_length=256)
    created_by: int | None = None
    created_at: datetime = Field(default_factory=utcnow)
    last_status: str = Field(default="", max_length=12)  # "" (never sent) | ok | failing
    last_outcome: str = Field(default="", max_length=512)
    last_at: datetime | None = None


class ChannelDelivery(SQLModel, table=True):
    """One group robot's digest for one slot, claimed before it is sent (as `DigestDelivery`)."""

    __table_args__ = (UniqueConstraint("channel_id", "slot", name="uq_channel_slot"),)

    id: int | None = Field(default=None, primary_key=True)
    channel_id: int = Field(foreign_key="groupchannel.id", index=True)
    slot: datetime
    week: str = Field(max_length=10)
    status: str = Field(max_length=12)  # claimed | sent | partial | failed | rejected
    worker: str = Field(default="", max_length=64)
    attempts: int = 0
    messages: int = 0
    detail: str = Field(default="", max_length=512)
    claimed_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None


# ---------------------------------------------------------------- graduates in the loop (§10)


class GraduateLink(SQLModel, table=True):
    """A graduate's personal single-use link, stored only as its token's SHA-256 hash.
    Issuing a new one cancels the graduate's unused ones (`cancelled_at`)."""

    id: int | None = Field(default=None, primary_key=True)
    graduate_id: int = Field(foreign_key="graduate.id", index=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    created_by: int | None = None
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    used_at: datetime | None = None
    used_by: int | None = None
    cancelled_at: datetime | None = None


class GraduateBinding(SQLModel, table=True):
    """A Telegram account (a `BotUser` of role graduate) bound to one graduate: one each way."""

    id: int | None = Field(default=None, primary_key=True)
    graduate_id: int = Field(foreign_key="graduate.id", unique=True)
    user_id: int = Field(foreign_key="botuser.id", unique=True)
    link_id: int | None = None
    bound_at: datetime = Field(default_factory=utcnow)


class SelfReport(SQLModel, table=True):
    """A destination a graduate reported, awaiting review (审核). One pending per graduate: a new
    one replaces the older. `raw` is the graduate's line, re-parsed as of `sent_on` when approved."""

    __table_args__ = (Index("ix_selfreport_status_graduate", "status", "graduate_id"),)

    id: int | None = Field(default=None, primary_key=True)
    graduate_id: int = Field(foreign_key="graduate.id", index=True)
    user_id: int = Field(foreign_key="botuser.id")
    raw: str = Field(max_length=1024)
    code: int
    substate: str | None = Field(default=None, max_length=32)
    summary: str = Field(default="", max_length=512)  # employer / school / note, for the review list
    sent_on: date
    created_at: datetime = Field(default_factory=utcnow)
    # pending | approved | returned | superseded (a staff update) | replaced (a newer report)
    status: str = Field(default="pending", max_length=12)
    decided_by: int | None = None
    decided_at: datetime | None = None
    reason: str | None = Field(default=None, max_length=256)
    batch_id: int | None = None  # the update an approval applied


class Confirmation(SQLModel, table=True):
    """The graduate confirmed this destination entry (正确, or an approved self-report). A later
    entry is a new destination: the confirmation stays with the old one."""

    id: int | None = Field(default=None, primary_key=True)
    graduate_id: int = Field(foreign_key="graduate.id", index=True)
    entry_id: int = Field(foreign_key="destinationentry.id", unique=True)
    user_id: int | None = None
    via: str = Field(default="button", max_length=12)  # button | review
    confirmed_at: datetime = Field(default_factory=utcnow)


class Material(SQLModel, table=True):
    """A photo or PDF (就业协议, 劳动合同, 录取通知) attached to a destination entry: Telegram's file id,
    not the file."""

    id: int | None = Field(default=None, primary_key=True)
    graduate_id: int = Field(foreign_key="graduate.id", index=True)
    entry_id: int | None = Field(default=None, foreign_key="destinationentry.id", index=True)
    file_id: str = Field(max_length=256)
    file_unique_id: str = Field(default="", max_length=128)
    kind: str = Field(max_length=8)  # photo | pdf
    size: int = 0
    user_id: int | None = None
    created_at: datetime = Field(default_factory=utcnow)


class Verification(SQLModel, table=True):
    """A staff check (核实) of a destination entry: by phone, visit or otherwise, and its outcome."""

    id: int | None = Field(default=None, primary_key=True)
    graduate_id: int = Field(foreign_key="graduate.id", index=True)
    entry_id: int | None = Field(default=None, foreign_key="destinationentry.id", index=True)
    method: str = Field(max_length=8)  # phone | visit | other
    outcome: str = Field(max_length=12)  # true | false | unreachable
    note: str | None = Field(default=None, max_length=512)
    user_id: int | None = None
    sample_id: int | None = None
    created_at: datetime = Field(default_factory=utcnow)


class CheckSample(SQLModel, table=True):
    """A random sample (抽查) of placed graduates, drawn reproducibly from its seed."""

    id: int | None = Field(default=None, primary_key=True)
    cohort_id: int = Field(foreign_key="cohort.id", index=True)
    scope: str = Field(max_length=200)
    seed: int = Field(sa_column=Column(BigInteger, nullable=False))
    requested: str = Field(max_length=16)  # "20" or "5%" as asked
    population: int = 0
    created_by: int | None = None
    created_at: datetime = Field(default_factory=utcnow)


class SampleMember(SQLModel, table=True):
    """One graduate drawn into a sample, with the destination entry that was drawn."""

    __table_args__ = (UniqueConstraint("sample_id", "graduate_id", name="uq_sample_graduate"),)

    id: int | None = Field(default=None, primary_key=True)
    sample_id: int = Field(foreign_key="checksample.id", index=True)
    graduate_id: int = Field(foreign_key="graduate.id")
    entry_id: int | None = None


class Survey(SQLModel, table=True):
    """A cohort's follow-up survey (跟踪调查, product.md §11): its questionnaire and whether it is open."""

    id: int | None = Field(default=None, primary_key=True)
    cohort_id: int = Field(sa_column=Column(Integer, ForeignKey("cohort.id", ondelete="CASCADE"), nullable=False, unique=True))
    questionnaire: str = Field(sa_column=Column(Text, nullable=False))  # the TOML text (bot.survey)
    status: str = Field(default="draft", max_length=8)  # draft | open | closed
    opened_at: datetime | None = None
    closed_at: datetime | None = None
    updated_by: int | None = None
    updated_at: datetime = Field(default_factory=utcnow)


class SurveyResponse(SQLModel, table=True):
    """One graduate's invitation, progress and answers. Read only for that graduate and, as
    counts, for the figures: no query returns one graduate's answers to anyone else."""

    __table_args__ = (UniqueConstraint("survey_id", "graduate_id", name="uq_survey_graduate"),)

    id: int | None = Field(default=None, primary_key=True)
    survey_id: int = Field(sa_column=Column(Integer, ForeignKey("survey.id", ondelete="CASCADE"), nullable=False, index=True))
    graduate_id: int = Field(sa_column=Column(Integer, ForeignKey("graduate.id", ondelete="CASCADE"), nullable=False, index=True))
    invited_at: datetime | None = None
    invite_status: str = Field(default="", max_length=12)  # "" | claimed | sent | not_started | blocked | failed
    reminded_at: datetime | None = None
    started_at: datetime | None = None
    completed_at: datetime | None = None
    version: int = 0  # bumped by every change; a button carries the version it was drawn for
    path: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))  # question ids, "\n"-joined
    answers: str = Field(default="{}", sa_column=Column(Text, nullable=False, server_default="{}"))  # {id: [option, …]}
    updated_at: datetime = Field(default_factory=utcnow)
