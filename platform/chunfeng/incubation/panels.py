"""What the incubation panels of the workspace show (context functions of its workspace panels)."""

from __future__ import annotations

from .models import IncubationStatus
from .starting import eligible_projects
from .tracking import admin_rows, officer_rows, progress_for_owner

PANEL_ROWS = 6


def officer_panel(user) -> dict:
    rows = [r for r in officer_rows(user) if r.incubation.status == IncubationStatus.ACTIVE]
    return {
        "rows": rows[:PANEL_ROWS], "more": max(len(rows) - PANEL_ROWS, 0),
        "overdue": sum(len(r.overdue) for r in rows), "unanswered": sum(r.unanswered for r in rows),
        "waiting": len(eligible_projects(user)),
    }


def clinician_panel(user) -> dict:
    return {"rows": progress_for_owner(user)}


def admin_panel(user) -> dict:
    rows = admin_rows()
    active = [r for r in rows if r.incubation.status == IncubationStatus.ACTIVE]
    return {
        "active": len(active), "overdue": sum(1 for r in active if r.overdue),
        "waiting": len(eligible_projects()),
        "without_officer": sum(1 for r in active if not r.incubation.officer_id),
    }
