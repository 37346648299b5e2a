"""Company challenges: the listing, posting and editing, a challenge's page with the suggested clinicians for
its company, closing and reopening, invitations, clinicians' replies with their contact consent, comments."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import policy
from ..core.web import current_actor, requested_page
from ..extensions import db
from ..submissions.forms import SPECIALTIES
from . import challenges, comments, suggestions
from .blueprint import PER_PAGE, attempt, bp, listing_filters
from .forms import ChallengeForm, CommentForm, ResponseForm
from .models import Challenge, ChallengeResponse, ChallengeStatus
from .search import known_specialties


@bp.route("/challenges", endpoint="challenges")
@policy.guard("community.view_challenge")
def challenge_list():
    query, specialty = listing_filters()
    status = request.args.get("status", "open")
    page = requested_page(challenges.challenge_listing(current_user, query, specialty, status), PER_PAGE)
    return render_template("community/challenges.html", page=page, query=query, specialty=specialty,
                           status=status, specialties=known_specialties(current_user))


@bp.route("/challenges/new", methods=["GET", "POST"])
@policy.guard("community.post_challenge")
def new_challenge():
    form = ChallengeForm()
    posted = attempt(form, lambda: challenges.create_challenge(current_actor(), **form.data))
    if posted.done:
        flash(_("Your challenge is posted. Suggested clinicians are listed below."), "success")
        return redirect(url_for("community.challenge", challenge_id=posted.result.id))
    return render_template("community/challenge_form.html", form=form, challenge=None,
                           specialties=SPECIALTIES), posted.status


@bp.route("/challenges/<int:challenge_id>/edit", methods=["GET", "POST"])
@policy.guard("community.manage_challenge")
def edit_challenge(challenge_id: int):
    challenge = policy.load(Challenge, challenge_id)
    form = ChallengeForm(obj=challenge)
    saved = attempt(form, lambda: challenges.update_challenge(challenge, current_actor(), **form.data))
    if saved.done:
        flash(_("Your changes are saved and the suggestions were updated."), "success")
        return redirect(url_for("community.challenge", challenge_id=challenge.id))
    return render_template("community/challenge_form.html", form=form, challenge=challenge,
                           specialties=SPECIALTIES), saved.status


@bp.route("/challenges/<int:challenge_id>")
@policy.guard("community.view_challenge")
def challenge(challenge_id: int):
    return _render_challenge(policy.load(Challenge, challenge_id))


def _render_challenge(challenge: Challenge, comment_form=None, response_form=None, status: int = 200):
    viewer = current_actor()
    company = policy.can(viewer, "community.manage_challenge", challenge)
    response = challenges.own_response(challenge, viewer)
    if response_form is None:
        response_form = ResponseForm(obj=response, data={"share_contact": bool(response and response.contact_shared)})
    response_form.share_contact.label.text = challenges.contact_consent_text(challenge)
    responded = {r.clinician_id for r in challenge.responses}
    return render_template(
        "community/challenge.html", challenge=challenge, company=company, response=response,
        response_form=response_form, comment_form=comment_form or CommentForm(),
        comments=comments.visible_comments(challenge, viewer),
        suggestions=sorted(challenge.suggestions, key=lambda s: s.rank) if company else [],
        responded=responded, pseudonym=lambda user_id: suggestions.pseudonym(challenge, user_id),
        contact_for=challenges.contact_for,
    ), status


def _back_to(challenge: Challenge, anchor: str | None = None):
    return redirect(url_for("community.challenge", challenge_id=challenge.id, _anchor=anchor))


@bp.route("/challenges/<int:challenge_id>/status", methods=["POST"])
@policy.guard("community.manage_challenge")
def challenge_status(challenge_id: int):
    challenge = policy.load(Challenge, challenge_id)
    wanted = request.form.get("status", "")
    if wanted not in {s.value for s in ChallengeStatus}:
        abort(400)
    challenges.set_challenge_status(challenge, current_actor(), ChallengeStatus(wanted))
    db.session.commit()
    flash(_("The challenge is closed.") if wanted == "closed" else _("The challenge is open again."), "success")
    return _back_to(challenge)


@bp.route("/challenges/<int:challenge_id>/suggestions", methods=["POST"])
@policy.guard("community.manage_challenge")
def refresh_suggestions(challenge_id: int):
    challenge = policy.load(Challenge, challenge_id)
    suggestions.refresh_suggestions(challenge)
    db.session.commit()
    flash(_("The suggestions were recomputed."), "success")
    return _back_to(challenge, "suggestions")


@bp.route("/challenges/<int:challenge_id>/suggestions/<int:suggestion_id>/invite", methods=["POST"])
@policy.guard("community.manage_challenge")
def invite(challenge_id: int, suggestion_id: int):
    challenge = policy.load(Challenge, challenge_id)
    suggestion = next((s for s in challenge.suggestions if s.id == suggestion_id), None)
    if suggestion is None:
        abort(404)
    invited = suggestions.invite(suggestion, current_actor())
    db.session.commit()
    flash(_("The clinician was invited. Their contact details reach you only if they reply and agree.")
          if invited else _("This clinician was already invited."), "success" if invited else "info")
    return _back_to(challenge, "suggestions")


@bp.route("/challenges/<int:challenge_id>/respond", methods=["POST"])
@policy.guard("community.respond")
def respond(challenge_id: int):
    challenge = policy.load(Challenge, challenge_id)
    form = ResponseForm()
    sent = attempt(form, lambda: challenges.respond(challenge, current_actor(), form.message.data,
                                                    form.offer_help.data, form.share_contact.data))
    if sent.done:
        flash(_("Your reply was sent to the company."), "success")
        return _back_to(challenge, "my-response")
    return _render_challenge(challenge, response_form=form, status=sent.status)


@bp.route("/responses/<int:response_id>/revoke", methods=["POST"])
@policy.guard("community.own_response")
def revoke_contact(response_id: int):
    response = policy.load(ChallengeResponse, response_id)
    if response.contact_shared:
        challenges.revoke_contact(response, current_actor())
        db.session.commit()
    flash(_("Your contact details are no longer shown to the company."), "success")
    return _back_to(response.challenge, "my-response")


@bp.route("/challenges/<int:challenge_id>/comments", methods=["POST"])
@policy.guard("community.engage")
def comment_challenge(challenge_id: int):
    challenge = policy.load(Challenge, challenge_id)
    form = CommentForm()
    posted = attempt(form, lambda: comments.add_comment(challenge, current_actor(), form.text.data))
    if posted.done:
        return _back_to(challenge, f"comment-{posted.result.id}")
    return _render_challenge(challenge, comment_form=form, status=posted.status)
