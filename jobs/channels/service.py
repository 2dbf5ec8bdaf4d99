"""Administering group robots and building their digests (synchronous; call off the event loop).

Who may manage robots is the policy's decision (`Action.CHANNELS`, bot/services/policy.py).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot.disclosure import Audience
from bot.scopes import WHOLE_SCHOOL, Scope
from bot.services import SYSTEM, Action, Actor, Picture, ServiceError, Services, policy
from jobs.channels import platforms
from jobs.channels.content import GroupDigest, GroupDigestInput, build_group_digest
from jobs.channels.sender import Robot
from jobs.channels.texts import ChannelView, t
from storage import repo
from storage.models import GroupChannel

log = logging.getLogger(__name__)

WHOLE_SCHOOL_WORDS = {"全校", "all", "school", "whole school", "whole-school", "学校"}
SECRET_MAX = 256


class ChannelError(Exception):
    """A refusal the user caused; `message(lang)` says why."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params

    def message(self, lang: str) -> str:
        return t(lang, self.key, **self.params)


def require_channel_admin(actor: Actor) -> None:
    """Robots are managed by whom the policy allows (admins; the CLI acts as SYSTEM)."""
    if not policy.allows(actor, Action.CHANNELS):
        raise ChannelError("admin_only")


@dataclass(frozen=True)
class DueChannel:
    robot: Robot
    scope: Scope


def _scope_of(channel: GroupChannel) -> Scope:
    return Scope.from_token(channel.scope)


