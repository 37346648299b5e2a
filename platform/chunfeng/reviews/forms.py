from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    FloatField,
    FormField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..forms import MultiCheckboxField, choices
from ..submissions.models import PATHWAY_LABELS
from .models import DECLINE_REASON_LABELS, OUTCOME_LABELS, Rubric
from .reviewing import SCALE

CONFIDENCE_LABELS = {1: _l("Familiar with this field"), 2: _l("Somewhat familiar"), 3: _l("Not familiar")}
OVERALL_LABELS = {
    5: _l("Excellent: strongly recommend"), 4: _l("Good: recommend"), 3: _l("Fair: recommend with reservations"),
    2: _l("Weak: hardly recommendable"), 1: _l("Poor: do not recommend"),
}


class _SubForm(FlaskForm):
    """A form nested in another (FieldList rows): translated messages, no CSRF token of its own."""

    class Meta:
        csrf = False


# --- rounds ------------------------------------------------------------------------------------------------

class RoundForm(FlaskForm):
    name = StringField(_l("Round name"), validators=[DataRequired(), Length(max=100)],
                       description=_l("For example 2026年春季批次"))
    description = TextAreaField(_l("Description (optional)"), validators=[Optional(), Length(max=2000)])
    opens_on = DateField(_l("Opens on"), validators=[InputRequired()])
    closes_on = DateField(_l("Submissions close on"), validators=[InputRequired()])
    review_deadline = DateField(_l("Review deadline"), validators=[InputRequired()])
    rubric_id = SelectField(_l("Rubric version"), coerce=int, validators=[InputRequired()])
    experts_per_project = IntegerField(_l("Experts per project"), default=3,
                                       validators=[InputRequired(), NumberRange(1, 12)])
    band_priority = IntegerField(_l("Priority incubation band (total at least)"), default=80,
                                 validators=[InputRequired(), NumberRange(1, 100)])
    band_selected = IntegerField(_l("Selection band (total at least)"), default=60,
                                 validators=[InputRequired(), NumberRange(0, 99)])
    disagreement_sd = FloatField(_l("Disagreement flag: total SD at least"), default=15,
                                 validators=[InputRequired(), NumberRange(1, 100)])
    disagreement_range = IntegerField(_l("Disagreement flag: a criterion's range at least"), default=3,
                                      validators=[InputRequired(), NumberRange(1, 4)])
    calibration_min_reviews = IntegerField(_l("Calibrate reviewers with at least this many reviews"), default=2,
                                           validators=[InputRequired(), NumberRange(2, 50)])


class PassForm(FlaskForm):
    round_id = SelectField(_l("Put straight into the round"), coerce=int, validators=[Optional()])
    note = TextAreaField(_l("Note (optional, kept in the history)"), validators=[Optional(), Length(max=2000)])


class ReturnForm(FlaskForm):
    reasons = TextAreaField(_l("What the clinician must complete or correct"),
                            validators=[DataRequired(_l("Please tell the clinician what to complete or correct.")),
                                        Length(max=4000)])


class AddProjectsForm(FlaskForm):
    project_ids = MultiCheckboxField(_l("Projects that passed the formal check"), coerce=int)


# --- experts -----------------------------------------------------------------------------------------------

class ExpertProfileForm(FlaskForm):
    specialties = StringField(_l("Specialties"), validators=[DataRequired(), Length(max=300)],
                              description=_l("Separated by commas, e.g. 心血管内科, 介入治疗"))
    keywords = TextAreaField(_l("Expertise keywords"), validators=[Optional(), Length(max=2000)],
                             description=_l("Devices, techniques and diseases you know well; they are used to "
                                            "propose projects that fit your expertise."))
    max_load_per_round = IntegerField(_l("Maximum projects per round"), default=10,
                                      validators=[InputRequired(), NumberRange(1, 60)])
    bio = TextAreaField(_l("Short biography (optional)"), validators=[Optional(), Length(max=4000)])


