"""The incubation's own lifecycle: an incubation is active from its start until approval closes it.

    active -approve-> approved

(`stopped` is a status the model keeps for incubations ended by hand; no event leads there yet.)
"""

from __future__ import annotations

import enum

from flask_babel import gettext as _

from ..core.lifecycle import Lifecycle
from .errors import IncubationError
from .models import Incubation, IncubationStatus


class IncubationEvent(enum.StrEnum):
    APPROVE = "approve"


TRANSITIONS = {
    (IncubationStatus.ACTIVE, IncubationEvent.APPROVE): IncubationStatus.APPROVED,
}

lifecycle = Lifecycle("incubation", IncubationStatus, IncubationEvent, TRANSITIONS, initial=IncubationStatus.ACTIVE)


def ensure_active(incubation: Incubation) -> None:
    """Refuse changes to the plan and the service record of a closed incubation."""
    if incubation.status != IncubationStatus.ACTIVE:
        raise IncubationError(_("This incubation is closed; its plan can no longer be changed."))
