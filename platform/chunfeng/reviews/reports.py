"""A round as tables for the exports: one row per project (aggregates, decision), one row per review."""

from __future__ import annotations

from flask_babel import gettext as _

from ..submissions.models import DEVICE_CLASS_LABELS, PATHWAY_LABELS, Pathway
from .forms import CONFIDENCE_LABELS, OVERALL_LABELS
from .models import OUTCOME_LABELS, ReviewRound
from .panel import ProjectPanel, round_panel
from .reviewing import total_of


def _num(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def _pathways(values) -> str:
    return "、".join(str(PATHWAY_LABELS.get(Pathway(v), v)) for v in values or ())


def project_rows(round_: ReviewRound, panels: list[ProjectPanel] | None = None) -> list[list]:
    panels = panels if panels is not None else round_panel(round_)
    criteria = round_.rubric.criteria
    header = [_("Project ID"), _("Project title"), _("Specialty"), _("Device class"), _("Version"),
              _("Reviews completed"), _("Experts assigned")]
    header += [_("%(criterion)s (mean)", criterion=c.text("name")) for c in criteria]
    header += [_("Total mean"), _("Total median"), _("Total SD"), _("Total range"), _("Calibrated total"),
               _("Overall judgement mean"), _("Disagreement"), _("Gates failed"), _("Suggested decision"),
               _("Decision"), _("Recommended pathway"), _("Decided at"), _("Published at")]
    rows = [header]
    for p in panels:
        total, decision = p.aggregate.total, p.decision
        row = [p.project.id, p.project.title, p.project.specialty,
               str(DEVICE_CLASS_LABELS.get(p.project.device_class, p.project.device_class)),
               p.entry.version.number if p.entry.version else None, p.aggregate.n, p.active_count]
        row += [_num(p.aggregate.criteria[c.key].mean, 2) for c in criteria]
        row += [_num(total.mean), _num(total.median), _num(total.sd), _num(total.spread), _num(p.calibrated),
                _num(p.aggregate.overall.mean, 2), _("yes") if p.aggregate.disagrees else "",
                "、".join(round_.rubric.gate_names.get(key, key) for key in p.aggregate.gates_failed),
                _outcome(p.suggestion.outcome),
                _outcome(decision.outcome if decision else None),
                _pathways(decision.recommended_pathway) if decision else "",
                decision.decided_at if decision else None, decision.published_at if decision else None]
        rows.append(row)
    return rows


def review_rows(round_: ReviewRound, panels: list[ProjectPanel] | None = None) -> list[list]:
    panels = panels if panels is not None else round_panel(round_)
    rubric = round_.rubric
    header = [_("Project ID"), _("Project title"), _("Expert"), _("Institution"), _("Status"), _("Affinity")]
    header += [c.text("name") for c in rubric.criteria] + [g.text("name") for g in rubric.gates]
    header += [_("Weighted total"), _("Overall judgement"), _("Confidence"), _("Comments to the panel"),
               _("Comments to the clinician"), _("Submitted at"), _("Decline reason")]
    rows = [header]
    for p in panels:
        for a in p.assignments:
            review = a.review
            scores = review.score_by_key() if review else {}
            gates = review.gates_by_key() if review else {}
            row = [p.project.id, p.project.title, a.expert.name, a.expert.org_name, str(a.status_label),
                   _num(a.affinity, 3)]
            row += [scores.get(c.key) for c in rubric.criteria]
            row += [_gate(gates.get(g.key)) for g in rubric.gates]
            row += [_num(total_of(review)) if review else None, _label(OVERALL_LABELS, review, "overall"),
                    _label(CONFIDENCE_LABELS, review, "confidence"), review.comment_panel if review else "",
                    review.comment_submitter if review else "", review.submitted_at if review else None,
                    f"{a.decline_reason_label} {a.decline_note}".strip() if a.decline_reason else ""]
            rows.append(row)
    return rows


def _label(labels: dict, review, name: str) -> str:
    """The words of a review's answer on a labelled scale (overall judgement, familiarity), never its code."""
    value = getattr(review, name, None) if review else None
    return str(labels.get(value, "")) if value is not None else ""


def _outcome(value) -> str:
    return str(OUTCOME_LABELS[value]) if value else ""


def _gate(passed: bool | None) -> str:
    return "" if passed is None else (_("yes") if passed else _("no"))
