"""Named queries for graduates in the loop (§10): personal links, bindings, self-reports,
confirmations, materials, checks and samples. Functions take an open Session."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import func, insert, update
from sqlmodel import Session, col, delete, select

from storage.models import (
    Batch,
    BotUser,
    CheckSample,
    Confirmation,
    DestinationEntry,
    Graduate,
    GraduateBinding,
    GraduateLink,
    Material,
    SampleMember,
    SelfReport,
    Verification,
)

CHUNK = 500


def _chunks(ids: Sequence[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield list(ids[start : start + CHUNK])


# ---------------------------------------------------------------- links and bindings


def cancel_open_links(session: Session, graduate_ids: Sequence[int], now: datetime) -> int:
    """Cancel every unused link of these graduates (a new one is being issued)."""
    cancelled = 0
    for chunk in _chunks(list(graduate_ids)):
        result = session.execute(
            update(GraduateLink)
            .where(
                col(GraduateLink.graduate_id).in_(chunk),
                col(GraduateLink.used_at).is_(None),
                col(GraduateLink.cancelled_at).is_(None),
            )
            .values(cancelled_at=now)
        )
        cancelled += result.rowcount  # type: ignore[attr-defined]
    return cancelled


def insert_links(session: Session, rows: Sequence[dict[str, object]]) -> None:
    for start in range(0, len(rows), 1000):
        session.execute(insert(GraduateLink), list(rows[start : start + 1000]))


def link_by_hash(session: Session, token_hash: str) -> GraduateLink | None:
    return session.exec(select(GraduateLink).where(GraduateLink.token_hash == token_hash)).first()


def claim_link(session: Session, link_id: int, now: datetime) -> bool:
    """Mark a link used if it is still open: one conditional UPDATE, so of two racing accounts exactly
    one changes the row (PostgreSQL re-checks the condition after the other commits)."""
    result = session.execute(
        update(GraduateLink)
        .where(
            col(GraduateLink.id) == link_id,
            col(GraduateLink.used_at).is_(None),
            col(GraduateLink.cancelled_at).is_(None),
        )
        .values(used_at=now)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


def set_link_user(session: Session, link_id: int, user_id: int) -> None:
    session.execute(update(GraduateLink).where(col(GraduateLink.id) == link_id).values(used_by=user_id))


def bound_graduate_ids(session: Session, graduate_ids: Sequence[int]) -> set[int]:
    found: set[int] = set()
    for chunk in _chunks(list(graduate_ids)):
        found.update(
            session.exec(
                select(GraduateBinding.graduate_id).where(col(GraduateBinding.graduate_id).in_(chunk))
            )
        )
    return found


def binding_of_graduate(session: Session, graduate_id: int) -> GraduateBinding | None:
    return session.exec(select(GraduateBinding).where(GraduateBinding.graduate_id == graduate_id)).first()


def binding_of_user(session: Session, user_id: int) -> GraduateBinding | None:
    return session.exec(select(GraduateBinding).where(GraduateBinding.user_id == user_id)).first()


def graduate_user(session: Session, telegram_id: int) -> tuple[BotUser, Graduate] | None:
    """The active graduate account of this Telegram ID and the graduate it is bound to."""
    row = session.exec(
        select(BotUser, Graduate)
        .join(GraduateBinding, col(GraduateBinding.user_id) == BotUser.id)
        .join(Graduate, col(Graduate.id) == GraduateBinding.graduate_id)
        .where(BotUser.telegram_id == telegram_id, BotUser.role == "graduate", col(BotUser.active).is_(True))
    ).first()
    return None if row is None else (row[0], row[1])


def bound_accounts(session: Session, graduate_ids: Sequence[int]) -> dict[int, BotUser]:
    """graduate_id → the active account bound to it."""
    out: dict[int, BotUser] = {}
    for chunk in _chunks(list(graduate_ids)):
        rows = session.exec(
            select(GraduateBinding.graduate_id, BotUser)
            .join(BotUser, col(BotUser.id) == GraduateBinding.user_id)
            .where(col(GraduateBinding.graduate_id).in_(chunk), col(BotUser.active).is_(True))
        )
        out.update({graduate_id: user for graduate_id, user in rows})
    return out


def delete_binding(session: Session, graduate_id: int) -> int | None:
    """Remove a graduate's binding; the account's user id (None: there was none)."""
    binding = binding_of_graduate(session, graduate_id)
    if binding is None:
        return None
    session.delete(binding)
    return binding.user_id


def forget_graduates(session: Session, graduate_ids: Sequence[int]) -> None:
    """Everything of §10 about graduates a roster prune removes (before their rows go)."""
    for chunk in _chunks(list(graduate_ids)):
        samples = select(SampleMember.id).where(col(SampleMember.graduate_id).in_(chunk))
        session.exec(delete(SampleMember).where(col(SampleMember.id).in_(samples)))  # type: ignore[call-overload]
        for model in (GraduateLink, GraduateBinding, SelfReport, Confirmation, Material, Verification):
            session.exec(delete(model).where(col(model.graduate_id).in_(chunk)))  # type: ignore[call-overload,attr-defined]


# ---------------------------------------------------------------- current destination entries


def current_entries(session: Session, graduate_ids: Sequence[int]) -> dict[int, DestinationEntry]:
    """Each graduate's current entry: the latest not undone by (effective date, recording order)."""
    out: dict[int, DestinationEntry] = {}
    for chunk in _chunks(list(graduate_ids)):
        rows = session.exec(
            select(DestinationEntry)
            .where(col(DestinationEntry.graduate_id).in_(chunk), col(DestinationEntry.undone_at).is_(None))
            .order_by(col(DestinationEntry.effective_date), col(DestinationEntry.id))
        )
        for entry in rows:
            out[entry.graduate_id] = entry
    return out


