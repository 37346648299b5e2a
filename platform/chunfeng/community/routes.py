"""Community pages: needs, challenges, consultations and appointments, the FAQ, search and moderation."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .. import policy
from ..core.shell import NavItem, Offer, Panel
from ..extensions import db
from ..submissions.forms import SPECIALTIES
from . import access, services
from .forms import (
    CATEGORY_LABELS,
    KIND_LABELS,
    REASON_LABELS,
    VISIBILITY_LABELS,
    AnswerForm,
    BookingForm,
    ChallengeForm,
    CommentForm,
    ConsultationForm,
    FaqForm,
    NeedForm,
    ReportForm,
    ResponseForm,
    SlotForm,
)
from .models import (
    Booking,
    Challenge,
    ChallengeResponse,
    ChallengeStatus,
    ChallengeSuggestion,
    ClinicalNeed,
    Consultation,
    ReportStatus,
    TimeSlot,
)
from .models import Report as ReportEntry

bp = Blueprint("community", __name__, url_prefix="/community")



def pending_invitations(_sender, user) -> list[tuple[str, str]]:
    return [(_("%(company)s invites you to share your clinical view on \"%(title)s\".",
               company=s.challenge.organization.name, title=s.challenge.title),
             url_for("community.challenge", challenge_id=s.challenge_id))
            for s in services.invitations_for(user)]


PER_PAGE = 20


@bp.app_context_processor
def community_labels():
    return {"community_labels": {"visibility": VISIBILITY_LABELS, "kind": KIND_LABELS,
                                 "category": CATEGORY_LABELS, "reason": REASON_LABELS}}


@bp.app_template_filter("community_why")
def why_label(reason: str) -> str:
    """A stored suggestion reason in the reader's language: a shared term, or the matching specialty."""
    if reason.startswith(services.SPECIALTY_REASON):
        return _("same specialty: %(name)s", name=reason.removeprefix(services.SPECIALTY_REASON))
    return reason


def _user():
    return current_user._get_current_object()


def _get(model, object_id: int):
    obj = db.session.get(model, object_id)
    if obj is None:
        abort(404)
    return obj


def _need(need_id: int, action: str = "community.view_need") -> ClinicalNeed:
    need = _get(ClinicalNeed, need_id)
    if action == "community.view_need":
        if not access.community_may(current_user, action, need):
            abort(404)
    else:
        policy.authorize(action, need)
    return need


def _challenge(challenge_id: int, action: str = "community.view_challenge") -> Challenge:
    challenge = _get(Challenge, challenge_id)
    policy.authorize(action, challenge)
    return challenge


def _refused(form, error: services.CommunityError) -> int:
    """Put a refusal next to its field (or at the top) and give the status code to answer with."""
    if error.field and form is not None and error.field in form:
        form[error.field].errors = [*form[error.field].errors, str(error)]
    else:
        flash(str(error), "danger")
    return 429 if isinstance(error, services.RateLimited) else 400


def _page() -> int:
    return max(request.args.get("page", 1, type=int), 1)


# --- clinical needs ---------------------------------------------------------------------------------------

@bp.route("/")
@policy.public
def index():
    query, specialty = request.args.get("q", "").strip(), request.args.get("specialty", "").strip()
    sort = request.args.get("sort", "recent")
    page = db.paginate(services.need_listing(current_user, query, specialty, sort), page=_page(),
                       per_page=PER_PAGE, error_out=False)
    return render_template(
        "community/index.html", page=page, counts=services.need_counts(n.id for n in page.items),
        query=query, specialty=specialty, sort=sort, specialties=services.known_specialties(current_user))


@bp.route("/needs/new", methods=["GET", "POST"])
@policy.guard("community.post_need")
def new_need():
    form = NeedForm(data={"specialty": current_user.department})
    status = 200
    if form.validate_on_submit():
        try:
            need = services.create_need(_user(), **form.data)
        except services.CommunityError as error:
            status = _refused(form, error)
        else:
            db.session.commit()
            flash(_("Your clinical need is posted."), "success")
            return redirect(url_for("community.need", need_id=need.id))
    elif form.errors:
        status = 400
    return render_template("community/need_form.html", form=form, need=None, specialties=SPECIALTIES), status


