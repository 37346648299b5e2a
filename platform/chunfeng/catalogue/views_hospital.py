"""Hospitals: which office a member works for, the listed products and the hospital's own assessments; declaring
interest, deciding, committee opinions, purchase orders and the first clinical use."""

from __future__ import annotations

from flask import redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from .. import policy
from ..core.web import current_actor
from ..db import db
from . import admission, purchases
from .access import amounts_view_is_audited
from .blueprint import bp, refused, saved
from .forms import DecisionForm, FirstUseForm, FunctionForm, InterestForm, OpinionForm, OrderForm
from .models import Assessment, HospitalFunction, Listing, ListingStatus


@bp.route("/catalogue/hospital")
@policy.guard("catalogue.hospital")
def hospital():
    user = current_actor()
    function = admission.hospital_function(user)
    mine = db.session.scalars(select(Assessment).where(Assessment.hospital_id == user.organization_id)
                              .order_by(Assessment.received_on.desc())).all()
    taken = {a.listing_id for a in mine}
    listed = db.session.scalars(select(Listing).where(Listing.status == ListingStatus.LISTED)
                                .order_by(Listing.listed_on.desc())).all()
    return render_template("catalogue/hospital.html", function=function, assessments=mine, timer=admission.timer,
                           available=[item for item in listed if item.id not in taken],
                           function_form=FunctionForm(formdata=None, function=function.value if function else None),
                           interest_form=InterestForm(formdata=None))


@bp.route("/catalogue/hospital/function", methods=["POST"])
@policy.guard("catalogue.hospital")
def set_function():
    form = FunctionForm()
    if form.validate():
        saved(lambda: admission.set_function(current_actor(), HospitalFunction(form.function.data)), None,
              _("Saved: you act for this office of your hospital."))
        return redirect(url_for("catalogue.hospital"))
    return refused(_("Please choose your office."))


@bp.route("/catalogue/product/<int:listing_id>/interest", methods=["POST"])
@policy.guard("catalogue.declare")
def declare(listing_id: int):
    item = policy.load(Listing, listing_id)
    form = InterestForm()
    created = []
    if form.validate() and saved(
            lambda: created.append(admission.declare_interest(item, current_actor(), form.received_on.data)),
            form, _("Your hospital has received the product for admission assessment.")):
        return redirect(url_for("catalogue.assessment", assessment_id=created[0].id))
    message = "; ".join(str(e) for errors in form.errors.values() for e in errors)
    return refused(message or _("Please check the date of receipt."))


def _assessment_page(assessment: Assessment, status: int = 200, **forms):
    user = current_actor()
    show_amounts = policy.can(user, "catalogue.amounts", assessment)
    if show_amounts and assessment.orders and amounts_view_is_audited(user, assessment):
        purchases.record_amounts_view(assessment, user)
        db.session.commit()
    own_opinion = next((o for o in assessment.opinions if o.member_id == user.id), None)
    return render_template(
        "catalogue/assessment.html", assessment=assessment, listing=assessment.listing,
        clock=admission.timer(assessment), events=admission.allowed_events(assessment),
        may_edit=policy.can(user, "catalogue.assessment_edit", assessment),
        may_opine=policy.can(user, "catalogue.opinion", assessment), show_amounts=show_amounts,
        decision_form=forms.get("decision_form") or DecisionForm(formdata=None),
        opinion_form=forms.get("opinion_form") or OpinionForm(
            formdata=None, vote=own_opinion.vote.value if own_opinion else None,
            comment=own_opinion.comment if own_opinion else ""),
        order_form=forms.get("order_form") or OrderForm(formdata=None),
        first_use_form=forms.get("first_use_form") or FirstUseForm(formdata=None, first_use_on=assessment.first_use_on),
    ), status


def _back(assessment: Assessment):
    return redirect(url_for("catalogue.assessment", assessment_id=assessment.id))


@bp.route("/catalogue/assessment/<int:assessment_id>")
@policy.guard("catalogue.assessment")
def assessment(assessment_id: int):
    return _assessment_page(policy.load(Assessment, assessment_id))


@bp.route("/catalogue/assessment/<int:assessment_id>/decide", methods=["POST"])
@policy.guard("catalogue.assessment_edit")
def decide(assessment_id: int):
    item = policy.load(Assessment, assessment_id)
    form = DecisionForm()
    if form.validate() and saved(lambda: admission.change(item, form.event.data, current_actor(), form.reason.data,
                                                          form.decided_on.data), form, _("The assessment is updated.")):
        return _back(item)
    return _assessment_page(item, 400, decision_form=form)


@bp.route("/catalogue/assessment/<int:assessment_id>/opinion", methods=["POST"])
@policy.guard("catalogue.opinion")
def opinion(assessment_id: int):
    item = policy.load(Assessment, assessment_id)
    form = OpinionForm()
    if form.validate() and saved(lambda: admission.record_opinion(item, current_actor(), form.vote.data,
                                                                  form.comment.data or ""),
                                 form, _("Your opinion is recorded.")):
        return _back(item)
    return _assessment_page(item, 400, opinion_form=form)


@bp.route("/catalogue/assessment/<int:assessment_id>/order", methods=["POST"])
@policy.guard("catalogue.assessment_edit")
def order(assessment_id: int):
    item = policy.load(Assessment, assessment_id)
    form = OrderForm()
    if form.validate() and saved(lambda: purchases.record_order(item, current_actor(), form.ordered_on.data,
                                                                form.quantity.data, form.amount.data),
                                 form, _("The purchase order is recorded.")):
        return _back(item)
    return _assessment_page(item, 400, order_form=form)


@bp.route("/catalogue/assessment/<int:assessment_id>/first-use", methods=["POST"])
@policy.guard("catalogue.assessment_edit")
def first_use(assessment_id: int):
    item = policy.load(Assessment, assessment_id)
    form = FirstUseForm()
    if form.validate() and saved(lambda: purchases.record_first_use(item, current_actor(), form.first_use_on.data),
                                 form, _("The first clinical use is recorded.")):
        return _back(item)
    return _assessment_page(item, 400, first_use_form=form)