def entry_recorder(session: Session, entry: DestinationEntry) -> tuple[BotUser | None, str]:
    """Who recorded an entry (the batch's user: the reviewer for an approved self-report) and the
    batch's source (message, file, import, review)."""
    batch = session.get(Batch, entry.batch_id)
    if batch is None:
        return None, ""
    user = session.get(BotUser, batch.user_id) if batch.user_id is not None else None
    return user, batch.source


def batch_sources(session: Session, batch_ids: Sequence[int]) -> dict[int, str]:
    out: dict[int, str] = {}
    for chunk in _chunks(list(set(batch_ids))):
        out.update(
            {
                bid: source
                for bid, source in session.exec(
                    select(Batch.id, Batch.source).where(col(Batch.id).in_(chunk))
                )
            }
        )  # type: ignore[misc]
    return out


# ---------------------------------------------------------------- self-reports


def add_report(session: Session, report: SelfReport) -> int:
    """Store a pending report; the graduate's older pending one is marked replaced."""
    session.execute(
        update(SelfReport)
        .where(col(SelfReport.graduate_id) == report.graduate_id, col(SelfReport.status) == "pending")
        .values(status="replaced", decided_at=report.created_at)
    )
    session.add(report)
    session.flush()
    assert report.id is not None
    return report.id


def pending_reports(session: Session, graduate_ids: Sequence[int] | None = None) -> list[SelfReport]:
    """Pending reports, oldest first (all, or of these graduates)."""
    query = (
        select(SelfReport)
        .where(SelfReport.status == "pending")
        .order_by(col(SelfReport.created_at), col(SelfReport.id))
    )
    if graduate_ids is None:
        return list(session.exec(query))
    out: list[SelfReport] = []
    for chunk in _chunks(list(graduate_ids)):
        out.extend(session.exec(query.where(col(SelfReport.graduate_id).in_(chunk))))
    return sorted(out, key=lambda r: (r.created_at, r.id or 0))


def pending_graduates(session: Session) -> dict[int, datetime]:
    """graduate_id → when their pending report was sent."""
    return dict(
        session.exec(
            select(SelfReport.graduate_id, SelfReport.created_at).where(SelfReport.status == "pending")
        ).all()
    )  # type: ignore[arg-type]