@bp.route("/needs/<int:need_id>/edit", methods=["GET", "POST"])
@policy.guard("community.post_need")
def edit_need(need_id: int):
    need = _need(need_id, "community.edit_need")
    form = NeedForm(obj=need)
    if form.validate_on_submit():
        services.update_need(need, _user(), **form.data)
        db.session.commit()
        flash(_("Your changes are saved."), "success")
        return redirect(url_for("community.need", need_id=need.id))
    return render_template("community/need_form.html", form=form, need=need, specialties=SPECIALTIES), \
        400 if form.errors else 200


@bp.route("/needs/<int:need_id>")
@policy.public
def need(need_id: int):
    need = _need(need_id)
    return _render_need(need, CommentForm())


def _render_need(need: ClinicalNeed, comment_form: CommentForm, status: int = 200):
    project_link = None
    if need.converted_project_id and need.author_id == getattr(current_user, "id", None):
        project_link = url_for("submissions.project", project_id=need.converted_project_id)
    return render_template(
        "community/need.html", need=need, counts=services.need_counts([need.id])[need.id],
        marks=services.user_marks(need, current_user), comments=services.visible_comments(need, current_user),
        comment_form=comment_form, project_link=project_link,
    ), status


@bp.route("/needs/<int:need_id>/follow", methods=["POST"])
@policy.guard("community.engage")
def follow_need(need_id: int):
    need = _need(need_id, "community.engage")
    following = services.toggle_follow(need, _user())
    db.session.commit()
    flash(_("You follow this need: new comments will be notified to you.") if following
          else _("You no longer follow this need."), "success")
    return redirect(url_for("community.need", need_id=need.id))


@bp.route("/needs/<int:need_id>/see-too", methods=["POST"])
@policy.guard("community.see_too")
def see_too(need_id: int):
    need = _need(need_id, "community.see_too")
    marked = services.toggle_see_too(need, _user())
    db.session.commit()
    flash(_("Thank you: your experience adds weight to this need.") if marked
          else _("Your \"I see this too\" was taken back."), "success")
    return redirect(url_for("community.need", need_id=need.id))


@bp.route("/needs/<int:need_id>/comments", methods=["POST"])
@policy.guard("community.engage")
def comment_need(need_id: int):
    need = _need(need_id, "community.engage")
    form = CommentForm()
    if form.validate_on_submit():
        try:
            comment = services.add_comment(need, _user(), form.text.data)
        except services.CommunityError as error:
            return _render_need(need, form, _refused(form, error))
        db.session.commit()
        return redirect(url_for("community.need", need_id=need.id, _anchor=f"comment-{comment.id}"))
    return _render_need(need, form, 400)


@bp.route("/needs/<int:need_id>/convert", methods=["POST"])
@policy.guard("community.post_need")
def convert_need(need_id: int):
    need = _need(need_id, "community.convert_need")
    project = services.convert_need(need, _user())
    db.session.commit()
    flash(_("A draft project was created from your need. Complete its sections and submit it when ready; "
            "the project stays private to you until then."), "success")
    return redirect(url_for("submissions.project", project_id=project.id))


# --- company challenges -----------------------------------------------------------------------------------

@bp.route("/challenges")
@policy.guard("community.view_challenge")
def challenges():
    query, specialty = request.args.get("q", "").strip(), request.args.get("specialty", "").strip()
    status = request.args.get("status", "open")
    page = db.paginate(services.challenge_listing(current_user, query, specialty, status), page=_page(),
                       per_page=PER_PAGE, error_out=False)
    return render_template("community/challenges.html", page=page, query=query, specialty=specialty,
                           status=status, specialties=services.known_specialties(current_user))


