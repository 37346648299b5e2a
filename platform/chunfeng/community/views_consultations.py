"""Consultations and the FAQ: the consultation desk, asking, a question's page with its answer, the asker's
publication consent, publishing in the FAQ, and the public FAQ."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from .. import policy
from ..core.web import current_actor, requested_page
from ..extensions import db
from . import consultations as desk
from . import slots
from .blueprint import PER_PAGE, attempt, bp
from .forms import AnswerForm, ConsultationForm, FaqForm
from .models import Consultation

VIEW = "community.view_consultation"


@bp.route("/consultations")
@policy.guard("community.consultations")
def consultations():
    user = current_actor()
    answerer = policy.can(user, "community.answer")
    status = request.args.get("status", "open")
    return render_template(
        "community/consultations.html", answerer=answerer, status=status,
        queue=desk.consultation_queue(status) if answerer else [],
        mine=desk.consultations_of(user), bookings=slots.bookings_of(user))


@bp.route("/consultations/new", methods=["GET", "POST"])
@policy.guard("community.consult")
def ask():
    form = ConsultationForm()
    asked = attempt(form, lambda: desk.ask(current_actor(), form.category.data, form.question.data,
                                           form.publish_consent.data))
    if asked.done:
        flash(_("Your question was sent. You will be notified when it is answered."), "success")
        return _back_to(asked.result)
    return render_template("community/consultation_form.html", form=form), asked.status


def _back_to(consultation: Consultation):
    return redirect(url_for("community.consultation", consultation_id=consultation.id))


@bp.route("/consultations/<int:consultation_id>")
@policy.guard("community.consultations")
def consultation(consultation_id: int):
    return _render_consultation(policy.load(Consultation, consultation_id, VIEW))


def _render_consultation(consultation: Consultation, answer_form=None, faq_form=None, status: int = 200):
    answer_form = answer_form or AnswerForm(obj=consultation)
    faq_form = faq_form or FaqForm(data={"faq_question": consultation.faq_question or consultation.question,
                                         "faq_answer": consultation.faq_answer or consultation.answer})
    return render_template("community/consultation.html", consultation=consultation, answer_form=answer_form,
                           faq_form=faq_form, consent_text=desk.publish_consent_text()), status


def _staff_form(consultation_id: int, form, field: str, action, done: str):
    """An answerer's or publisher's form on a question's page: run `action(consultation, form)` or show the form
    again (as `field`) with what was wrong."""
    consultation = policy.load(Consultation, consultation_id, VIEW)
    saved = attempt(form, lambda: action(consultation, form))
    if not saved.done:
        return _render_consultation(consultation, **{field: form}, status=saved.status)
    flash(done, "success")
    return _back_to(consultation)


@bp.route("/consultations/<int:consultation_id>/answer", methods=["POST"])
@policy.guard("community.answer")
def answer(consultation_id: int):
    return _staff_form(consultation_id, AnswerForm(), "answer_form",
                       lambda consultation, form: desk.answer(consultation, current_actor(), form.answer.data),
                       _("The answer was saved and the person who asked was notified."))


@bp.route("/consultations/<int:consultation_id>/consent", methods=["POST"])
@policy.guard("community.own_consultation")
def faq_consent(consultation_id: int):
    consultation = policy.load(Consultation, consultation_id)
    allow = request.form.get("allow") == "1"
    desk.set_publish_consent(consultation, current_actor(), allow)
    db.session.commit()
    flash(_("Thank you: the platform may publish an anonymised version.") if allow
          else _("Your question will not be published in the FAQ."), "success")
    return _back_to(consultation)


@bp.route("/consultations/<int:consultation_id>/publish", methods=["POST"])
@policy.guard("community.publish_faq")
def publish_faq(consultation_id: int):
    return _staff_form(consultation_id, FaqForm(), "faq_form",
                       lambda consultation, form: desk.publish_faq(
                           consultation, current_actor(), form.faq_question.data, form.faq_answer.data),
                       _("Published in the FAQ."))


@bp.route("/consultations/<int:consultation_id>/unpublish", methods=["POST"])
@policy.guard("community.publish_faq")
def unpublish_faq(consultation_id: int):
    consultation = policy.load(Consultation, consultation_id, VIEW)
    desk.unpublish_faq(consultation, current_actor())
    db.session.commit()
    flash(_("Removed from the FAQ."), "success")
    return _back_to(consultation)


@bp.route("/faq")
@policy.public
def faq():
    query, category = request.args.get("q", "").strip(), request.args.get("category", "")
    page = requested_page(desk.faq_listing(query, category), PER_PAGE)
    return render_template("community/faq.html", page=page, query=query, category=category)