def decide_report(
    session: Session,
    report_id: int,
    status: str,
    user_id: int | None,
    now: datetime,
    reason: str | None = None,
) -> bool:
    """Close a pending report: one conditional UPDATE, so a report is decided once however many
    presses or reviewers race for it."""
    result = session.execute(
        update(SelfReport)
        .where(col(SelfReport.id) == report_id, col(SelfReport.status) == "pending")
        .values(status=status, decided_by=user_id, decided_at=now, reason=reason)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


def set_report_batch(session: Session, report_id: int, batch_id: int | None) -> None:
    session.execute(update(SelfReport).where(col(SelfReport.id) == report_id).values(batch_id=batch_id))


def supersede_reports(session: Session, graduate_ids: Sequence[int], now: datetime) -> list[SelfReport]:
    """A staff update closes these graduates' pending reports; the closed reports."""
    closed: list[SelfReport] = []
    for chunk in _chunks(list(graduate_ids)):
        rows = list(
            session.exec(
                select(SelfReport).where(
                    col(SelfReport.graduate_id).in_(chunk), SelfReport.status == "pending"
                )
            )
        )
        if rows:
            session.execute(
                update(SelfReport)
                .where(col(SelfReport.id).in_([r.id for r in rows]), col(SelfReport.status) == "pending")
                .values(status="superseded", decided_at=now)
            )
            closed.extend(rows)
    return closed


def last_report(session: Session, graduate_id: int) -> SelfReport | None:
    return session.exec(
        select(SelfReport).where(SelfReport.graduate_id == graduate_id).order_by(col(SelfReport.id).desc())
    ).first()


# ---------------------------------------------------------------- confirmations, materials, checks


def confirm_entry(session: Session, graduate_id: int, entry_id: int, user_id: int | None, via: str) -> bool:
    """Record a confirmation once per entry; False when it was confirmed already."""
    if session.exec(select(Confirmation.id).where(Confirmation.entry_id == entry_id)).first() is not None:
        return False
    session.add(Confirmation(graduate_id=graduate_id, entry_id=entry_id, user_id=user_id, via=via))
    return True


def confirmed_entries(session: Session, entry_ids: Sequence[int]) -> set[int]:
    found: set[int] = set()
    for chunk in _chunks(list(entry_ids)):
        found.update(session.exec(select(Confirmation.entry_id).where(col(Confirmation.entry_id).in_(chunk))))
    return found


def add_material(session: Session, material: Material) -> int:
    session.add(material)
    session.flush()
    assert material.id is not None
    return material.id


def materials_of_entries(session: Session, entry_ids: Sequence[int]) -> dict[int, list[Material]]:
    out: dict[int, list[Material]] = {}
    for chunk in _chunks(list(entry_ids)):
        for material in session.exec(
            select(Material).where(col(Material.entry_id).in_(chunk)).order_by(col(Material.id))
        ):
            out.setdefault(material.entry_id or 0, []).append(material)
    return out


def add_verification(session: Session, verification: Verification) -> None:
    session.add(verification)


def verifications_of_entries(session: Session, entry_ids: Sequence[int]) -> dict[int, Verification]:
    """Each entry's latest check."""
    out: dict[int, Verification] = {}
    for chunk in _chunks(list(entry_ids)):
        for check in session.exec(
            select(Verification).where(col(Verification.entry_id).in_(chunk)).order_by(col(Verification.id))
        ):
            out[check.entry_id or 0] = check
    return out


def add_sample(session: Session, sample: CheckSample, members: Sequence[tuple[int, int | None]]) -> int:
    session.add(sample)
    session.flush()
    assert sample.id is not None
    for graduate_id, entry_id in members:
        session.add(SampleMember(sample_id=sample.id, graduate_id=graduate_id, entry_id=entry_id))
    return sample.id


def samples(session: Session, cohort_id: int) -> list[CheckSample]:
    return list(
        session.exec(
            select(CheckSample).where(CheckSample.cohort_id == cohort_id).order_by(col(CheckSample.id))
        )
    )


def sample_members(session: Session, sample_id: int) -> list[SampleMember]:
    return list(
        session.exec(
            select(SampleMember).where(SampleMember.sample_id == sample_id).order_by(col(SampleMember.id))
        )
    )


def bound_count(session: Session, graduate_ids: Sequence[int]) -> int:
    total = 0
    for chunk in _chunks(list(graduate_ids)):
        total += session.exec(
            select(func.count())
            .select_from(GraduateBinding)
            .where(col(GraduateBinding.graduate_id).in_(chunk))
        ).one()
    return total


def check_tables(session: Session) -> tuple[set[int], set[int], dict[int, str]]:
    """Every confirmed entry id, every documented entry id, and each checked entry's latest outcome
    (small tables: read whole, then matched to a scope's deciding entries in memory)."""
    confirmed = set(session.exec(select(Confirmation.entry_id)))
    documented = {e for e in session.exec(select(Material.entry_id).distinct()) if e is not None}
    outcomes: dict[int, str] = {}
    for entry_id, outcome in session.exec(
        select(Verification.entry_id, Verification.outcome).order_by(col(Verification.id))
    ):
        if entry_id is not None:
            outcomes[entry_id] = outcome
    return confirmed, documented, outcomes


def batch_recorders(session: Session, batch_ids: Sequence[int]) -> dict[int, BotUser]:
    """batch id → the user who made it (batches made at the command line have none)."""
    out: dict[int, BotUser] = {}
    for chunk in _chunks(list(set(batch_ids))):
        rows = session.exec(
            select(Batch.id, BotUser)
            .join(BotUser, col(BotUser.id) == Batch.user_id)
            .where(col(Batch.id).in_(chunk))
        )
        out.update({batch_id: user for batch_id, user in rows})  # type: ignore[misc]
    return out
