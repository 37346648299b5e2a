"""Words for the audit log: what each recorded action and object type means, in the reader's language, and the
log as tables for the CSV export (times in the platform's zone with their offset, to the second).

The codes stay beside the words (the filters and scripts use them); an action or object type without a label here is
shown by its code."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..db import db
from ..exports import export_time
from . import services

ACTION_LABELS = {
    "account.admin_created": _l("Administrator account created"),
    "account.email_verified": _l("E-mail address confirmed"),
    "account.invited": _l("Person invited"),
    "account.mail_preferences": _l("E-mail preferences changed"),
    "account.officer_created": _l("Officer account created"),
    "account.password_changed": _l("Password changed"),
    "account.password_reset": _l("Password reset"),
    "account.registered": _l("Account registered"),
    "account.registration_attempt": _l("Registration attempt"),
    "account.approved": _l("Account approved"),
    "account.rejected": _l("Account rejected"),
    "account.suspended": _l("Account suspended"),
    "account.reinstated": _l("Account reinstated"),
    "account.closed": _l("Account closed"),
    "join_request.requested": _l("Request to join an organisation"),
    "join_request.approved": _l("Request to join approved"),
    "join_request.rejected": _l("Request to join rejected"),
    "organization.merged": _l("Organisations merged"),
    "organization.updated": _l("Organisation updated"),
    "settings.changed": _l("Platform settings changed"),
    "privacy.exported": _l("Personal data exported"),
    "privacy.purged": _l("Expired data erased"),
    "demo.bulk_projects": _l("Demonstration projects created"),
    "project.created": _l("Project created"),
    "project.confidential_viewed": _l("Confidential details viewed"),
    "project.submit": _l("Project submitted"),
    "project.withdraw": _l("Project withdrawn"),
    "project.deleted": _l("Draft project deleted"),
    "project.pass_formal_check": _l("Formal check passed"),
    "project.return_formal_check": _l("Returned at the formal check"),
    "project.start_review": _l("Expert review started"),
    "project.decide_priority": _l("Selected for priority incubation"),
    "project.decide_selected": _l("Selected for incubation"),
    "project.request_revision": _l("Revision requested"),
    "project.decide_not_selected": _l("Not selected"),
    "project.reopen_decision": _l("Decision reopened"),
    "project.release_for_matching": _l("Released for matching"),
    "project.start_incubation": _l("Incubation started"),
    "project.approve": _l("Approved for market"),
    "attachment.uploaded": _l("Attachment uploaded"),
    "attachment.deleted": _l("Attachment deleted"),
    "attachment.viewed": _l("Attachment viewed"),
    "formal_check.returned": _l("Returned at the formal check"),
    "rubric.created": _l("Rubric created"),
    "rubric.copied": _l("Rubric copied as a new version"),
    "rubric.edited": _l("Rubric edited"),
    "rubric.discarded": _l("Rubric draft discarded"),
    "rubric.activate": _l("Rubric activated"),
    "rubric.archive": _l("Rubric archived"),
    "round.created": _l("Review round created"),
    "round.updated": _l("Review round settings changed"),
    "round.status": _l("Review round status changed"),
    "round.project_entered": _l("Project entered a round"),
    "round.published": _l("Results published"),
    "expert.profile_saved": _l("Expert profile saved"),
    "conflict.declared": _l("Conflict of interest declared"),
    "conflict.withdrawn": _l("Conflict of interest withdrawn"),
    "assignment.proposed": _l("Experts proposed"),
    "assignment.added": _l("Expert added"),
    "assignment.removed": _l("Proposal removed"),
    "assignment.sent": _l("Invitation sent"),
    "assignment.accepted": _l("Invitation accepted"),
    "assignment.declined": _l("Invitation declined"),
    "assignment.cancelled": _l("Invitation withdrawn"),
    "assignment.re_review": _l("Re-review requested"),
    "review.submitted": _l("Review submitted"),
    "review.reopened": _l("Review reopened"),
    "review.reminders_sent": _l("Review reminders sent"),
    "decision.made": _l("Decision recorded"),
    "decision.reopened": _l("Decision reopened"),
    "connection.requested": _l("Connection requested"),
    "connection.event": _l("Connection changed"),
    "grant.created": _l("Access granted"),
    "grant.revoked": _l("Access revoked"),
    "grant.view": _l("Shared project viewed"),
    "incubation.started": _l("Incubation started"),
    "incubation.approve": _l("Incubation completed: approved"),
    "incubation.milestone": _l("Milestone changed"),
    "incubation.milestone_edited": _l("Milestone edited"),
    "incubation.officer_changed": _l("Service officer changed"),
    "incubation.target_set": _l("Stage target set"),
    "incubation.document_added": _l("Document added"),
    "incubation.document_viewed": _l("Document viewed"),
    "incubation.entry_added": _l("Service record added"),
    "incubation.question_asked": _l("Question asked"),
    "incubation.question_answered": _l("Question answered"),
    "incubation.success_story_consent": _l("Success story consent"),
    "community.need_posted": _l("Clinical need posted"),
    "community.need_edited": _l("Clinical need edited"),
    "community.challenge_posted": _l("Challenge posted"),
    "community.challenge_edited": _l("Challenge edited"),
    "community.clinician_invited": _l("Clinician invited"),
    "community.response_saved": _l("Reply saved"),
    "community.comment_posted": _l("Comment posted"),
    "community.contact_shared": _l("Contact shared"),
    "community.contact_revoked": _l("Contact sharing revoked"),
    "community.question_asked": _l("Consultation question asked"),
    "community.faq_consent": _l("Consent to publish as FAQ"),
    "community.faq_published": _l("FAQ published"),
    "community.faq_unpublished": _l("FAQ withdrawn"),
    "community.slot_published": _l("Time slot published"),
    "community.slot_cancelled": _l("Time slot cancelled"),
    "community.reported": _l("Content reported"),
    "community.hidden": _l("Content hidden"),
    "assignment.send": _l("Invitation sent"),
    "assignment.accept": _l("Invitation accepted"),
    "assignment.decline": _l("Invitation declined"),
    "assignment.cancel": _l("Invitation withdrawn"),
    "assignment.submit": _l("Review submitted"),
    "assignment.reopen": _l("Review reopened"),
    "clarification.asked": _l("Clarification question asked"),
    "clarification.answered": _l("Clarification question answered"),
    "community.booking_cancelled": _l("Booking cancelled"),
    "community.challenge_closed": _l("Challenge closed"),
    "community.challenge_open": _l("Challenge opened"),
    "community.need_converted": _l("Clinical need turned into a project"),
    "community.question_answered": _l("Consultation question answered"),
    "community.report_actioned": _l("Report acted on"),
    "community.report_dismissed": _l("Report dismissed"),
    "community.slot_booked": _l("Time slot booked"),
    "connection.accepted": _l("Connection accepted"),
    "connection.closed": _l("Connection closed"),
    "connection.declined": _l("Connection declined"),
    "connection.invited": _l("Company invited to connect"),
    "connection.message": _l("Message on a connection"),
    "connection.withdrawn": _l("Connection withdrawn"),
    "discussion.posted": _l("Panel discussion message"),
    "milestone.complete": _l("Milestone completed"),
    "milestone.reopen": _l("Milestone reopened"),
    "milestone.skip": _l("Milestone exempted"),
    "milestone.start": _l("Milestone started"),
    "profile.approved": _l("Organisation profile approved"),
    "profile.created": _l("Organisation profile created"),
    "profile.rejected": _l("Organisation profile rejected"),
    "profile.resubmitted": _l("Organisation profile resubmitted"),
    "project.supplemented": _l("Supplementary material added"),
    "review.bids_saved": _l("Review preferences saved"),
    "review.lead_designated": _l("Lead reviewer designated"),
    "review.lead_replaced": _l("Lead reviewer replaced"),
    "review.meta_answered": _l("Panel summary confirmed or disputed"),
    "review.meta_written": _l("Panel summary written"),
    "review.quality_rated": _l("Review quality rated"),
    "review.revised": _l("Review revised"),
    "round.close_intake": _l("Round intake closed"),
    "round.conclude": _l("Review round concluded"),
    "round.open": _l("Review round opened"),
    "round.publish": _l("Round results published"),
}
OBJECT_LABELS = {
    "community_needs": _l("Clinical need"),
    "community_need_follows": _l("Need follow"),
    "community_need_see_too": _l("Need endorsement"),
    "community_challenges": _l("Company challenge"),
    "community_challenge_suggestions": _l("Challenge suggestion"),
    "community_challenge_responses": _l("Challenge reply"),
    "community_comments": _l("Comment"),
    "community_consultations": _l("Consultation"),
    "community_time_slots": _l("Consultation time slot"),
    "community_bookings": _l("Booking"),
    "community_reports": _l("Report"),
    "org_profiles": _l("Organisation profile"),
    "match_results": _l("Match result"),
    "saved_projects": _l("Saved project"),
    "connections": _l("Connection"),
    "connection_events": _l("Connection event"),
    "share_grants": _l("Access grant"),
    "match_index": _l("Match index"),
    "match_documents": _l("Match document"),
    "platform_settings": _l("Platform settings"),
    "incubations": _l("Incubation"),
    "incubation_milestones": _l("Milestone"),
    "incubation_documents": _l("Incubation document"),
    "incubation_entries": _l("Service record"),
    "incubation_stage_targets": _l("Stage target"),
    "projects": _l("Project"),
    "project_versions": _l("Project version"),
    "attachments": _l("Attachment"),
    "status_events": _l("Status change"),
    "project_similarities": _l("Project similarity"),
    "rubrics": _l("Rubric"),
    "rubric_criteria": _l("Rubric criterion"),
    "rubric_gates": _l("Rubric gate"),
    "review_rounds": _l("Review round"),
    "round_entries": _l("Round entry"),
    "expert_profiles": _l("Expert profile"),
    "declared_conflicts": _l("Declared conflict"),
    "review_assignments": _l("Review assignment"),
    "reviews": _l("Review"),
    "review_scores": _l("Review score"),
    "review_gate_answers": _l("Gate answer"),
    "review_decisions": _l("Decision"),
    "organizations": _l("Organisation"),
    "users": _l("Account"),
    "login_sessions": _l("Sign-in session"),
    "account_tokens": _l("E-mailed link"),
    "join_requests": _l("Request to join"),
    "login_attempts": _l("Sign-in attempt"),
    "consents": _l("Consent"),
    "audit_log": _l("Audit entry"),
    "notifications": _l("Notification"),
    "clarifications": _l("Clarification question"),
    "connection_messages": _l("Connection message"),
    "review_bids": _l("Review preference"),
    "review_discussion": _l("Panel discussion message"),
    "review_figures": _l("Review figures"),
    "review_lead_responses": _l("Answer to the panel summary"),
    "review_leads": _l("Lead reviewer"),
    "review_quality": _l("Review quality rating"),
    "review_revisions": _l("Earlier scores of a review"),
}


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def object_label(object_type: str) -> str:
    return str(OBJECT_LABELS.get(object_type, object_type))


def local_time(moment: datetime | None) -> str:
    return "" if moment is None else export_time(moment)


def csv_table(filters: services.AuditFilter, readable: bool, limit: int = 100_000) -> tuple[list, Iterator[tuple]]:
    """(header, rows) of the log: `readable` for people (headers in their language, the action and object type in
    words beside their codes), else the stable column keys scripts read. Times in both: local, with the offset."""
    if readable:
        header = [_("No."), _("Time"), _("Action code"), _("Action"), _("Actor ID"), _("Actor"), _("Object type"),
                  _("Object type code"), _("Object ID"), _("Detail")]
    else:
        header = ["id", "time", "action", "actor id", "actor", "object type", "object id", "detail"]
    return header, _rows(filters, readable, limit)


def _rows(filters: services.AuditFilter, readable: bool, limit: int) -> Iterator[tuple]:
    for entry, actor in db.session.execute(services.audit_query(filters).limit(limit)):
        detail = json.dumps(entry.detail, ensure_ascii=False, sort_keys=True)
        if readable:
            yield (entry.id, local_time(entry.at), entry.action, action_label(entry.action), entry.actor_id or "",
                   actor.name if actor else "", object_label(entry.object_type) if entry.object_type else "",
                   entry.object_type, entry.object_id or "", detail)
        else:
            yield (entry.id, local_time(entry.at), entry.action, entry.actor_id or "", actor.name if actor else "",
                   entry.object_type, entry.object_id or "", detail)
