"""Recent activity in words: who did what to which project or thing ("张医生提交项目《…》"), from the audit log with
the labels of its actions (admin/audit.py), never the codes.

What an entry is about is read from the schema: a project by its title, and anything that belongs to a project (a
connection, an incubation, a milestone, its document...) by its project's title, following the foreign keys; other
objects by their title or name. Each kind of object is looked up with one query per page, never one per entry.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import Table, select

from ..db import db
from . import services
from .audit import action_label

# Columns leading from an object to the one it belongs to, on the way to its project.
PARENTS = (("incubation_id", "incubations"), ("milestone_id", "incubation_milestones"))


@dataclass(frozen=True)
class Activity:
    at: datetime
    text: str


def recent_activity(limit: int = 10) -> list[Activity]:
    entries = [(entry, actor) for entry, actor in services.recent_audit(limit)]
    projects = _projects_of([entry for entry, _actor in entries])
    titles = _titles(set(projects.values()))
    names = _names([entry for entry, _actor in entries if (entry.object_type, entry.object_id) not in projects])
    found = []
    for entry, actor in entries:
        who = actor.name if actor is not None else _("system")
        what = action_label(entry.action)
        key = (entry.object_type, entry.object_id)
        if key in projects and projects[key] in titles:
            text = _("%(actor)s — %(action)s: “%(object)s”", actor=who, action=what, object=titles[projects[key]])
        elif key in names:
            text = _("%(actor)s — %(action)s: %(object)s", actor=who, action=what, object=names[key])
        else:
            text = _("%(actor)s — %(action)s", actor=who, action=what)
        found.append(Activity(entry.at, text))
    return found


def _table(name: str) -> Table | None:
    return db.metadata.tables.get(name) if name else None


def _projects_of(entries) -> dict[tuple[str, int | None], int]:
    """(object type, object id) -> the id of the project the entry is about: named in its detail, the object
    itself, or the project the object belongs to."""
    found: dict[tuple[str, int | None], int] = {}
    wanted: dict[str, set[int]] = defaultdict(set)
    for entry in entries:
        key = (entry.object_type, entry.object_id)
        named = (entry.detail or {}).get("project_id")
        if isinstance(named, int):
            found[key] = named
        elif entry.object_type == "projects" and entry.object_id:
            found[key] = entry.object_id
        elif entry.object_id and _table(entry.object_type) is not None:
            wanted[entry.object_type].add(entry.object_id)
    for table_name, ids in wanted.items():
        for object_id, project_id in _project_ids(table_name, ids).items():
            found.setdefault((table_name, object_id), project_id)
    return found


def _project_ids(table_name: str, ids: set[int]) -> dict[int, int]:
    """Object id -> project id for rows of a table that has a project, directly or through its parents."""
    table = _table(table_name)
    if table is None or not ids or "id" not in table.c:
        return {}
    if "project_id" in table.c:
        return _pairs(table, "project_id", ids)
    for column, parent in PARENTS:
        if column in table.c:
            parents = _pairs(table, column, ids)
            above = _project_ids(parent, set(parents.values()))
            return {object_id: above[p] for object_id, p in parents.items() if p in above}
    return {}


def _pairs(table: Table, column: str, ids: set[int]) -> dict[int, int]:
    rows = db.session.execute(select(table.c.id, table.c[column]).where(table.c.id.in_(ids)))
    return {object_id: value for object_id, value in rows if value is not None}


def _titles(project_ids: set[int]) -> dict[int, str]:
    return _pairs(_table("projects"), "title", project_ids) if project_ids else {}


def _names(entries) -> dict[tuple[str, int | None], str]:
    """Objects that have a title or a name of their own (accounts, organisations, rounds, clinical needs...)."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for entry in entries:
        table = _table(entry.object_type)
        if entry.object_id and table is not None and ("title" in table.c or "name" in table.c):
            wanted[entry.object_type].add(entry.object_id)
    found = {}
    for table_name, ids in wanted.items():
        table = _table(table_name)
        column = "title" if "title" in table.c and table_name != "users" else "name"
        for object_id, name in _pairs(table, column, ids).items():
            if name:
                found[(table_name, object_id)] = name
    return found