@bp.route("/challenges/new", methods=["GET", "POST"])
@policy.guard("community.post_challenge")
def new_challenge():
    form = ChallengeForm()
    status = 200
    if form.validate_on_submit():
        try:
            challenge = services.create_challenge(_user(), **form.data)
        except services.CommunityError as error:
            status = _refused(form, error)
        else:
            db.session.commit()
            flash(_("Your challenge is posted. Suggested clinicians are listed below."), "success")
            return redirect(url_for("community.challenge", challenge_id=challenge.id))
    elif form.errors:
        status = 400
    return render_template("community/challenge_form.html", form=form, challenge=None,
                           specialties=SPECIALTIES), status


@bp.route("/challenges/<int:challenge_id>/edit", methods=["GET", "POST"])
@policy.guard("community.manage_challenge")
def edit_challenge(challenge_id: int):
    challenge = _challenge(challenge_id, "community.manage_challenge")
    form = ChallengeForm(obj=challenge)
    if form.validate_on_submit():
        services.update_challenge(challenge, _user(), **form.data)
        db.session.commit()
        flash(_("Your changes are saved and the suggestions were updated."), "success")
        return redirect(url_for("community.challenge", challenge_id=challenge.id))
    return render_template("community/challenge_form.html", form=form, challenge=challenge,
                           specialties=SPECIALTIES), 400 if form.errors else 200


@bp.route("/challenges/<int:challenge_id>")
@policy.guard("community.view_challenge")
def challenge(challenge_id: int):
    challenge = _challenge(challenge_id)
    return _render_challenge(challenge)


def _render_challenge(challenge: Challenge, comment_form=None, response_form=None, status: int = 200):
    viewer = _user()
    company = policy.can(viewer, "community.manage_challenge", challenge)
    response = services.own_response(challenge, viewer)
    if response_form is None:
        response_form = ResponseForm(obj=response, data={"share_contact": bool(response and response.contact_shared)})
    response_form.share_contact.label.text = services.contact_consent_text(challenge)
    responded = {r.clinician_id for r in challenge.responses}
    return render_template(
        "community/challenge.html", challenge=challenge, company=company, response=response,
        response_form=response_form, comment_form=comment_form or CommentForm(),
        comments=services.visible_comments(challenge, viewer),
        suggestions=sorted(challenge.suggestions, key=lambda s: s.rank) if company else [],
        responded=responded, pseudonym=lambda user_id: services.pseudonym(challenge, user_id),
        contact_for=services.contact_for,
    ), status


@bp.route("/challenges/<int:challenge_id>/status", methods=["POST"])
@policy.guard("community.manage_challenge")
def challenge_status(challenge_id: int):
    challenge = _challenge(challenge_id, "community.manage_challenge")
    wanted = request.form.get("status", "")
    if wanted not in {s.value for s in ChallengeStatus}:
        abort(400)
    services.set_challenge_status(challenge, _user(), ChallengeStatus(wanted))
    db.session.commit()
    flash(_("The challenge is closed.") if wanted == "closed" else _("The challenge is open again."), "success")
    return redirect(url_for("community.challenge", challenge_id=challenge.id))


@bp.route("/challenges/<int:challenge_id>/suggestions", methods=["POST"])
@policy.guard("community.manage_challenge")
def refresh_suggestions(challenge_id: int):
    challenge = _challenge(challenge_id, "community.manage_challenge")
    services.refresh_suggestions(challenge)
    db.session.commit()
    flash(_("The suggestions were recomputed."), "success")
    return redirect(url_for("community.challenge", challenge_id=challenge.id, _anchor="suggestions"))


@bp.route("/challenges/<int:challenge_id>/suggestions/<int:suggestion_id>/invite", methods=["POST"])
@policy.guard("community.manage_challenge")
def invite(challenge_id: int, suggestion_id: int):
    challenge = _challenge(challenge_id, "community.manage_challenge")
    suggestion = _get(ChallengeSuggestion, suggestion_id)
    if suggestion.challenge_id != challenge.id:
        abort(404)
    invited = services.invite(suggestion, _user())
    db.session.commit()
    flash(_("The clinician was invited. Their contact details reach you only if they reply and agree.")
          if invited else _("This clinician was already invited."), "success" if invited else "info")
    return redirect(url_for("community.challenge", challenge_id=challenge.id, _anchor="suggestions"))


