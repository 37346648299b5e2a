"""The one state-machine helper: every lifecycle with a status (projects, rounds, assignments, milestones,
connections, profiles, challenges, consultations ...) declares a `Lifecycle` and changes status only through
`Lifecycle.apply`, which checks the transition, records the history row the lifecycle asks for and the audit entry.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .services import record

History = Callable[[Any, enum.Enum, enum.Enum, enum.Enum, Any, str], None]


class InvalidTransition(ValueError):
    def __init__(self, name: str, status: Any, event: Any):
        super().__init__(f"cannot {event} a {name} that is {status}")
        self.status, self.event = status, event


@dataclass(frozen=True)
class Lifecycle:
    """`transitions` maps (status, event) to the next status. `history(obj, old, new, event, actor, note)` records a
    domain's own history row where it keeps one. The audit action is `<name>.<event>`."""

    name: str
    states: type[enum.Enum]
    events: type[enum.Enum]
    transitions: Mapping[tuple[Any, Any], Any]
    history: History | None = None
    attribute: str = "status"
    audited: bool = True
    initial: Any = None
    _by_event: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def next_status(self, status: Any, event: Any) -> Any:
        try:
            return self.transitions[(self.states(status), self.events(event))]
        except (KeyError, ValueError):
            raise InvalidTransition(self.name, status, event) from None

    def allowed(self, status: Any, event: Any) -> bool:
        try:
            return (self.states(status), self.events(event)) in self.transitions
        except ValueError:
            return False

    def sources(self, event: Any) -> frozenset:
        """The statuses from which `event` may be applied (for queries such as "every open one")."""
        return frozenset(s for (s, e) in self.transitions if e == self.events(event))

    def begin(self, obj: Any) -> Any:
        """Give a new object its initial status."""
        setattr(obj, self.attribute, self.initial)
        return obj

    def apply(self, obj: Any, event: Any, actor: Any = None, note: str = "", **detail: Any) -> Any:
        old = self.states(getattr(obj, self.attribute))
        new = self.next_status(old, event)
        setattr(obj, self.attribute, new)
        if self.history is not None:
            self.history(obj, old, new, self.events(event), actor, note)
        if self.audited:
            record(f"{self.name}.{self.events(event).value}", obj, actor=actor, from_status=str(old.value),
                   to_status=str(new.value), **detail)
        return new


def table(*rows: tuple[Iterable[Any] | Any, Any, Any]) -> dict:
    """Build a transition table from (source or sources, event, target) rows."""
    built: dict = {}
    for sources, event, target in rows:
        for source in sources if isinstance(sources, list | tuple | set | frozenset) else (sources,):
            built[(source, event)] = target
    return built
