"""Every route x every role, generated from the app's URL map: a route without an expected answer here fails.

For each endpoint, EXPECTED says what each kind of visitor gets. GET routes are requested by every role and must
answer exactly that; a form (GET and POST) refused on GET is also POSTed and must be refused the same way. Routes
that only accept POST (or PUT/DELETE) are sent by every role whose answer is not OK (OK on a POST-only route means
"let through": authorised actions belong to each domain's own tests; REDIRECT means sent back with a message).
Whatever is POSTed here must send no write to the database and leave every table exactly as it was.

Routes about a project are checked once more with each of the owner's other projects (PROJECT_PASSES): the
released one, or the one under review, and a draft.

The visitors (columns) and what they are to the sample objects:
    anonymous     not signed in
    clinician     an approved clinician who owns nothing here
    owner         the clinician who owns the projects (under review, released, draft), the clinical need, the
                  consultation, the booking and the reply to the challenge
    expert        an approved expert with no assignment
    reviewer      the expert assigned to the project under review (invitation accepted, no conflict)
    enterprise    a company member whose organisation profile is approved but holds no connection or grant
    partner       a member of the company holding the owner's accepted connection and share grant on the released
                  project; the company posted the challenge
    investor      an investor member whose organisation has no approved profile
    officer       an approved officer who serves none of these projects
    case_officer  the service officer of the released project's incubation, who published the time slot
    admin         an administrator
    pending       an expert whose account is waiting for approval
    hospital      a member of the equipment office of a hospital assessing the partner's listed product
    regulator     a health commission's reader, invited by administrators
    provider      a service provider (testing lab, CRO...) with nothing here

When a domain adds a route: add its line to EXPECTED (and to each project pass if its URL names a project), and,
if its URL has a new argument name, a builder to SAMPLES that returns a value pointing at one of the sample objects
(or at a new one, made in the `samples` fixture through the domain's services).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from itertools import product

import pytest
from flask import url_for
from sqlalchemy import event, select
from werkzeug.datastructures import FileStorage
from werkzeug.security import generate_password_hash

from chunfeng.accounts import services as accounts
from chunfeng.accounts.models import AccountStatus, Role, User
from chunfeng.catalogue import admission as catalogue_admission
from chunfeng.catalogue import listings as catalogue_listings
from chunfeng.catalogue.models import HospitalFunction
from chunfeng.community import services as community
from chunfeng.community.models import ChallengeSuggestion
from chunfeng.db import db
from chunfeng.incubation import documents as incubation_documents
from chunfeng.incubation import service_record as incubation_record
from chunfeng.incubation import starting as incubation
from chunfeng.incubation.models import Incubation
from chunfeng.matching import connections as matching
from chunfeng.matching.grants import active_grant
from chunfeng.matching.models import OrgProfile, ProfileKind, ProfileStatus
from chunfeng.providers import events as provider_events
from chunfeng.providers import profiles as provider_profiles
from chunfeng.providers import requests as provider_requests
from chunfeng.reviews import assignment as assigning
from chunfeng.reviews import conflicts
from chunfeng.reviews import services as reviews
from chunfeng.reviews.models import Outcome
from chunfeng.submissions import services as intake
from chunfeng.submissions.models import Pathway, Project
from chunfeng.submissions.sections import SECTIONS
from tests.conftest import login

ROLES = ("anonymous", "clinician", "owner", "expert", "reviewer", "enterprise", "partner", "investor", "officer",
         "case_officer", "admin", "pending", "hospital", "regulator", "provider")
OK, LOGIN, REDIRECT, FORBIDDEN, HIDDEN = 200, "login", "redirect", 403, 404
REFUSED = (LOGIN, FORBIDDEN, HIDDEN)


def answers(default, **per_role) -> dict[str, object]:
    """What each role gets: anonymous visitors are sent to log in unless told otherwise."""
    table = {role: default for role in ROLES}
    table["anonymous"] = LOGIN
    table.update(per_role)
    return table


def only(*roles: str, **per_role) -> dict[str, object]:
    """OK for `roles`, 403 for every other signed-in role unless told otherwise."""
    return answers(FORBIDDEN, **dict.fromkeys(roles, OK), **per_role)


EVERYONE = {role: OK for role in ROLES}
ANY_SIGNED_IN = answers(OK)
APPROVED = answers(OK, pending=FORBIDDEN)
ADMIN_ONLY = only("admin")
GUESTS_ONLY = answers(REDIRECT, anonymous=OK)  # log-in and registration forms send signed-in people on
CLINICIANS = only("clinician", "owner")
EXPERTS = only("expert", "reviewer")
COMPANIES = only("enterprise", "partner", "investor")
OFFICERS = only("officer", "case_officer")
STAFF = only("officer", "case_officer", "admin")
ASKERS = only("clinician", "owner", "enterprise", "partner", "investor")
ANSWERERS = only("expert", "reviewer", "officer", "case_officer", "admin")
CONSULTATION_DESK = only("clinician", "owner", "enterprise", "partner", "investor", "expert", "reviewer", "officer",
                         "case_officer", "admin")

# The intake project under review: the owner, administrators and officers see it; confidential material is for the
# owner, administrators and (through the blind review pages only) the reviewer.
PROJECT_PAGE = answers(HIDDEN, owner=OK, officer=OK, case_officer=OK, admin=OK)
VERSIONS = answers(HIDDEN, owner=OK, admin=OK)
# The reviewer's assignment: other experts get 404, everyone else is not an expert.
ASSIGNMENT = only("reviewer", expert=HIDDEN)
# The owner's connection with the partner company, on the released project.
CONNECTION_PARTIES = only("owner", "partner", clinician=HIDDEN, enterprise=HIDDEN, investor=HIDDEN)
OWNER_OF_CONNECTION = only("owner", clinician=HIDDEN)
# The released project's incubation: its staff, the doctor and the connected company.
INCUBATION_PARTIES = answers(HIDDEN, owner=OK, partner=OK, case_officer=OK, admin=OK, pending=FORBIDDEN)
INCUBATION_STAFF = only("case_officer", "admin", officer=HIDDEN)
INCUBATION_ASKERS = answers(HIDDEN, owner=OK, partner=OK, pending=FORBIDDEN)
# The partner company's challenge: only that company manages it.
CHALLENGE_COMPANY = only("partner", enterprise=HIDDEN)
# The owner's consultation: its asker and those who answer consultations.
CONSULTATION = only("owner", "expert", "reviewer", "officer", "case_officer", "admin", clinician=HIDDEN,
                    enterprise=HIDDEN, partner=HIDDEN, investor=HIDDEN)

# Matchmaking days: clinicians, companies, investors, providers and administrators; the owner's meeting with the
# partner is answered by the two of them (administrators see every meeting).
EVENT_GOERS = only("clinician", "owner", "enterprise", "partner", "investor", "admin", "provider")
MEETING_PARTIES = only("owner", "partner", "admin", clinician=HIDDEN, enterprise=HIDDEN, investor=HIDDEN,
                       provider=HIDDEN)

EXPECTED: dict[str, dict[str, object]] = {
    # main
    "main.index": EVERYONE,
    "main.privacy": EVERYONE,
    "main.favicon": EVERYONE,
    "main.dashboard": ANY_SIGNED_IN,
    "main.notifications": ANY_SIGNED_IN,
    "main.mark_notifications_read": ANY_SIGNED_IN,
    # accounts
    "accounts.register": GUESTS_ONLY,
    "accounts.login": GUESTS_ONLY,
    "accounts.logout": ANY_SIGNED_IN,
    "accounts.profile": ANY_SIGNED_IN,
    "accounts.change_password": ANY_SIGNED_IN,
    "accounts.forgot_password": EVERYONE,
    "accounts.resend_verification": EVERYONE,
    "accounts.set_password": dict.fromkeys(ROLES, REDIRECT),  # the sample token is not a valid one
    "accounts.confirm_email": dict.fromkeys(ROLES, REDIRECT),
    "accounts.invite": ADMIN_ONLY,
    "accounts.join_requests": APPROVED,
    "accounts.decide_join": answers(HIDDEN, pending=FORBIDDEN),
    "accounts.mail_preferences": ANY_SIGNED_IN,
    # admin
    "admin.dashboard": ADMIN_ONLY,
    "admin.dashboard_csv": ADMIN_ONLY,
    "admin.accounts": ADMIN_ONLY,
    "admin.account": ADMIN_ONLY,
    "admin.decide": ADMIN_ONLY,
    "admin.organizations": ADMIN_ONLY,
    "admin.organization": ADMIN_ONLY,
    "admin.merge_organization": ADMIN_ONLY,
    "admin.audit": ADMIN_ONLY,
    "admin.audit_csv": ADMIN_ONLY,
    "admin.settings": ADMIN_ONLY,
    "admin.my_privacy": ANY_SIGNED_IN,
    "admin.export_my_data": ANY_SIGNED_IN,
    "admin.close_account": ANY_SIGNED_IN,
    # submissions: the project is under review, so nobody may edit, upload or delete; the owner may withdraw
    "submissions.mine": CLINICIANS,
    "submissions.new": CLINICIANS,
    "submissions.project": PROJECT_PAGE,
    "submissions.section": answers(HIDDEN, owner=REDIRECT, officer=REDIRECT, case_officer=REDIRECT, admin=REDIRECT),
    "submissions.submit": answers(HIDDEN, owner=REDIRECT, officer=REDIRECT, case_officer=REDIRECT, admin=REDIRECT),
    "submissions.withdraw": answers(HIDDEN, owner=OK),
    "submissions.delete_draft": answers(HIDDEN),
    "submissions.versions": VERSIONS,
    "submissions.version": VERSIONS,
    "submissions.receipt": VERSIONS,
    "submissions.canonical": VERSIONS,
    "submissions.upload": answers(HIDDEN),
    "submissions.attachment": VERSIONS,
    "submissions.delete_attachment": answers(HIDDEN),
    # after submitting: supplementary material (the owner), questions of the panel (the reviewer, administrators)
    # and their answers (the owner; no question is open in the samples), files a supplement added (none here)
    "submissions.supplement": answers(HIDDEN, owner=OK),
    "submissions.ask": answers(HIDDEN, reviewer=OK, admin=OK),
    "submissions.answer": answers(HIDDEN),
    "submissions.panel_file": answers(HIDDEN),
    # reviews: administrators run everything; the reviewer reaches only their own assignment
    "reviews.formal_check": ADMIN_ONLY,
    "reviews.formal_check_project": ADMIN_ONLY,
    "reviews.formal_pass": ADMIN_ONLY,
    "reviews.formal_return": ADMIN_ONLY,
    "reviews.rubric_list": ADMIN_ONLY,
    "reviews.rubric_view": ADMIN_ONLY,
    "reviews.rubric_edit": only(admin=REDIRECT),  # the round's rubric is active: it cannot change
    "reviews.rubric_copy": ADMIN_ONLY,
    "reviews.rubric_activate": ADMIN_ONLY,
    "reviews.rubric_archive": ADMIN_ONLY,
    "reviews.rubric_discard": ADMIN_ONLY,
    "reviews.experts": ADMIN_ONLY,
    "reviews.expert_edit": ADMIN_ONLY,
    "reviews.rounds": ADMIN_ONLY,
    "reviews.round_new": ADMIN_ONLY,
    "reviews.round_edit": ADMIN_ONLY,
    "reviews.round_view": ADMIN_ONLY,
    "reviews.round_status": ADMIN_ONLY,
    "reviews.round_publish": ADMIN_ONLY,
    "reviews.round_add_projects": ADMIN_ONLY,
    "reviews.assignments": ADMIN_ONLY,
    "reviews.assignments_propose": ADMIN_ONLY,
    "reviews.assignments_send": ADMIN_ONLY,
    "reviews.assignment_add": ADMIN_ONLY,
    "reviews.assignment_remove": ADMIN_ONLY,
    "reviews.assignment_cancel": ADMIN_ONLY,
    "reviews.assignment_reopen": ADMIN_ONLY,
    "reviews.re_review": ADMIN_ONLY,
    "reviews.panel_project": ADMIN_ONLY,
    "reviews.export_csv": ADMIN_ONLY,
    "reviews.export_reviews_csv": ADMIN_ONLY,
    "reviews.export_xlsx": ADMIN_ONLY,
    "reviews.mine": EXPERTS,
    "reviews.profile": EXPERTS,
    "reviews.conflict_add": EXPERTS,
    "reviews.conflict_delete": only("reviewer", expert=HIDDEN),  # the reviewer's declaration
    "reviews.assignment_page": ASSIGNMENT,
    "reviews.assignment_accept": ASSIGNMENT,
    "reviews.assignment_decline": ASSIGNMENT,
    "reviews.review_save": ASSIGNMENT,
    "reviews.material": ASSIGNMENT,
    "reviews.outcome": answers(HIDDEN, owner=OK, admin=OK),
    # deliberation: bids on the open round (experts), the panel's discussion and the lead reviewer's meta-review
    # (the project's reviewers), revising a submitted review (its reviewer), designating the lead and rating reviews
    # (administrators)
    "reviews.round_bids": EXPERTS,
    "reviews.discussion_post": only("reviewer", "admin", expert=HIDDEN),
    "reviews.review_revise": answers(FORBIDDEN, expert=HIDDEN, reviewer=HIDDEN),  # no submitted review to revise
    "reviews.meta_write": ASSIGNMENT,
    "reviews.meta_answer": ASSIGNMENT,
    "reviews.lead_designate": ADMIN_ONLY,
    "reviews.review_quality": ADMIN_ONLY,
    "reviews.public_results": EVERYONE,
    "reviews.public_round": EVERYONE,  # a published round
    "reviews.public_project": EVERYONE,  # the released project, as its round published it
    "reviews.search_results": EVERYONE,
    # matching: the released project (in incubation) and the partner's connection
    "matching.profile": COMPANIES,
    "matching.browse_projects": COMPANIES,
    "matching.project": only("enterprise", "partner"),  # the investor's profile is not approved
    "matching.save_project": only("enterprise", "partner"),
    "matching.request_connection": only("enterprise", "partner"),
    "matching.suggestions": only("owner", "admin", clinician=HIDDEN),
    "matching.invite": only("owner", clinician=HIDDEN),  # the enterprise, suggested and not yet connected
    "matching.requests": CLINICIANS,
    "matching.connections": COMPANIES,
    "matching.connection": {**CONNECTION_PARTIES, "admin": OK},
    # the partner's request: the clinician answers (a company answers only a clinician's invitation)
    "matching.decide": {**OWNER_OF_CONNECTION, "enterprise": HIDDEN, "partner": HIDDEN, "investor": HIDDEN},
    "matching.add_event": CONNECTION_PARTIES,
    "matching.post_message": CONNECTION_PARTIES,
    "matching.close": CONNECTION_PARTIES,
    # the side that asked withdraws (the partner its request; a clinician only an invitation)
    "matching.withdraw": only("partner", enterprise=HIDDEN, investor=HIDDEN, clinician=HIDDEN, owner=HIDDEN),
    "matching.share_again": OWNER_OF_CONNECTION,
    "matching.revoke": OWNER_OF_CONNECTION,
    "matching.admin_profiles": ADMIN_ONLY,
    "matching.admin_profile": ADMIN_ONLY,
    "matching.admin_refresh": ADMIN_ONLY,
    "matching.admin_connections": ADMIN_ONLY,
    # incubation of the released project
    "incubation.officer_list": OFFICERS,
    "incubation.admin_list": ADMIN_ONLY,
    "incubation.figures": ADMIN_ONLY,
    "incubation.targets": ADMIN_ONLY,
    "incubation.start": ADMIN_ONLY,
    "incubation.take_on": answers(FORBIDDEN, officer=HIDDEN, case_officer=HIDDEN),  # already in incubation
    "incubation.reassign": ADMIN_ONLY,
    "incubation.project": INCUBATION_PARTIES,
    "incubation.document": INCUBATION_PARTIES,
    "incubation.add_entry": INCUBATION_STAFF,
    "incubation.answer": INCUBATION_STAFF,
    "incubation.milestone": INCUBATION_STAFF,
    "incubation.transition": INCUBATION_STAFF,
    "incubation.ask": INCUBATION_ASKERS,
    "incubation.consent": only("owner", clinician=HIDDEN),
    "incubation.success_stories": EVERYONE,
    # community: the owner's need is for members only, the challenge is the partner company's
    "community.index": EVERYONE,
    "community.faq": EVERYONE,
    "community.search": EVERYONE,
    "community.need": answers(OK, anonymous=HIDDEN, pending=HIDDEN),
    "community.new_need": CLINICIANS,
    "community.edit_need": only("owner", clinician=HIDDEN),
    "community.convert_need": only("owner", clinician=HIDDEN),
    "community.follow_need": APPROVED,
    "community.comment_need": APPROVED,
    "community.see_too": only("clinician", "expert", "reviewer", owner=HIDDEN),  # not on one's own need
    "community.challenges": APPROVED,
    "community.challenge": APPROVED,
    "community.new_challenge": only("enterprise", "partner"),
    "community.edit_challenge": CHALLENGE_COMPANY,
    "community.challenge_status": CHALLENGE_COMPANY,
    "community.refresh_suggestions": CHALLENGE_COMPANY,
    "community.invite": CHALLENGE_COMPANY,
    "community.respond": CLINICIANS,
    "community.revoke_contact": answers(HIDDEN, owner=OK),
    "community.comment_challenge": APPROVED,
    "community.consultations": CONSULTATION_DESK,
    "community.ask": ASKERS,
    "community.consultation": CONSULTATION,
    "community.answer": ANSWERERS,
    "community.faq_consent": only("owner", clinician=HIDDEN, enterprise=HIDDEN, partner=HIDDEN, investor=HIDDEN),
    "community.publish_faq": STAFF,
    "community.unpublish_faq": STAFF,
    "community.slots": CONSULTATION_DESK,
    "community.new_slot": STAFF,
    "community.book": ASKERS,
    "community.cancel_booking": only("owner", clinician=HIDDEN, enterprise=HIDDEN, partner=HIDDEN,
                                     investor=HIDDEN),
    "community.cancel_slot": only("case_officer", "admin", officer=HIDDEN),
    "community.report": APPROVED,
    "community.moderation": ADMIN_ONLY,
    "community.dismiss_report": ADMIN_ONLY,
    "community.set_hidden": ADMIN_ONLY,
    # catalogue: the partner's listed product, assessed by the hospital's equipment office
    "catalogue.index": EVERYONE,
    "catalogue.product": EVERYONE,
    "catalogue.mine": only("enterprise", "partner"),
    "catalogue.apply": only("enterprise", "partner"),
    "catalogue.listing": only("partner", "admin", enterprise=HIDDEN),
    "catalogue.edit": answers(FORBIDDEN, enterprise=HIDDEN, partner=HIDDEN),  # listed: no longer edited
    "catalogue.submit": answers(FORBIDDEN, enterprise=HIDDEN, partner=409),  # listed: nothing to send
    "catalogue.withdraw": only("partner", enterprise=HIDDEN),
    "catalogue.market": only("partner", enterprise=HIDDEN),
    "catalogue.review_list": ADMIN_ONLY,
    "catalogue.review": ADMIN_ONLY,
    "catalogue.list_product": answers(FORBIDDEN, admin=409),  # already listed
    "catalogue.hospital": only("hospital"),
    "catalogue.set_function": only("hospital"),
    "catalogue.declare": answers(FORBIDDEN, hospital=400),  # the hospital already assesses it
    "catalogue.assessment": only("partner", "admin", "hospital", "regulator", enterprise=HIDDEN),
    "catalogue.decide": only("hospital"),
    "catalogue.opinion": answers(FORBIDDEN, hospital=HIDDEN),  # the equipment office gives no committee opinion
    "catalogue.order": only("hospital"),
    "catalogue.first_use": only("hospital"),
    # providers: the provider's approved profile, the case officer's request to it on the released project, and a
    # matchmaking day where the owner (with the released project) meets the partner
    "providers.profile": only("provider"),
    "providers.my_requests": only("provider"),
    "providers.admin_profiles": ADMIN_ONLY,
    "providers.admin_profile": ADMIN_ONLY,
    "providers.request": answers(HIDDEN, owner=OK, case_officer=OK, admin=OK, provider=OK, pending=FORBIDDEN),
    "providers.accept": only("provider"),
    "providers.decline": only("provider"),
    "providers.step": only("provider"),
    "providers.withdraw": only("owner", "case_officer", "admin", clinician=HIDDEN, officer=HIDDEN),
    "providers.find": only("owner", "case_officer", "admin", clinician=HIDDEN, officer=HIDDEN),
    "providers.send": only("owner", "case_officer", "admin", clinician=HIDDEN, officer=HIDDEN),
    "providers.events_list": EVENT_GOERS,
    "providers.event_new": ADMIN_ONLY,
    "providers.event": EVENT_GOERS,
    "providers.schedule": ADMIN_ONLY,
    "providers.agenda": EVENT_GOERS,
    "providers.answer_meeting": MEETING_PARTIES,
    "providers.meeting_outcome": MEETING_PARTIES,
    "catalogue.api_catalogue": EVERYONE,  # the open data API
    "catalogue.api_product": EVERYONE,
    "catalogue.api_results": EVERYONE,
    "catalogue.api_stories": EVERYONE,
    "catalogue.api_openapi": EVERYONE,
    "catalogue.regulator": only("admin", "regulator"),
    "catalogue.regulator_csv": only("admin", "regulator"),
}

# The routes about a project, requested once more with each of the owner's other projects (PROJECT_PASSES).
REVIEWS_OF_ANOTHER_PROJECT = {
    "reviews.lead_designate": answers(FORBIDDEN, admin=HIDDEN),  # not in the open round
    "reviews.formal_check_project": ADMIN_ONLY,
    "reviews.formal_pass": ADMIN_ONLY,
    "reviews.formal_return": ADMIN_ONLY,
    "reviews.panel_project": answers(FORBIDDEN, admin=HIDDEN),  # not in the open round
    "reviews.assignment_add": answers(FORBIDDEN, admin=HIDDEN),
    "reviews.re_review": answers(FORBIDDEN, admin=HIDDEN),
}
NOT_RELEASED = {
    "matching.project": answers(FORBIDDEN, enterprise=HIDDEN, partner=HIDDEN),
    "matching.save_project": answers(FORBIDDEN, enterprise=HIDDEN, partner=HIDDEN),
    "matching.request_connection": answers(FORBIDDEN, enterprise=HIDDEN, partner=HIDDEN),
}
NOT_IN_INCUBATION = {
    "incubation.start": ADMIN_ONLY,
    "incubation.take_on": answers(FORBIDDEN, officer=HIDDEN, case_officer=HIDDEN),  # not awaiting incubation
    "incubation.project": answers(HIDDEN, pending=FORBIDDEN),
    "incubation.add_entry": answers(FORBIDDEN, officer=HIDDEN, case_officer=HIDDEN, admin=HIDDEN),
    "incubation.ask": answers(HIDDEN, pending=FORBIDDEN),
    "incubation.consent": answers(FORBIDDEN, clinician=HIDDEN, owner=HIDDEN),
    "providers.find": answers(FORBIDDEN, clinician=HIDDEN, owner=HIDDEN, officer=HIDDEN, case_officer=HIDDEN,
                              admin=HIDDEN),  # no incubation: nothing to send a request for
    "providers.send": answers(FORBIDDEN, clinician=HIDDEN, owner=HIDDEN, officer=HIDDEN, case_officer=HIDDEN,
                              admin=HIDDEN),
}

# The released project (selected, connected with the partner, in incubation) on intake and review pages, and the
# project under review on matching and incubation pages: no company reaches a project that is not released; the
# partner's grant and the case officer open the released project's confidential files, not its intake page.
OTHER_PROJECT: dict[str, dict[str, object]] = {
    "submissions.supplement": answers(HIDDEN, owner=REDIRECT),  # not under review: back to the project page
    "submissions.ask": answers(HIDDEN, admin=409),  # the administrator sees the project: no question after review
    "submissions.answer": answers(HIDDEN),
    "submissions.panel_file": answers(HIDDEN),
    "submissions.project": PROJECT_PAGE,
    "submissions.section": EXPECTED["submissions.section"],
    "submissions.submit": EXPECTED["submissions.submit"],
    "submissions.withdraw": answers(HIDDEN),  # decided: no longer withdrawn by anyone
    "submissions.delete_draft": answers(HIDDEN),
    "submissions.versions": VERSIONS,
    "submissions.version": VERSIONS,
    "submissions.receipt": VERSIONS,
    "submissions.canonical": VERSIONS,
    "submissions.upload": answers(HIDDEN),
    "submissions.attachment": answers(HIDDEN, owner=OK, partner=OK, case_officer=OK, admin=OK),
    "submissions.delete_attachment": answers(HIDDEN),
    **REVIEWS_OF_ANOTHER_PROJECT,
    "reviews.outcome": answers(HIDDEN, owner=OK, admin=OK),
    **NOT_RELEASED,
    "matching.suggestions": EXPECTED["matching.suggestions"],
    "matching.invite": EXPECTED["matching.invite"],
    "reviews.public_project": dict.fromkeys(ROLES, HIDDEN),  # under review: not published
    **NOT_IN_INCUBATION,
}

# The owner's draft, with an attachment, never submitted: "nothing is sent to anyone until you submit", so the
# owner alone sees it, administrators and officers included get 404.
DRAFT_PROJECT: dict[str, dict[str, object]] = {
    "submissions.supplement": answers(HIDDEN, owner=REDIRECT),  # not under review: back to the project page
    "submissions.ask": answers(HIDDEN),  # nobody reviews a draft
    "submissions.answer": answers(HIDDEN),
    "submissions.panel_file": answers(HIDDEN),
    "submissions.project": answers(HIDDEN, owner=OK),
    "submissions.section": answers(HIDDEN, owner=OK),
    "submissions.submit": answers(HIDDEN, owner=OK),
    "submissions.withdraw": answers(HIDDEN),  # a draft never sent is deleted, not withdrawn
    "submissions.delete_draft": answers(HIDDEN, owner=OK),
    "submissions.versions": answers(HIDDEN, owner=OK),
    "submissions.version": answers(HIDDEN),  # no version yet
    "submissions.receipt": answers(HIDDEN),
    "submissions.canonical": answers(HIDDEN),
    "submissions.upload": answers(HIDDEN, owner=OK),
    "submissions.attachment": answers(HIDDEN, owner=OK),
    "submissions.delete_attachment": answers(HIDDEN, owner=OK),
    **REVIEWS_OF_ANOTHER_PROJECT,
    "reviews.formal_check_project": answers(FORBIDDEN, admin=HIDDEN),
    "reviews.formal_pass": answers(FORBIDDEN, admin=HIDDEN),
    "reviews.formal_return": answers(FORBIDDEN, admin=HIDDEN),
    "reviews.outcome": answers(HIDDEN, owner=OK),
    **NOT_RELEASED,
    "matching.suggestions": only("owner", clinician=HIDDEN, admin=HIDDEN),
    "matching.invite": EXPECTED["matching.invite"],
    "reviews.public_project": dict.fromkeys(ROLES, HIDDEN),
    **NOT_IN_INCUBATION,
}


@dataclass
class Samples:
    """The visitors of each role and the objects the URLs point at (see the module's docstring)."""

    people: dict[str, User]  # role -> user (detached, id and e-mail loaded); no one for "anonymous"
    organization_id: int  # the owner's hospital
    project_id: int  # the owner's project under review, with version 1 and one attachment
    round_id: int  # the open round reviewing it
    published_round_id: int
    assignment_id: int  # the reviewer's
    conflict_id: int  # declared by the reviewer
    rubric_id: int
    released_id: int  # the owner's selected project, released for matching, now in incubation
    draft_id: int  # the owner's draft with an attachment, never submitted
    profile_id: int  # the partner company's
    connection_id: int
    grant_id: int
    incubation_id: int
    milestone_id: int
    document_id: int
    entry_id: int  # the owner's question to the service officer
    need_id: int
    challenge_id: int
    suggestion_id: int
    response_id: int
    consultation_id: int
    slot_id: int
    booking_id: int
    report_id: int
    listing_id: int = 0  # the partner's listed product
    assessment_id: int = 0  # the hospital's assessment of it
    provider_id: int = 0  # the provider's approved profile
    service_request_id: int = 0  # the case officer's request to it
    event_id: int = 0  # a matchmaking day
    meeting_id: int = 0  # the owner's meeting with the partner there


def _project_for(s: Samples, endpoint: str) -> int:
    """Matching, incubation and public result pages are about the released project; the others about the one
    under review."""
    released = (endpoint.split(".")[0] in ("matching", "incubation", "providers")
                or endpoint == "reviews.public_project")
    return s.released_id if released else s.project_id


# name -> (the samples with that project in place, the answers expected on the routes about a project)
PROJECT_PASSES: dict[str, tuple[Callable[[Samples], Samples], dict[str, dict[str, object]]]] = {
    "other": (lambda s: replace(s, project_id=s.released_id, released_id=s.project_id), OTHER_PROJECT),
    "draft": (lambda s: replace(s, project_id=s.draft_id, released_id=s.draft_id), DRAFT_PROJECT),
}


# argument name in the URL rule -> value for that argument (given the samples and the endpoint)
SAMPLES: dict[str, Callable[[Samples, str], object]] = {
    "token": lambda s, e: "not-a-valid-token",
    "request_id": lambda s, e: 0,
    "user_id": lambda s, e: s.people["pending"].id,
    "org_id": lambda s, e: s.organization_id,
    "decision": lambda s, e: "approve",
    "project_id": _project_for,
    "key": lambda s, e: SECTIONS[1].key,
    "number": lambda s, e: 1,  # version 1 (intake), attachment 1 of the reviewed version (reviews)
    "attachment_id": lambda s, e: _first_attachment(s.project_id),
    "round_id": lambda s, e: (s.published_round_id if e in ("reviews.public_round", "reviews.public_project")
                              else s.round_id),
    "organization_id": lambda s, e: s.people["enterprise"].organization_id,
    "action": lambda s, e: "close_intake",
    "assignment_id": lambda s, e: s.assignment_id,
    "conflict_id": lambda s, e: s.conflict_id,
    "rubric_id": lambda s, e: s.rubric_id,
    "profile_id": lambda s, e: s.profile_id,
    "connection_id": lambda s, e: s.connection_id,
    "grant_id": lambda s, e: s.grant_id,
    "incubation_id": lambda s, e: s.incubation_id,
    "milestone_id": lambda s, e: s.milestone_id,
    "document_id": lambda s, e: s.document_id,
    "entry_id": lambda s, e: s.entry_id,
    "need_id": lambda s, e: s.need_id,
    "challenge_id": lambda s, e: s.challenge_id,
    "suggestion_id": lambda s, e: s.suggestion_id,
    "response_id": lambda s, e: s.response_id,
    "consultation_id": lambda s, e: s.consultation_id,
    "slot_id": lambda s, e: s.slot_id,
    "booking_id": lambda s, e: s.booking_id,
    "report_id": lambda s, e: s.report_id,
    "kind": lambda s, e: "need",
    "target_id": lambda s, e: s.need_id,
    "chart": lambda s, e: "funnel",
    "clarification_id": lambda s, e: 0,  # none asked in the samples
    "review_id": lambda s, e: 0,  # none submitted in the samples
    "position": lambda s, e: 1,
    "listing_id": lambda s, e: s.listing_id,
    "assessment_id": lambda s, e: s.assessment_id,
    "provider_id": lambda s, e: s.provider_id,
    "service_request_id": lambda s, e: s.service_request_id,
    "step": lambda s, e: "start",
    "event_id": lambda s, e: s.event_id,
    "meeting_id": lambda s, e: s.meeting_id,
}


def _first_attachment(project_id: int) -> int:
    return db.session.get(Project, project_id).attachments[0].id


# --- the sample data, made through each domain's services ------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
STENT = dict(
    title="带远端保护的可回收颅内取栓支架", specialty="神经介入科",
    public_summary="面向急性缺血性脑卒中大血管闭塞取栓，降低远端栓塞、提高首次再通率的取栓支架。",
    need_problem="机械取栓回撤支架时血栓容易碎裂脱落，部分病例出现远端栓塞。",
    need_population="发病24小时内的急性前循环大血管闭塞患者。", need_outcome="降低远端栓塞发生率。",
    current_practice="单纯支架取栓或联合抽吸。", solution="机密：支架远端集成可折叠编织网篮。",
    innovation_points="取栓支架与远端保护一体化。", device_class="II", stage="prototype",
    attests_no_patient_data=True,
)
CATHETER = {**STENT, "title": "可调弯神经介入抽吸导管", "solution": "机密：导管头端的调弯结构。"}


@pytest.fixture(autouse=True)
def _quick_password_hashes(monkeypatch):
    """The matrix makes a dozen accounts per role tested and tests no password rule: a cheap hash keeps it fast."""
    monkeypatch.setattr(accounts, "hash_password",
                        lambda password: generate_password_hash(password, method="pbkdf2:sha256:1000"))


def _people(make_user) -> dict[str, User]:
    return {
        "clinician": make_user(Role.CLINICIAN, name="王芳", organization="四川大学华西医院", department="眼科"),
        "owner": make_user(Role.CLINICIAN, name="李明", organization="矩阵测试医院", department="神经介入科"),
        "expert": make_user(Role.EXPERT, name="吴敏", organization="北京协和医院", department="眼科"),
        "reviewer": make_user(Role.EXPERT, name="孙丽华", organization="首都医科大学宣武医院",
                              department="神经介入科"),
        "enterprise": make_user(Role.ENTERPRISE, name="周经理", organization="眼科影像设备有限公司"),
        "partner": make_user(Role.ENTERPRISE, name="陈经理", organization="神经介入器械有限公司"),
        "investor": make_user(Role.INVESTOR, name="赵投资", organization="医疗健康创业投资基金"),
        "officer": make_user(Role.OFFICER, name="钱专员", organization="省药监局创新服务站"),
        "case_officer": make_user(Role.OFFICER, name="陈专员", organization="省药监局创新服务站"),
        "admin": make_user(Role.ADMIN, name="平台管理员", organization="省药监局创新服务站"),
        "pending": make_user(Role.EXPERT, name="待审专家", organization="矩阵测试医院",
                             status=AccountStatus.PENDING),
        "hospital": make_user(Role.HOSPITAL, name="设备处刘科长", organization="浙江省人民医院"),
        "regulator": make_user(Role.REGULATOR, name="卫健委读者", organization="浙江省卫生健康委员会"),
        "provider": make_user(Role.PROVIDER, name="检测所联络人", organization="浙江省医疗器械检验研究院"),
    }


def _submitted_project(owner: User, values: dict, attachment: bool = False) -> Project:
    project = intake.create_project(owner, values)
    for section in SECTIONS[1:]:
        intake.save_section(project, section.key, values, project.lock_version)
    if attachment:
        intake.add_attachment(project, "动物实验报告.pdf", io.BytesIO(PDF), owner)
    intake.submit(project, owner, project.lock_version)
    return project


def _round(admin: User, name: str):
    today = date.today()
    round_ = reviews.create_round(reviews.RoundSettings(
        name=name, opens_on=today - timedelta(days=10), closes_on=today + timedelta(days=10),
        review_deadline=today + timedelta(days=30), experts_per_project=2), admin)
    reviews.change_round_status(round_, "open", admin)
    return round_


def _under_review(p: dict[str, User]) -> dict[str, int]:
    """The owner's project in the open round, the reviewer's accepted assignment and declared conflict."""
    admin, reviewer = p["admin"], p["reviewer"]
    project = _submitted_project(p["owner"], STENT, attachment=True)
    round_ = _round(admin, "2026年春季批次")
    reviews.pass_formal_check(project, admin, round_)
    assignment, _warning = assigning.add_expert(round_, reviews.entry_for(round_, project), reviewer, admin)
    assigning.send_proposals(round_, admin)
    assigning.accept(assignment, reviewer)
    conflict = conflicts.declare_organisation(reviewer, "某医疗器械咨询公司", "兼职顾问")
    draft = intake.create_project(p["owner"], {"title": "术中神经监测电极贴片"})
    intake.add_attachment(draft, "草图.pdf", io.BytesIO(PDF), p["owner"])
    db.session.flush()
    return dict(project_id=project.id, draft_id=draft.id, round_id=round_.id, assignment_id=assignment.id,
                conflict_id=conflict.id, rubric_id=round_.rubric_id)


def _profile(user: User, kind: ProfileKind, scope: str) -> OrgProfile:
    profile = OrgProfile(organization_id=user.organization_id, kind=kind, status=ProfileStatus.APPROVED,
                         region="上海市", business_scope=scope, registration_experience=["II"],
                         cooperation_modes=["codev"], stages=[])
    db.session.add(profile)
    return profile


def _released(p: dict[str, User]) -> dict[str, int]:
    """The owner's project selected in a published round, connected with the partner, then in incubation."""
    admin, owner, partner, officer = p["admin"], p["owner"], p["partner"], p["case_officer"]
    project = _submitted_project(owner, CATHETER, attachment=True)
    round_ = _round(admin, "2025年秋季批次")
    reviews.pass_formal_check(project, admin, round_)
    reviews.change_round_status(round_, "close_intake", admin)
    reviews.decide(round_, reviews.entry_for(round_, project), reviews.DecisionInput(
        Outcome.SELECTED, [Pathway.PRE_REVIEW.value], override_reason="临床需求明确，专家一致认可"), admin)
    reviews.publish(round_, admin)
    _profile(p["enterprise"], ProfileKind.ENTERPRISE, "眼科影像设备：眼底照相机与人工智能辅助诊断软件。")
    profile = _profile(partner, ProfileKind.ENTERPRISE, "神经介入器械：取栓支架、抽吸导管的研发与生产。")
    db.session.flush()
    connection = matching.request_connection(project, partner, "我们有抽吸导管的注册经验，希望合作开发。")
    matching.decide_connection(connection, owner, accept=True)
    started = incubation.start_incubation(project, officer.id, Pathway.PRE_REVIEW, admin)
    milestone = started.milestones[0]
    document = incubation_documents.add_document(
        milestone, FileStorage(io.BytesIO(PDF), filename="注册检验报告.pdf"), officer)
    question = incubation_record.ask_question(started, owner, "注册检验送样需要准备哪些资料？")
    db.session.flush()
    return dict(released_id=project.id, published_round_id=round_.id, profile_id=profile.id,
                connection_id=connection.id, grant_id=active_grant(project.id, partner.organization_id).id,
                incubation_id=started.id, milestone_id=milestone.id, document_id=document.id,
                entry_id=question.id)


def _community(p: dict[str, User]) -> dict[str, int]:
    owner = p["owner"]
    need = community.create_need(
        owner, title="俯卧位通气时气管插管固定易移位", problem="翻身时胶布固定的气管插管容易移位。",
        population="ICU 机械通气患者", outcome="翻身时插管深度不变", specialty="重症医学科", visibility="companies")
    challenge = community.create_challenge(
        p["partner"], title="招募神经介入医生评价抽吸导管", description="邀请神经介入科医生参与抽吸导管的可用性评价。",
        kind="usability", specialty="神经介入科", deadline=None)
    suggestion = next((s for s in challenge.suggestions if s.clinician_id == owner.id), None)
    if suggestion is None:
        suggestion = ChallengeSuggestion(challenge=challenge, clinician_id=owner.id, rank=1, score=0.5, reasons=[])
        db.session.add(suggestion)
    response = community.respond(challenge, owner, "我们科室可以参与评价。", offer_help=True, share_contact=True)
    consultation = community.ask(owner, "classification", "可调弯抽吸导管按第几类医疗器械管理？")
    slot = community.create_slot(p["case_officer"], datetime.now() + timedelta(days=7), 30, 5, True,
                                 "线上（腾讯会议）", "注册检验咨询")
    booking = community.book(slot, owner, "分类界定")
    report = community.report(p["clinician"], need, "other", "与另一条需求重复")
    db.session.flush()
    return dict(need_id=need.id, challenge_id=challenge.id, suggestion_id=suggestion.id, response_id=response.id,
                consultation_id=consultation.id, slot_id=slot.id, booking_id=booking.id, report_id=report.id)


def _catalogue(p: dict[str, User]) -> dict[str, int]:
    """The partner's product, listed, and received for assessment by the hospital's equipment office."""
    listing = catalogue_listings.create_listing(p["partner"], {
        "name": "可调弯神经介入抽吸导管", "registration_no": "国械注准20263030001", "device_class": "III",
        "approved_on": date.today() - timedelta(days=30), "pathway": "innovation", "specialty": "神经介入科",
        "province": "浙江省", "summary": "头端可调弯的抽吸导管。"})
    catalogue_listings.submit(listing, p["partner"])
    catalogue_listings.list_product(listing, p["admin"])
    catalogue_admission.set_function(p["hospital"], HospitalFunction.EQUIPMENT_OFFICE)
    assessment = catalogue_admission.declare_interest(listing, p["hospital"])
    db.session.flush()
    return dict(listing_id=listing.id, assessment_id=assessment.id)


def _providers(p: dict[str, User], incubation_id: int) -> dict[str, int]:
    """The provider's approved lab profile, the case officer's request to it, and a matchmaking day where the owner
    (with the released project) and the partner meet."""
    lab = provider_profiles.save_profile(provider_profiles.new_profile(p["provider"]), {
        "kind": "lab", "summary": "注册检验：神经介入导管性能与生物相容性。", "device_classes": ["II", "III"],
        "standards": "YY 0285 血管内导管", "turnaround_days": 45}, p["provider"])
    provider_profiles.decide_profile(lab, True, p["admin"])
    started = db.session.get(Incubation, incubation_id)
    request = provider_requests.send_request(started, lab, p["case_officer"], scope="抽吸导管注册检验",
                                             milestone_key="registration_testing")
    event = provider_events.create_event(
        p["admin"], title="医工对接会", held_on=date.today() + timedelta(days=7), starts_at=time(9), place="杭州",
        online=False, tables=2, slot_minutes=20, slots=2)
    released = db.session.scalar(select(Incubation.project_id).where(Incubation.id == incubation_id))
    provider_events.register(event, p["owner"], [0, 1], released)
    provider_events.register(event, p["partner"], [0, 1])
    meetings = provider_events.propose_schedule(event, p["admin"])
    db.session.flush()
    return dict(provider_id=lab.id, service_request_id=request.id, event_id=event.id, meeting_id=meetings[0].id)


@pytest.fixture
def samples(app, make_user) -> Samples:
    people = _people(make_user)
    with app.test_request_context():
        attached = {role: db.session.get(User, user.id) for role, user in people.items()}
        ids = {**_under_review(attached), **_released(attached), **_community(attached), **_catalogue(attached)}
        ids.update(_providers(attached, ids["incubation_id"]))
        db.session.commit()
    return Samples(people=people, organization_id=people["owner"].organization_id, **ids)


# --- the checks -----------------------------------------------------------------------------------------------

def _routes(app) -> list[tuple[str, str, set[str]]]:
    """(endpoint, rule, methods) for every route but static files."""
    return sorted((rule.endpoint, rule.rule, set(rule.methods) - {"HEAD", "OPTIONS"})
                  for rule in app.url_map.iter_rules() if rule.endpoint != "static")


def test_every_route_has_an_expected_answer_for_every_role(app):
    missing = sorted({endpoint for endpoint, _rule, _methods in _routes(app) if endpoint not in EXPECTED})
    assert not missing, ("routes without a line in EXPECTED (tests/admin/test_authorization_matrix.py): "
                         + ", ".join(missing))
    unknown = sorted(set(EXPECTED) - {endpoint for endpoint, _rule, _methods in _routes(app)})
    assert not unknown, f"EXPECTED names routes that no longer exist: {', '.join(unknown)}"
    for endpoint, table in EXPECTED.items():
        assert set(table) == set(ROLES), f"{endpoint}: expectations must cover {ROLES}"


@pytest.mark.parametrize("name", PROJECT_PASSES)
def test_every_route_about_a_project_is_checked_with_the_other_projects_too(app, name):
    table = PROJECT_PASSES[name][1]
    about_projects = {endpoint for endpoint, rule, _methods in _routes(app) if "<int:project_id>" in rule}
    missing = sorted(about_projects - set(table))
    assert not missing, f"routes with a project_id but no line in the {name} pass: " + ", ".join(missing)
    assert set(table) <= about_projects, f"the {name} pass names routes without a project_id"
    for endpoint, answers_ in table.items():
        assert set(answers_) == set(ROLES), f"{endpoint}: expectations must cover {ROLES}"


def test_every_url_argument_has_a_sample_builder(app):
    missing = sorted({f"{arg} (in {rule.endpoint})" for rule in app.url_map.iter_rules()
                      if rule.endpoint != "static" for arg in rule.arguments if arg not in SAMPLES})
    assert not missing, "URL arguments without a builder in SAMPLES: " + ", ".join(missing)


def _contents(app) -> dict[str, list]:
    """Every row of every table, by table name."""
    with app.app_context(), db.engine.connect() as conn:
        return {table.name: conn.execute(select(table)).all() for table in db.metadata.sorted_tables}


@contextmanager
def _writes(app) -> Iterator[list[str]]:
    """The INSERT, UPDATE and DELETE statements sent to the database meanwhile (a refused request sends none)."""
    with app.app_context():
        engine = db.engine
    sent: list[str] = []

    def note(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().split(None, 1)[0].upper() in ("INSERT", "UPDATE", "DELETE"):
            sent.append(" ".join(statement.split())[:80])

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", note)


def _matches(response, expected) -> bool:
    location = response.headers.get("Location", "")
    if expected == LOGIN:
        return response.status_code == 302 and "/account/login" in location
    if expected == REDIRECT:
        return response.status_code == 302 and "/account/login" not in location
    return response.status_code == expected


def _requests(app, samples: Samples, role: str) -> list[tuple[str, str, object]]:
    """(method, url, expected answer) for this role: refused POSTs first, then every GET."""
    posts, gets = [], []
    passes = [(samples, EXPECTED), *((swap(samples), table) for swap, table in PROJECT_PASSES.values())]
    with app.test_request_context():
        for (sample, table), rule in product(passes, sorted(app.url_map.iter_rules(), key=lambda r: r.rule)):
            if rule.endpoint not in table or not set(rule.arguments) <= set(SAMPLES):
                continue  # reported by the tests above
            expected = table[rule.endpoint][role]
            url = url_for(rule.endpoint, **{arg: SAMPLES[arg](sample, rule.endpoint) for arg in rule.arguments})
            if "GET" in rule.methods:
                gets.append(("GET", url, expected))
                if "POST" in rule.methods and expected in REFUSED:
                    posts.append(("POST", url, expected))
            elif expected != OK:
                posts.append(("POST", url, expected))
    return posts + gets


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_the_expected_answer_everywhere(app, samples, role):
    client = app.test_client()
    if role != "anonymous":
        assert login(client, samples.people[role].email).status_code == 302
    wrong, before = [], _contents(app)
    for method, url, expected in _requests(app, samples, role):
        if method == "POST":
            with _writes(app) as sent:
                response = client.post(url, data={"keep_id": samples.organization_id})
            if sent:
                wrong.append(f"POST {url} as {role} was refused but wrote: {'; '.join(sent)}")
        else:
            if before is not None:  # the refused POSTs come first: none of them may have changed anything
                after = _contents(app)
                changed = [name for name in before if after[name] != before[name]]
                if changed:
                    wrong.append(f"the POSTs refused to {role} changed the tables {', '.join(changed)}")
                before = None
            response = client.get(url)
        response.close()  # file downloads keep their file open until then
        if not _matches(response, expected):
            wrong.append(f"{method} {url} as {role}: expected {expected}, "
                         f"got {response.status_code} {response.headers.get('Location', '')}")
    assert not wrong, "\n".join(wrong)


def test_the_reviewer_downloads_attachments_only_under_neutral_names(app, samples):
    """Blind review: the assigned expert gets "attachment-1.pdf" from the review pages; the intake's download,
    which keeps the original file name (often the applicant's), answers 404 to them as to any other expert."""
    client = app.test_client()
    assert login(client, samples.people["reviewer"].email).status_code == 302
    with app.app_context():
        attachment_id = _first_attachment(samples.project_id)
    blind = client.get(f"/reviews/assignments/{samples.assignment_id}/materials/1")
    blind.close()
    assert blind.status_code == 200
    assert blind.headers["Content-Disposition"] == "attachment; filename=attachment-1.pdf"
    assert client.get(f"/projects/{samples.project_id}/attachments/{attachment_id}").status_code == 404