@bp.route("/challenges/<int:challenge_id>/respond", methods=["POST"])
@policy.guard("community.respond")
def respond(challenge_id: int):
    challenge = _challenge(challenge_id, "community.respond")
    form = ResponseForm()
    if form.validate_on_submit():
        try:
            services.respond(challenge, _user(), form.message.data, form.offer_help.data, form.share_contact.data)
        except services.CommunityError as error:
            return _render_challenge(challenge, response_form=form, status=_refused(form, error))
        db.session.commit()
        flash(_("Your reply was sent to the company."), "success")
        return redirect(url_for("community.challenge", challenge_id=challenge.id, _anchor="my-response"))
    return _render_challenge(challenge, response_form=form, status=400)


@bp.route("/responses/<int:response_id>/revoke", methods=["POST"])
@policy.guard("community.own_response")
def revoke_contact(response_id: int):
    response = _get(ChallengeResponse, response_id)
    policy.authorize("community.own_response", response)
    if response.contact_shared:
        services.revoke_contact(response, _user())
        db.session.commit()
    flash(_("Your contact details are no longer shown to the company."), "success")
    return redirect(url_for("community.challenge", challenge_id=response.challenge_id, _anchor="my-response"))


@bp.route("/challenges/<int:challenge_id>/comments", methods=["POST"])
@policy.guard("community.engage")
def comment_challenge(challenge_id: int):
    challenge = _challenge(challenge_id, "community.engage")
    form = CommentForm()
    if form.validate_on_submit():
        try:
            comment = services.add_comment(challenge, _user(), form.text.data)
        except services.CommunityError as error:
            return _render_challenge(challenge, comment_form=form, status=_refused(form, error))
        db.session.commit()
        return redirect(url_for("community.challenge", challenge_id=challenge.id, _anchor=f"comment-{comment.id}"))
    return _render_challenge(challenge, comment_form=form, status=400)


# --- consultations, FAQ and appointments -----------------------------------------------------------------

@bp.route("/consultations")
@policy.guard("community.consultations")
def consultations():
    user = _user()
    answerer = policy.can(user, "community.answer")
    status = request.args.get("status", "open")
    return render_template(
        "community/consultations.html", answerer=answerer, status=status,
        queue=services.consultation_queue(status) if answerer else [],
        mine=services.consultations_of(user), bookings=services.bookings_of(user))


@bp.route("/consultations/new", methods=["GET", "POST"])
@policy.guard("community.consult")
def ask():
    form = ConsultationForm()
    status = 200
    if form.validate_on_submit():
        try:
            consultation = services.ask(_user(), form.category.data, form.question.data, form.publish_consent.data)
        except services.CommunityError as error:
            status = _refused(form, error)
        else:
            db.session.commit()
            flash(_("Your question was sent. You will be notified when it is answered."), "success")
            return redirect(url_for("community.consultation", consultation_id=consultation.id))
    elif form.errors:
        status = 400
    return render_template("community/consultation_form.html", form=form), status


def _consultation(consultation_id: int) -> Consultation:
    consultation = _get(Consultation, consultation_id)
    policy.authorize("community.view_consultation", consultation)
    return consultation


@bp.route("/consultations/<int:consultation_id>")
@policy.guard("community.consultations")
def consultation(consultation_id: int):
    return _render_consultation(_consultation(consultation_id))


def _render_consultation(consultation: Consultation, answer_form=None, faq_form=None, status: int = 200):
    answer_form = answer_form or AnswerForm(obj=consultation)
    faq_form = faq_form or FaqForm(data={"faq_question": consultation.faq_question or consultation.question,
                                         "faq_answer": consultation.faq_answer or consultation.answer})
    return render_template("community/consultation.html", consultation=consultation, answer_form=answer_form,
                           faq_form=faq_form, consent_text=services.publish_consent_text()), status


