"""The agreed turnaround of a service request, tracked against its targets: ethics approval within 21 days and
start-up within 25 weeks of acceptance for trial sites and CROs, the quoted turnaround for labs and CDMOs.
The targets are settings (PROVIDER_ETHICS_DAYS, PROVIDER_STARTUP_WEEKS). Calendar days. No database here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l

from .models import ProviderKind, RequestStatus

DEFAULT_ETHICS_DAYS = 21
DEFAULT_STARTUP_WEEKS = 25
CLOCKED = (RequestStatus.ACCEPTED, RequestStatus.STARTED, RequestStatus.DELIVERED)
QUOTED_TURNAROUND = (ProviderKind.LAB, ProviderKind.CDMO)


def needs_turnaround(kind: ProviderKind) -> bool:
    """Labs and CDMOs quote a turnaround in days when they accept."""
    return ProviderKind(kind) in QUOTED_TURNAROUND


def ethics_days() -> int:
    return int(current_app.config.get("PROVIDER_ETHICS_DAYS", DEFAULT_ETHICS_DAYS))


def startup_days() -> int:
    return 7 * int(current_app.config.get("PROVIDER_STARTUP_WEEKS", DEFAULT_STARTUP_WEEKS))


@dataclass(frozen=True)
class Clock:
    label: str
    started: date
    target_days: int
    done: date | None
    today: date

    @property
    def due(self) -> date:
        return self.started + timedelta(days=self.target_days)

    @property
    def days(self) -> int:
        """Days taken so far (or in all, once done)."""
        return ((self.done or self.today) - self.started).days

    @property
    def overdue(self) -> bool:
        return self.days > self.target_days


def clocks(request, today: date) -> list[Clock]:
    """The request's clocks, from its acceptance on; none before (or once declined or withdrawn)."""
    if RequestStatus(request.status) not in CLOCKED or request.accepted_on is None:
        return []
    kind = ProviderKind(request.provider.kind)
    if kind in QUOTED_TURNAROUND:
        if not request.turnaround_days:
            return []
        return [Clock(str(_l("Turnaround (as quoted)")), request.started_on or request.accepted_on,
                      request.turnaround_days, request.delivered_on, today)]
    return [
        Clock(str(_l("Ethics approval")), request.accepted_on, ethics_days(),
              request.ethics_approved_on or request.started_on, today),
        Clock(str(_l("Start-up")), request.accepted_on, startup_days(), request.started_on, today),
    ]


def overdue(request, today: date) -> bool:
    return any(c.overdue for c in clocks(request, today))
