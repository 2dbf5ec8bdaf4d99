"""Materials (材料, §10): a photo or PDF attached to a graduate's current destination by the graduate
or by staff in scope. Only Telegram's file id, type and size are kept, with who and when; staff in
scope may have them sent again (private chats only)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.services import policy
from bot.services.base import Clock, ServiceError
from bot.services.graduates import GraduateIdentity, GraduateService
from bot.services.policy import Action, Actor
from bot.verification import material_kind
from storage import graduates as store
from storage.db import Database
from storage.models import Graduate, Material


@dataclass(frozen=True)
class Upload:
    """What an update says about a file (nothing is downloaded)."""

    file_id: str
    file_unique_id: str
    photo: bool
    mime_type: str | None
    file_name: str | None
    size: int | None


@dataclass(frozen=True)
class StoredMaterial:
    file_id: str
    kind: str


def kind_of(upload: Upload) -> str:
    """ "photo" or "pdf", or a ServiceError for another type or a size over 10 MB."""
    kind = material_kind(
        photo=upload.photo, mime_type=upload.mime_type, file_name=upload.file_name, size=upload.size
    )
    if kind.startswith("material_"):
        raise ServiceError(kind)
    return kind


class MaterialService:
    def __init__(self, db: Database, clock: Clock, graduates: GraduateService) -> None:
        self.db = db
        self.clock = clock
        self.graduates = graduates

    def attach_own(self, actor: Actor, identity: GraduateIdentity, upload: Upload) -> None:
        policy.require(actor, Action.OWN_RECORD)
        self._attach(identity.graduate_id, upload, identity.user_id)

    def attach(self, actor: Actor, student_id: str, upload: Upload) -> str:
        """Staff: a file captioned 材料 <学号>, for a graduate in their scope; the graduate's name."""
        state = self.graduates.graduate_in_scope(actor, student_id, Action.ATTACH_MATERIAL)
        self._attach(state.graduate_id, upload, actor.user_id or None)
        return state.name

    def _attach(self, graduate_id: int, upload: Upload, user_id: int | None) -> None:
        kind = kind_of(upload)
        with self.db.write() as session:
            entry = store.current_entries(session, [graduate_id]).get(graduate_id)
            if entry is None:
                raise ServiceError("material_no_destination")
            store.add_material(
                session,
                Material(
                    graduate_id=graduate_id, entry_id=entry.id, file_id=upload.file_id[:256], file_unique_id=upload.file_unique_id[:128],
                    kind=kind, size=upload.size or 0, user_id=user_id, created_at=self.clock.now(),
                ),
            )  # fmt: skip

    def current(self, actor: Actor, graduate_id: int) -> list[StoredMaterial]:
        """The materials of a graduate's current destination, for staff in scope (READ_NAMES: private)."""
        policy.require(actor, Action.READ_NAMES)
        with self.db.read() as session:
            graduate = session.get(Graduate, graduate_id)
            if graduate is None:
                raise ServiceError("button_expired")
            state = self.graduates.snapshots.by_student_id(session, graduate.cohort_id).get(
                graduate.student_id
            )
            if state is None or not policy.visible(actor, [state]):
                raise ServiceError("button_expired")
            entry = store.current_entries(session, [graduate_id]).get(graduate_id)
            if entry is None or entry.id is None:
                return []
            found = store.materials_of_entries(session, [entry.id]).get(entry.id, [])
        return [StoredMaterial(m.file_id, m.kind) for m in found]