@bp.route("/consultations/<int:consultation_id>/answer", methods=["POST"])
@policy.guard("community.answer")
def answer(consultation_id: int):
    consultation = _consultation(consultation_id)
    form = AnswerForm()
    if not form.validate_on_submit():
        return _render_consultation(consultation, answer_form=form, status=400)
    services.answer(consultation, _user(), form.answer.data)
    db.session.commit()
    flash(_("The answer was saved and the person who asked was notified."), "success")
    return redirect(url_for("community.consultation", consultation_id=consultation.id))


@bp.route("/consultations/<int:consultation_id>/consent", methods=["POST"])
@policy.guard("community.consult")
def faq_consent(consultation_id: int):
    consultation = _consultation(consultation_id)
    if consultation.asker_id != current_user.id:
        abort(404)
    allow = request.form.get("allow") == "1"
    services.set_publish_consent(consultation, _user(), allow)
    db.session.commit()
    flash(_("Thank you: the platform may publish an anonymised version.") if allow
          else _("Your question will not be published in the FAQ."), "success")
    return redirect(url_for("community.consultation", consultation_id=consultation.id))


@bp.route("/consultations/<int:consultation_id>/publish", methods=["POST"])
@policy.guard("community.publish_faq")
def publish_faq(consultation_id: int):
    consultation = _consultation(consultation_id)
    form = FaqForm()
    if not form.validate_on_submit():
        return _render_consultation(consultation, faq_form=form, status=400)
    try:
        services.publish_faq(consultation, _user(), form.faq_question.data, form.faq_answer.data)
    except services.CommunityError as error:
        return _render_consultation(consultation, faq_form=form, status=_refused(form, error))
    db.session.commit()
    flash(_("Published in the FAQ."), "success")
    return redirect(url_for("community.consultation", consultation_id=consultation.id))


@bp.route("/consultations/<int:consultation_id>/unpublish", methods=["POST"])
@policy.guard("community.publish_faq")
def unpublish_faq(consultation_id: int):
    consultation = _consultation(consultation_id)
    services.unpublish_faq(consultation, _user())
    db.session.commit()
    flash(_("Removed from the FAQ."), "success")
    return redirect(url_for("community.consultation", consultation_id=consultation.id))


@bp.route("/faq")
@policy.public
def faq():
    query, category = request.args.get("q", "").strip(), request.args.get("category", "")
    page = db.paginate(services.faq_listing(query, category), page=_page(), per_page=PER_PAGE, error_out=False)
    return render_template("community/faq.html", page=page, query=query, category=category)


@bp.route("/slots")
@policy.guard("community.consultations")
def slots():
    return _render_slots(SlotForm())


def _render_slots(slot_form: SlotForm, status: int = 200):
    user = _user()
    manager = policy.can(user, "community.manage_slots")
    booked = {b.slot_id for b in services.bookings_of(user)}
    return render_template("community/slots.html", slots=services.upcoming_slots(), booked=booked,
                           booking_form=BookingForm(), slot_form=slot_form, manager=manager,
                           managed=services.managed_slots(user) if manager else []), status


@bp.route("/slots/new", methods=["POST"])
@policy.guard("community.manage_slots")
def new_slot():
    form = SlotForm()
    if not form.validate_on_submit():
        return _render_slots(form, 400)
    try:
        services.create_slot(_user(), form.starts_at.data, form.minutes.data, form.capacity.data,
                             form.online.data == "1", form.location.data, form.topic.data or "")
    except services.CommunityError as error:
        return _render_slots(form, _refused(form, error))
    db.session.commit()
    flash(_("The time slot is published."), "success")
    return redirect(url_for("community.slots"))


@bp.route("/slots/<int:slot_id>/book", methods=["POST"])
@policy.guard("community.book")
def book(slot_id: int):
    slot = _get(TimeSlot, slot_id)
    form = BookingForm()
    if not form.validate_on_submit():
        flash(_("Please say briefly what you would like to discuss."), "danger")
        return redirect(url_for("community.slots"))
    try:
        services.book(slot, _user(), form.topic.data)
    except services.CommunityError as error:
        db.session.rollback()
        flash(str(error), "danger")
        return _render_slots(SlotForm(), 409)
    db.session.commit()
    flash(_("Your appointment is booked."), "success")
    return redirect(url_for("community.consultations"))