class ConflictForm(FlaskForm):
    organization_name = StringField(_l("Organisation to avoid"), validators=[DataRequired(), Length(max=200)],
                                    description=_l("A hospital, university or company whose projects you must "
                                                   "not review, e.g. where you hold a post or a stake."))
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=500)])


# --- assignment --------------------------------------------------------------------------------------------

class AddExpertForm(FlaskForm):
    """One expert chosen from the page's list of experts; the option's text ends in '#<user id>'."""

    expert = StringField(_l("Add an expert"), validators=[DataRequired(_l("Choose an expert from the list."))])

    def expert_id(self) -> int | None:
        found = re.search(r"#(\d+)\s*$", self.expert.data or "")
        return int(found.group(1)) if found else None


class AcceptForm(FlaskForm):
    no_conflict = BooleanField(
        _l("I declare that I have no conflict of interest with this project: I am not involved in it, have no "
           "financial or personal interest in it, and will keep its contents confidential."),
        validators=[DataRequired(_l("Please confirm the declaration, or decline the review."))])


class DeclineForm(FlaskForm):
    reason = SelectField(_l("Reason for declining"), validators=[InputRequired()],
                         choices=choices([(k.value, v) for k, v in DECLINE_REASON_LABELS.items()]))
    note = TextAreaField(_l("Explanation"), validators=[Optional(), Length(max=2000)],
                         description=_l("Required for a conflict of interest or another reason."))


def review_form(rubric: Rubric, final: bool, revising: bool = False, **kwargs) -> FlaskForm:
    """The review form for a rubric version; `final` (submitting) makes every answer required; `revising` (a
    submitted review changed during the discussion) adds what changed and why."""

    def needed(message):
        return [InputRequired(message)] if final else [Optional()]

    class ReviewForm(FlaskForm):
        overall = RadioField(_l("Overall judgement"), coerce=int,
                             choices=choices([(n, OVERALL_LABELS[n]) for n in reversed(SCALE)]),
                             validators=needed(_l("Please give your overall judgement.")))
        confidence = RadioField(_l("Your confidence"), coerce=int, choices=choices(CONFIDENCE_LABELS.items()),
                                validators=needed(_l("Please say how familiar you are with this field.")))
        comment_panel = TextAreaField(
            _l("Comments to the panel"), validators=[
                *needed(_l("Please write your comments to the panel.")), Length(max=8000)],
            description=_l("Seen by the administrators and, after they submit, the other experts; never by the "
                           "clinician."))
        comment_submitter = TextAreaField(
            _l("Comments that may be shown to the clinician"), validators=[Optional(), Length(max=8000)],
            description=_l("Shown anonymously to the clinician with the result. Write nothing here that should "
                           "stay within the panel."))

    for criterion in rubric.criteria:
        setattr(ReviewForm, f"c_{criterion.key}", RadioField(
            criterion.text("name"), coerce=int, choices=choices([(n, str(n)) for n in SCALE]),
            validators=needed(_l("Please score this criterion."))))
    for gate in rubric.gates:
        setattr(ReviewForm, f"g_{gate.key}", RadioField(
            gate.text("name"), choices=choices([("yes", _l("Yes")), ("no", _l("No"))]),
            validators=needed(_l("Please answer yes or no."))))
    if revising:
        ReviewForm.reason = TextAreaField(
            _l("What changed and why"), validators=[Optional(), Length(max=2000)],
            description=_l("Shown with your earlier scores to the panel, e.g. a point raised in the discussion."))
    return ReviewForm(**kwargs)


# --- the panel's deliberation ------------------------------------------------------------------------------

class DiscussionForm(FlaskForm):
    body = TextAreaField(_l("Your message"), validators=[DataRequired(_l("Please write a message.")),
                                                         Length(max=4000)])


class LeadForm(FlaskForm):
    expert_id = SelectField(_l("Lead reviewer (主审)"), coerce=int,
                            validators=[InputRequired(_l("Choose one of the experts assigned to this project."))])


