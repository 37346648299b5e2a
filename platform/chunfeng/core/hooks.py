"""The one mechanism for what crosses domains: named blinker signals.

A domain that offers a hook sends the signal; a domain that answers it connects a receiver in its own `setup(app)`
(never as a side effect of importing a module). Receivers are plain module-level functions called with keyword
arguments; `collect` gathers what they return, `any_true` asks whether one of them says yes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from blinker import Namespace

signals = Namespace()

# The shell (navigation bar and workspace): receivers(user) return NavItem / Panel objects.
nav_items = signals.signal("nav-items")
dashboard_panels = signals.signal("dashboard-panels")

# Intake: receivers(user, project) return (label, url) pairs shown on the project page; receivers(user) return
# (text, url) pairs of what is asked of the user; receivers(user, project) answer whether the user may read the
# project's confidential details for a reason of their own domain (a company's grant, the assigned officer).
project_links = signals.signal("project-links")
pending_actions = signals.signal("pending-actions")
confidential_access = signals.signal("confidential-access")
# receivers(project, limit, threshold) return (other project id, cosine, shared terms): near duplicates, answered by
# matching from its stored index (intake fits nothing itself).
similar_projects = signals.signal("similar-projects")
# receivers(project) return (expert, link) pairs: the experts reading the project's review materials now, each with
# the link to their own review page (answered by reviews; intake asks it for supplements and clarification
# questions, never importing reviews).
project_experts = signals.signal("project-experts")
# receivers(project) return (stage key, note) pairs: stages of the project's timeline under way beside its status
# (matching, while a company's connection is open: 对接中 rather than done).
stages_under_way = signals.signal("stages-under-way")

# Expert assignment (reviews) asks for the semantic stage of its affinity: receivers(experts, projects) return the
# stored embeddings it may use, or None without an embedding model. `experts`: {expert id: [(field, text)]}, the
# documents of each expert's expertise, kept with their embeddings and embedded when their text changes (in a
# request only with MATCH_EMBED_IN_REQUESTS); `projects`: the projects to rank, represented by their stored section
# embeddings. The answer has `.passages` ({text: vector}) and `.projects` ({project id: vector}); a text or a
# project missing from them ranks by its words (answered by matching, which keeps the documents' embeddings).
expertise_embeddings = signals.signal("expertise-embeddings")

# Published results: receivers(user, project) return (template, context) pairs that the public page of a selected
# project includes (matching: a verified company asks to connect from there). `user` may be anonymous.
result_offers = signals.signal("result-offers")

# Incubation (the project page): receivers(user, incubation) return (template, context) pairs included after the
# pathway plan (providers: the service requests sent for the project and the providers suggested per milestone).
incubation_sections = signals.signal("incubation-sections")

# Personal data (PIPL): receivers(user) return a dict of what their domain holds about the user, and erase it.
personal_data_export = signals.signal("personal-data-export")
personal_data_erase = signals.signal("personal-data-erase")

# An account was closed or suspended: receivers(user) withdraw what the person's organisation was given.
account_closed = signals.signal("account-closed")


def collect(signal, **kwargs: Any) -> list:
    """Every receiver's answer, flattened: receivers return an iterable of items (or None). Answers come in the
    order of the receivers' modules, the same on every call (blinker keeps its receivers in a set)."""
    found: list = []
    for _receiver, answer in sorted(signal.send(None, **kwargs), key=_receiver_name):
        if answer is not None:
            found.extend(answer if isinstance(answer, Iterable) and not isinstance(answer, str | dict) else [answer])
    return found


def _receiver_name(pair: tuple) -> tuple[str, str]:
    receiver = pair[0]
    return getattr(receiver, "__module__", "") or "", getattr(receiver, "__qualname__", "") or ""


def any_true(signal, **kwargs: Any) -> bool:
    return any(answer for _receiver, answer in signal.send(None, **kwargs))


def connect(signal, receiver) -> None:
    """Connect a module-level function (held strongly, so tests that build several apps keep one receiver)."""
    signal.connect(receiver, weak=False)