@bp.route("/bookings/<int:booking_id>/cancel", methods=["POST"])
@policy.guard("community.book")
def cancel_booking(booking_id: int):
    booking = _get(Booking, booking_id)
    policy.authorize("community.own_booking", booking)
    services.cancel_booking(booking, _user())
    db.session.commit()
    flash(_("Your appointment is cancelled."), "success")
    return redirect(url_for("community.consultations"))


@bp.route("/slots/<int:slot_id>/cancel", methods=["POST"])
@policy.guard("community.manage_slots")
def cancel_slot(slot_id: int):
    slot = _get(TimeSlot, slot_id)
    policy.authorize("community.manage_slots", slot)
    services.cancel_slot(slot, _user())
    db.session.commit()
    flash(_("The time slot is cancelled and the people who booked it were notified."), "success")
    return redirect(url_for("community.slots"))


# --- search -----------------------------------------------------------------------------------------------

@bp.route("/search")
@policy.public
def search():
    query, specialty = request.args.get("q", "").strip(), request.args.get("specialty", "").strip()
    kind = request.args.get("type", "")
    kind = kind if kind in services.SEARCH_KINDS else ""
    results = services.search(current_user, query, kind, specialty)
    return render_template("community/search.html", results=results, query=query, kind=kind,
                           specialty=specialty, specialties=services.known_specialties(current_user))


# --- moderation -------------------------------------------------------------------------------------------

def _target(kind: str, target_id: int):
    obj = services.load_target(kind, target_id)
    if obj is None or not services.can_view_target(_user(), obj):
        abort(404)
    return obj


@bp.route("/report/<kind>/<int:target_id>", methods=["GET", "POST"])
@policy.guard("community.report")
def report(kind: str, target_id: int):
    obj = _target(kind, target_id)
    form = ReportForm()
    if form.validate_on_submit():
        services.report(_user(), obj, form.reason_kind.data, form.reason.data or "")
        db.session.commit()
        flash(_("Thank you. The administrators will look at your report."), "success")
        return redirect(services.target_link(obj))
    return render_template("community/report.html", form=form, target=obj, kind=kind), 400 if form.errors else 200


@bp.route("/admin/reports")
@policy.guard("community.moderate")
def moderation():
    status = request.args.get("status", "open")
    show_hidden = status == "hidden"
    return render_template(
        "community/moderation.html", status=status, statuses=[s.value for s in ReportStatus],
        reports=[] if show_hidden else services.report_queue(status),
        hidden=services.hidden_content() if show_hidden else [], kind_of=services.target_kind,
        link_of=services.target_link)


@bp.route("/admin/reports/<int:report_id>/dismiss", methods=["POST"])
@policy.guard("community.moderate")
def dismiss_report(report_id: int):
    services.dismiss_report(_get(ReportEntry, report_id), _user())
    db.session.commit()
    flash(_("The report was dismissed."), "success")
    return redirect(url_for("community.moderation"))


@bp.route("/admin/<kind>/<int:target_id>/visibility", methods=["POST"])
@policy.guard("community.moderate")
def set_hidden(kind: str, target_id: int):
    obj = _target(kind, target_id)
    hide = request.form.get("hidden") == "1"
    services.set_hidden(obj, hide, _user())
    db.session.commit()
    flash(_("The content is hidden.") if hide else _("The content is visible again."), "success")
    back = request.form.get("next", "")
    return redirect(back if back.startswith("/community/") else url_for("community.moderation"))


NAV = Offer(
    NavItem("community.index", _l("Community"), policy.PUBLIC, order=60),
    NavItem("community.consultations", _l("Consultations"), "community.consultations", order=61),
)
PANELS = Offer(
    Panel("community/_panel.html", "community.member", services.panel_context, order=70),
)
