"""Stage targets: the administrator's promise per milestone and pathway, as a share of the statutory limit or
explicit working days; platform defaults apply where none is set.

Administrators edit them a few times a year while every incubation panel of the workspace reads them: each worker
keeps them as plain values for a minute (core/recent.py), forgotten at once when this worker commits a change."""

from __future__ import annotations

from typing import NamedTuple

from flask_babel import gettext as _
from sqlalchemy import select

from ..core.recent import Recent
from ..core.services import record
from ..db import db
from ..submissions.models import DeviceClass, Pathway
from . import timers
from .errors import IncubationError
from .models import MilestoneKey, StageTarget
from .plan import DEFAULT_PERCENT, plan_class

_TARGETS = select(StageTarget.key, StageTarget.pathway, StageTarget.percent, StageTarget.days)  # built once
KEPT: Recent[dict] = Recent("incubation.targets", size=1)


class Setting(NamedTuple):
    """One target the administrator set: a share of the statutory limit or explicit days."""

    percent: int | None
    days: int | None


def _settings() -> dict[tuple[MilestoneKey, Pathway], Setting]:
    return {(MilestoneKey(key), Pathway(pathway)): Setting(percent, days)
            for key, pathway, percent, days in db.session.execute(_TARGETS)}


class TargetBook:
    """The administrator's targets (kept a minute, see above); defaults apply where none is set."""

    def __init__(self) -> None:
        self.rows = KEPT.get("all", _settings)

    def setting(self, key: MilestoneKey, pathway: Pathway) -> Setting | None:
        return self.rows.get((MilestoneKey(key), Pathway(pathway)))

    def days(self, key: MilestoneKey, pathway: Pathway, device_class: str) -> int | None:
        statutory = timers.statutory_limit(key, device_class)
        row = self.setting(key, pathway)
        if row is not None:
            return timers.target_days(statutory, row.percent, row.days)
        return timers.target_days(statutory, DEFAULT_PERCENT[Pathway(pathway)])

    def describe(self, key: MilestoneKey, pathway: Pathway) -> dict:
        """One cell of the targets table: the effective days and how they were reached."""
        device_class = plan_class(DeviceClass.UNKNOWN, pathway)
        row = self.setting(key, pathway)
        return {
            "statutory": timers.statutory_limit(key, device_class),
            "percent": row.percent if row else (DEFAULT_PERCENT[Pathway(pathway)]
                                                if timers.statutory_limit(key, device_class) else None),
            "explicit": row.days if row else None,
            "is_default": row is None,
            "days": self.days(key, pathway, device_class),
        }

    def table(self, keys) -> list[tuple[MilestoneKey, list[tuple[Pathway, dict]]]]:
        """The targets page: for each milestone, every pathway's cell."""
        return [(key, [(pathway, self.describe(key, pathway)) for pathway in Pathway]) for key in keys]


def set_target(key: MilestoneKey | str, pathways: list[Pathway], percent: int | None, days: int | None,
               actor) -> None:
    """Set (or, with neither percent nor days, reset to the default) the target of a milestone on pathways."""
    key = MilestoneKey(key)
    if percent and days:
        raise IncubationError(_("Give either a percentage or a number of days, not both."), "percent")
    if percent and not any(timers.statutory_limit(key, c) for c in ("II", "III")):
        raise IncubationError(_("This milestone has no statutory time limit: give a number of days instead."),
                              "percent")
    stored = {t.pathway: t for t in db.session.scalars(select(StageTarget).where(StageTarget.key == key))}
    for pathway in map(Pathway, pathways):
        row = stored.get(pathway)
        if not percent and not days:
            if row is not None:
                db.session.delete(row)
            continue
        if row is None:
            row = StageTarget(key=key, pathway=pathway)
            db.session.add(row)
        row.percent, row.days, row.updated_by_id = percent or None, days or None, getattr(actor, "id", None)
    record("incubation.target_set", None, actor=actor, key=str(key), pathways=[str(p) for p in pathways],
           percent=percent, days=days)
