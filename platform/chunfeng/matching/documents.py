"""The documents the matcher reads, at the level where meaning lives: one per profile field and one per project
section, each with its field key (shown to people through `FIELD_LABELS`).

Profiles (approved only) give one document per filled field; projects that have been submitted (not drafts, not
withdrawn: the near-duplicate check compares them too) give their public summary and their clinical need. Only the
summary is public: a company without the clinician's consent sees reasons found there and nowhere else.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..db import db, utcnow
from ..submissions.models import Project
from ..submissions.status import Status
from ..textengine.index import Doc
from .models import MatchDocument, OrgProfile, ProfileStatus

PROFILES, PROJECTS = "profiles", "projects"

# Profile fields, in the order the profile page shows them; the organisation's name counts as a field.
PROFILE_FIELDS = ("name", "business_scope", "product_lines", "registered_products", "rd_capability",
                  "manufacturing_capability", "focus_areas")
# Project sections: what companies may read before consent, and the clinical need they may not.
PUBLIC_SECTION, NEED_SECTION = "summary", "need"
PROJECT_SECTIONS = {
    PUBLIC_SECTION: ("title", "specialty", "public_summary"),
    NEED_SECTION: ("need_problem", "need_population", "device_type"),
}
PUBLIC_SECTIONS = frozenset({PUBLIC_SECTION})

FIELD_LABELS = {
    "name": _l("Organisation name"),
    "business_scope": _l("Business scope"),
    "product_lines": _l("Product lines"),
    "registered_products": _l("Registered products"),
    "rd_capability": _l("R&D capability"),
    "manufacturing_capability": _l("Manufacturing capability"),
    "focus_areas": _l("Focus areas"),
    PUBLIC_SECTION: _l("Public summary"),
    NEED_SECTION: _l("Clinical need"),
}

NOT_INDEXED = (Status.DRAFT, Status.WITHDRAWN)


def project_indexed(project: Project) -> bool:
    return project.status is not None and Status(project.status) not in NOT_INDEXED


def project_docs(project: Project) -> list[Doc]:
    """A submitted project's sections as documents (none for drafts and withdrawn projects)."""
    if not project_indexed(project):
        return []
    return [Doc(project.id, key, text) for key, names in PROJECT_SECTIONS.items()
            if (text := "\n".join(filter(None, (getattr(project, n) or "" for n in names))).strip())]


def project_text(project: Project, sections: Iterable[str] = PROJECT_SECTIONS) -> str:
    """The text of some sections (the public one for a company without consent), for reasons."""
    return "\n".join(doc.text for doc in project_docs(project) if doc.field in set(sections))


def profile_docs(profile: OrgProfile) -> list[Doc]:
    """An approved profile's fields as documents (none before approval)."""
    if profile.status != ProfileStatus.APPROVED:
        return []
    values = {name: getattr(profile, name, "") for name in PROFILE_FIELDS if name != "name"}
    values["name"] = profile.organization.name if profile.organization is not None else ""
    return [Doc(profile.organization_id, name, text) for name in PROFILE_FIELDS
            if (text := (values[name] or "").strip())]


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def stored_documents(side: str, owners: Iterable[int] | None = None) -> dict[int, list[Doc]]:
    """The live stored documents of one side ({owner: [Doc]}), of some owners or of all."""
    query = select(MatchDocument.owner_id, MatchDocument.field, MatchDocument.text).where(
        MatchDocument.side == side, MatchDocument.text != "")
    if owners is not None:
        ids = list(owners)
        if not ids:
            return {}
        query = query.where(MatchDocument.owner_id.in_(ids))
    out: dict[int, list[Doc]] = {}
    for owner, field, text in db.session.execute(query.order_by(MatchDocument.owner_id, MatchDocument.id)):
        out.setdefault(owner, []).append(Doc(owner, field, text))
    return out


def sync(side: str, owner: int, docs: list[Doc]) -> bool:
    """Store one owner's documents (fields no longer present leave the index). True if any changed."""
    rows = {row.field: row for row in db.session.scalars(
        select(MatchDocument).where(MatchDocument.side == side, MatchDocument.owner_id == owner))}
    return write_texts(side, {(owner, f): r for f, r in rows.items()}, {(owner, d.field): d.text for d in docs}) > 0


def sync_project(project: Project) -> bool:
    return sync(PROJECTS, project.id, project_docs(project))


def sync_profile(profile: OrgProfile) -> bool:
    return sync(PROFILES, profile.organization_id, profile_docs(profile))


def sync_all(side: str, wanted: dict[int, list[Doc]]) -> int:
    """Store every owner's documents of one side at once; owners not in `wanted` leave the index. Returns how many
    documents changed."""
    rows = {(row.owner_id, row.field): row for row in db.session.scalars(
        select(MatchDocument).where(MatchDocument.side == side))}
    return write_texts(side, rows, {(owner, doc.field): doc.text for owner, docs in wanted.items() for doc in docs})


def write_texts(side: str, rows: dict[tuple[int, str], MatchDocument], texts: dict[tuple[int, str], str]) -> int:
    """Bring stored rows to the wanted texts: a changed text gets a new digest and loses its embedding (computed
    again when the index takes it in); an empty text marks a document that left the index."""
    changed, now = 0, utcnow()
    for key in set(rows) | set(texts):
        text, row = texts.get(key, ""), rows.get(key)
        if row is None:
            row = MatchDocument(side=side, owner_id=key[0], field=key[1], text="", digest=digest(""))
            db.session.add(row)
        elif row.text == text:
            continue
        row.text, row.digest, row.embedding, row.embedder, row.updated_at = text, digest(text), None, "", now
        changed += 1
    return changed
