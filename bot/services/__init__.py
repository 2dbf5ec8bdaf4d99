"""The service layer, one module per use case, between the entry points (handlers, CLI, jobs) and storage.

Every method is synchronous and does its own database work; handlers call them through
`asyncio.to_thread`. Results are plain dataclasses that `bot.texts` turns into replies. Who may do
what is decided once, in `policy`. `Services.build` wires them all over one database.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from bot.services.access import AccessService, OpenInvite
from bot.services.base import Clock, ServiceError
from bot.services.checks import CheckService
from bot.services.confirmation import ConfirmationService
from bot.services.graduates import GraduateService
from bot.services.materials import MaterialService
from bot.services.outputs import Document, OutputService, Picture
from bot.services.policy import SYSTEM, Action, Actor, Role
from bot.services.questions import (
    Ambiguous,
    QuestionService,
    RateAnswer,
    RatesAnswer,
    Scoping,
    StudentAnswer,
    UnplacedAnswer,
)
from bot.services.report_chapters import check_chapter_source, evaluation_chapter
from bot.services.review import ReviewService
from bot.services.roster_import import ImportResult, RosterImportService
from bot.services.snapshots import SnapshotStore
from bot.services.survey import StoredBindings, SurveyService
from bot.services.targets import KpiAnswer, TargetService
from bot.services.updates import ApplyResult, LineOutcome, UndoResult, UpdateService
from bot.settings import Settings
from storage.db import Database

__all__ = [
    "SYSTEM", "AccessService", "Action", "Actor", "Ambiguous", "ApplyResult", "Clock", "Document", "GraduateService", "ImportResult",
    "KpiAnswer", "LineOutcome", "OpenInvite", "OutputService", "Picture", "QuestionService", "RateAnswer",
    "RatesAnswer", "Role", "RosterImportService", "ServiceError", "Services", "SnapshotStore", "StudentAnswer",
    "SurveyService", "TargetService", "UndoResult", "UnplacedAnswer", "UpdateService",
]  # fmt: skip


@dataclass(frozen=True)
class Services:
    """Every service over one database, sharing one clock and one snapshot store."""

    db: Database
    settings: Settings
    clock: Clock
    snapshots: SnapshotStore
    access: AccessService
    questions: QuestionService
    updates: UpdateService
    roster: RosterImportService
    targets: TargetService
    outputs: OutputService
    graduates: GraduateService
    review: ReviewService
    confirmation: ConfirmationService
    materials: MaterialService
    checks: CheckService
    survey: SurveyService  # its `bindings` come from the graduates' binding (§10)

    @classmethod
    def build(cls, db: Database, settings: Settings, clock: Callable[[], datetime] | None = None) -> Services:
        """`clock` lets tests move time; None = the real clock."""
        time = Clock(settings.tz, clock)
        snapshots = SnapshotStore(time)
        scoping = Scoping(snapshots, time)
        targets = TargetService(db, snapshots, scoping, time, settings)
        updates = UpdateService(db, snapshots, time, settings)
        graduates = GraduateService(db, snapshots, scoping, time, settings)
        checks = CheckService(db, snapshots, scoping, time, graduates)
        outputs = OutputService(db, snapshots, scoping, targets, settings)
        outputs.check_sheet = checks.report_sheet  # §10: the report's 核查 sheet
        outputs.add_chapter_source(evaluation_chapter)  # 五、毕业生自主评价 (§11), when a survey exists
        outputs.add_chapter_source(check_chapter_source(checks))  # 六、就业信息核查 (§10), once graduates are bound
        return cls(
            db=db,
            settings=settings,
            clock=time,
            snapshots=snapshots,
            access=AccessService(db, snapshots, time),
            questions=QuestionService(db, snapshots, scoping, targets, time),
            updates=updates,
            roster=RosterImportService(db, snapshots, updates, time),
            targets=targets,
            outputs=outputs,
            graduates=graduates,
            review=ReviewService(db, snapshots, time, graduates, updates),
            confirmation=ConfirmationService(db, graduates),
            materials=MaterialService(db, time, graduates),
            checks=checks,
            survey=SurveyService(db, snapshots, scoping, time, StoredBindings()),
        )

    def warm(self) -> None:
        """Fill the snapshot store's caches (call once at start-up, off the event loop)."""
        with self.db.read() as session:
            self.snapshots.warm(session)

    def now(self) -> datetime:
        return self.clock.now()

    def today(self) -> date:
        return self.clock.today()
