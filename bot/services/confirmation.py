"""Confirmation (§10): staff ask bound graduates to confirm the destination staff recorded for
them; a graduate's 正确 / 确认无误 confirms that very entry, so a later change clears it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.services import policy
from bot.services.base import ServiceError
from bot.services.graduates import Destination, GraduateIdentity, GraduateService
from bot.services.policy import Action, Actor
from bot.services.updates import REVIEW_SOURCE
from storage import graduates as store
from storage.db import Database


@dataclass(frozen=True)
class ConfirmRequest:
    """One graduate to ask: their chat, language and the destination (entry) to confirm."""

    telegram_id: int
    language: str | None
    destination: Destination


@dataclass(frozen=True)
class ConfirmRound:
    scope_label: str
    requests: list[ConfirmRequest]
    skipped: int  # bound graduates with nothing to confirm (no destination, confirmed, or their own report)


class ConfirmationService:
    def __init__(self, db: Database, graduates: GraduateService) -> None:
        self.db = db
        self.graduates = graduates

    def requests(self, actor: Actor, args: Sequence[str] = ()) -> ConfirmRound:
        """Bound graduates in scope whose current destination staff recorded and nobody confirmed."""
        label, states = self.graduates.in_scope(actor, args, Action.REQUEST_CONFIRMATION)
        with self.db.read() as session:
            accounts = store.bound_accounts(session, [s.graduate_id for s in states])
            entries = store.current_entries(session, list(accounts))
            confirmed = store.confirmed_entries(session, [e.id for e in entries.values() if e.id is not None])
            sources = store.batch_sources(session, [e.batch_id for e in entries.values()])
            users = store.batch_recorders(session, [e.batch_id for e in entries.values()])
            out: list[ConfirmRequest] = []
            for graduate_id, user in accounts.items():
                entry = entries.get(graduate_id)
                if (
                    entry is None
                    or entry.id in confirmed
                    or sources.get(entry.batch_id) == REVIEW_SOURCE
                    or user.telegram_id is None
                ):
                    continue
                recorder = users.get(entry.batch_id)
                out.append(
                    ConfirmRequest(
                        user.telegram_id,
                        user.language,
                        Destination.of(entry, recorder, sources.get(entry.batch_id, "")),
                    )
                )
        return ConfirmRound(label, out, len(accounts) - len(out))

    def confirm(self, actor: Actor, identity: GraduateIdentity, entry_id: int) -> bool:
        """The graduate confirms their current destination; refused when the entry is not their
        current one (changed since, or someone else's). False when it was confirmed already."""
        policy.require(actor, Action.OWN_RECORD)
        with self.db.write() as session:
            entry = store.current_entries(session, [identity.graduate_id]).get(identity.graduate_id)
            if entry is None or entry.id != entry_id:
                raise ServiceError("confirm_stale")
            return store.confirm_entry(session, identity.graduate_id, entry_id, identity.user_id, "button")