class ChannelService:
    def __init__(self, services: Services) -> None:
        self.services = services

    # ------------------------------------------------------------ administration

    def add(self, actor: Actor, scope_text: str, kind: str, url: str, secret: str | None = None) -> ChannelView:
        require_channel_admin(actor)
        kind = kind.strip().lower()
        if kind not in platforms.KINDS:
            raise ChannelError("bad_kind")
        try:
            url = platforms.check_url(url, allow_private=self.services.settings.robot_private_hosts)
        except platforms.ChannelUrlPrivate:
            raise ChannelError("private_url") from None
        except platforms.ChannelUrlNotAscii:
            raise ChannelError("ascii_url") from None
        except platforms.ChannelUrlError:
            raise ChannelError("bad_url") from None
        secret = (secret or "").strip() or None
        if secret is not None:
            if kind == "wecom":
                raise ChannelError("secret_not_used")
            if len(secret) > SECRET_MAX or any(c.isspace() for c in secret):
                raise ChannelError("bad_secret")
        scope = self.resolve_scope(scope_text)
        with self.services.db.write() as session:
            channel = repo.add_channel(
                session,
                GroupChannel(
                    kind=kind,
                    scope=scope.token,
                    url=url,
                    secret=secret,
                    created_by=actor.user_id or None,
                    created_at=self.services.now(),  # the service's clock: "added before the slot"
                ),
            )
            repo.audit(session, actor.user_id or None, "channel_add", f"#{channel.id} {scope.token} {kind}")
            return self._view(channel, self.services.settings.bot_language)

    def resolve_scope(self, text: str) -> Scope:
        """One scope of the latest cohort; never a priority group."""
        text = text.strip()
        if text.casefold() in WHOLE_SCHOOL_WORDS:
            return WHOLE_SCHOOL
        store = self.services.snapshots
        with self.services.db.read() as session:
            try:
                cohort_id, _ = store.cohort(session)
            except ServiceError:
                raise ChannelError("no_cohort") from None
            scopes = [s for s in store.catalog(session, cohort_id).resolve(text) if s.dimension != "cohort"]
        if not text or not scopes:
            raise ChannelError("unknown_scope", scope=text)
        if len(scopes) > 1:
            raise ChannelError("ambiguous_scope", scope=text, choices="、".join(s.token for s in scopes[:8]))
        if scopes[0].dimension == "group":
            raise ChannelError("group_scope")
        return scopes[0]

    def list(self, actor: Actor, lang: str | None = None) -> list[ChannelView]:
        require_channel_admin(actor)
        return self.views(lang)

    def views(self, lang: str | None = None) -> list[ChannelView]:
        lang = lang or self.services.settings.bot_language
        with self.services.db.read() as session:
            return [self._view(channel, lang) for channel in repo.channels(session)]

    def remove(self, actor: Actor, channel_id: int) -> None:
        require_channel_admin(actor)
        with self.services.db.write() as session:
            if not repo.remove_channel(session, channel_id):
                raise ChannelError("no_channel", id=channel_id)
            repo.audit(session, actor.user_id or None, "channel_remove", f"#{channel_id}")

    def robot(self, actor: Actor, channel_id: int) -> DueChannel:
        require_channel_admin(actor)
        with self.services.db.read() as session:
            channel = repo.get_channel(session, channel_id)
        if channel is None or channel.id is None:
            raise ChannelError("no_channel", id=channel_id)
        return DueChannel(self._robot(channel), _scope_of(channel))

    def _robot(self, channel: GroupChannel) -> Robot:
        assert channel.id is not None
        return Robot(channel.id, channel.kind, channel.url, channel.secret, self.services.settings.robot_private_hosts)

    @staticmethod
    def _view(channel: GroupChannel, lang: str) -> ChannelView:
        assert channel.id is not None
        return ChannelView(
            id=channel.id,
            scope_label=_scope_of(channel).label(lang),
            kind=channel.kind,
            masked_url=platforms.mask_url(channel.url),
            signed=bool(channel.secret),
            status=channel.last_status,
            outcome=channel.last_outcome,
            last_at=channel.last_at,
        )

    # ------------------------------------------------------------ delivery support

    def due_channels(self, slot: datetime) -> list[DueChannel]:
        """Robots added before the slot (one added later gets its first digest at the next slot)."""
        with self.services.db.read() as session:
            rows = repo.channels(session)
        due = []
        for channel in rows:
            created = channel.created_at if channel.created_at.tzinfo else channel.created_at.replace(tzinfo=slot.tzinfo)
            if created <= slot and channel.id is not None:
                due.append(DueChannel(self._robot(channel), _scope_of(channel)))
        return due

    def record_outcome(self, channel_id: int, ok: bool, outcome: str) -> None:
        with self.services.db.write() as session:
            repo.set_channel_outcome(session, channel_id, "ok" if ok else "failing", outcome)

    def build(self, scope: Scope, *, chart: bool, lang: str | None = None) -> GroupDigest:
        """The scope's group digest as of today (latest cohort), with the trend chart when asked and allowed."""
        p = self.services
        store = p.snapshots
        lang = lang or p.settings.bot_language
        today = p.today()
        with p.db.read() as session:
            cohort_id, year = store.cohort(session)
            now = store.members(store.snapshot(session, cohort_id, today), scope)
            week_ago = store.members(store.snapshot(session, cohort_id, today - timedelta(days=7)), scope)
            gap = p.targets.gap(session, cohort_id, year, now, today, projection=False)
        digest = build_group_digest(
            GroupDigestInput(
                lang=lang,
                scope_label=scope.label(lang),
                scope_dimension=scope.dimension,
                cohort=year,
                today=today,
                now=now,
                week_ago=week_ago,
                gap=gap,
            )
        )
        if chart and digest.chart_allowed:
            args = [] if scope == WHOLE_SCHOOL else [scope.token]
            # drawn for a group: last year's curve, like every figure, only over 5 graduates or more
            picture = p.outputs.chart(policy.in_chat(SYSTEM, Audience.GROUP), "trend", args, lang)
            if isinstance(picture, Picture):
                digest = replace(digest, chart=picture.png)
        return digest



def wecom_demo_markdown(services: Services, department: str, lang: str | None = None) -> str:
    """A department's digest as its WeCom group would read it (the demo writes it to `--out`)."""
    from jobs.channels.content import wecom_markdown_text

    digest = ChannelService(services).build(Scope("department", department), chart=False, lang=lang)
    return wecom_markdown_text(digest)