class MetaReviewForm(FlaskForm):
    summary = TextAreaField(_l("Meta-review"), validators=[DataRequired(_l("Please write the meta-review.")),
                                                           Length(max=8000)],
                            description=_l("Sum up the panel: where the reviews agree, where they differ and why, "
                                           "and what you recommend."))


class MetaAnswerForm(FlaskForm):
    agrees = RadioField(_l("Your answer"), choices=choices([("yes", _l("I confirm the meta-review")),
                                                            ("no", _l("I disagree"))]),
                        validators=[InputRequired(_l("Please confirm or disagree."))])
    note = TextAreaField(_l("What you disagree with"), validators=[Optional(), Length(max=2000)])


# --- decisions ---------------------------------------------------------------------------------------------

class DecisionForm(FlaskForm):
    outcome = RadioField(_l("Decision"), choices=choices([(k.value, v) for k, v in OUTCOME_LABELS.items()]),
                         validators=[InputRequired(_l("Please choose a decision."))])
    pathways = MultiCheckboxField(_l("Recommended regulatory pathway"),
                                  choices=choices([(k.value, v) for k, v in PATHWAY_LABELS.items()]))
    override_reason = TextAreaField(_l("Reason for departing from the suggestion"),
                                    validators=[Optional(), Length(max=4000)])
    comment_to_clinician = TextAreaField(
        _l("Message to the clinician"), validators=[Optional(), Length(max=4000)],
        description=_l("Required for a revision request: say what to revise. Shown to the clinician with the "
                       "result."))


# --- rubrics -----------------------------------------------------------------------------------------------

class CriterionForm(_SubForm):
    key = StringField(_l("Key"), validators=[Optional(), Length(max=40)])
    weight = FloatField(_l("Weight (points)"), validators=[Optional(), NumberRange(0, 100)])
    name_zh = StringField(_l("Name (Chinese)"), validators=[Optional(), Length(max=100)])
    name_en = StringField(_l("Name (English)"), validators=[Optional(), Length(max=100)])
    anchor_5_zh = TextAreaField(_l("5 = (Chinese)"), validators=[Optional()])
    anchor_5_en = TextAreaField(_l("5 = (English)"), validators=[Optional()])
    anchor_3_zh = TextAreaField(_l("3 = (Chinese)"), validators=[Optional()])
    anchor_3_en = TextAreaField(_l("3 = (English)"), validators=[Optional()])
    anchor_1_zh = TextAreaField(_l("1 = (Chinese)"), validators=[Optional()])
    anchor_1_en = TextAreaField(_l("1 = (English)"), validators=[Optional()])
    remove = BooleanField(_l("Remove this criterion"))


class GateForm(_SubForm):
    key = StringField(_l("Key"), validators=[Optional(), Length(max=40)])
    name_zh = StringField(_l("Name (Chinese)"), validators=[Optional(), Length(max=100)])
    name_en = StringField(_l("Name (English)"), validators=[Optional(), Length(max=100)])
    description_zh = TextAreaField(_l("Description (Chinese)"), validators=[Optional()])
    description_en = TextAreaField(_l("Description (English)"), validators=[Optional()])
    remove = BooleanField(_l("Remove this gate"))


class RubricForm(FlaskForm):
    name_zh = StringField(_l("Name (Chinese)"), validators=[DataRequired(), Length(max=200)])
    name_en = StringField(_l("Name (English)"), validators=[Optional(), Length(max=200)])
    note = TextAreaField(_l("What changed in this version"), validators=[Optional(), Length(max=2000)])
    criteria = FieldList(FormField(CriterionForm), min_entries=1)
    gates = FieldList(FormField(GateForm), min_entries=1)


class QualityForm(FlaskForm):
    rating = RadioField(_l("Quality of this review"), coerce=int,
                        validators=[InputRequired(_l("Choose one of the ratings offered."))])
    note = TextAreaField(_l("Note (administrators only)"), validators=[Optional(), Length(max=1000)])
