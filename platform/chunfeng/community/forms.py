from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..forms import choices
from .consultations import QUESTION_MAX
from .models import ChallengeKind, ConsultCategory, NeedVisibility, ReportReason

VISIBILITY_LABELS = {
    NeedVisibility.PUBLIC: _l("Public: anyone can read it, including visitors who are not signed in"),
    NeedVisibility.COMPANIES: _l("Members only: approved companies, investors, clinicians and experts"),
}
KIND_LABELS = {
    ChallengeKind.USABILITY: _l("Usability evaluation"),
    ChallengeKind.TRIAL_SITE: _l("Clinical trial site"),
    ChallengeKind.WORKFLOW: _l("A specialty's clinical workflow"),
    ChallengeKind.OTHER: _l("Other clinical input"),
}
CATEGORY_LABELS = {
    ConsultCategory.CLASSIFICATION: _l("Classification"),
    ConsultCategory.REGISTRATION_TESTING: _l("Registration testing"),
    ConsultCategory.CLINICAL_EVALUATION: _l("Clinical evaluation"),
    ConsultCategory.SPECIAL_REVIEW: _l("Innovation and priority review channels"),
    ConsultCategory.OTHER: _l("Other"),
}
REASON_LABELS = {
    ReportReason.SPAM: _l("Advertising or spam"),
    ReportReason.INAPPROPRIATE: _l("Offensive or inappropriate"),
    ReportReason.PERSONAL_DATA: _l("Contains patient data or someone's personal information"),
    ReportReason.CONFIDENTIAL: _l("Discloses confidential or unpublished material"),
    ReportReason.OTHER: _l("Other"),
}

NO_PATIENT_DATA = _l("I confirm the text contains no patient-identifiable information.")


class NeedForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)],
                        description=_l("One line naming the problem, e.g. 'Endotracheal tubes slip during prone "
                                       "positioning'."))
    problem = TextAreaField(_l("The clinical problem"), validators=[DataRequired(), Length(max=3000)],
                            description=_l("What goes wrong today, how often, and what it costs patients or staff. "
                                           "No solution is needed."))
    population = TextAreaField(_l("Patients or users affected"), validators=[Optional(), Length(max=1000)])
    outcome = TextAreaField(_l("What a better outcome would be"), validators=[Optional(), Length(max=1000)])
    specialty = StringField(_l("Specialty"), validators=[DataRequired(), Length(max=60)])
    visibility = RadioField(_l("Who can read it"), choices=choices(VISIBILITY_LABELS.items()),
                            default=NeedVisibility.PUBLIC.value, validators=[InputRequired()])
    no_patient_data = BooleanField(NO_PATIENT_DATA, validators=[DataRequired(_l("Please confirm this."))])


class CommentForm(FlaskForm):
    text = TextAreaField(_l("Your comment"), validators=[DataRequired(), Length(max=2000)])


class ChallengeForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(
        _l("What you need from clinicians"), validators=[DataRequired(), Length(max=5000)],
        description=_l("The development question, the kind of clinician or site you look for, the time it takes. "
                       "Do not include trade secrets: every approved member can read it."))
    kind = SelectField(_l("Kind of input"), choices=choices(KIND_LABELS.items()), validators=[DataRequired()])
    specialty = StringField(_l("Specialty"), validators=[DataRequired(), Length(max=60)])
    deadline = DateField(_l("Answers wanted by (optional)"), validators=[Optional()])


class ResponseForm(FlaskForm):
    message = TextAreaField(_l("Your reply"), validators=[DataRequired(), Length(max=2000)])
    offer_help = BooleanField(_l("I offer to help (e.g. take part in the evaluation or host the study)"))
    share_contact = BooleanField(_l("Share my contact details with this company"))


class ConsultationForm(FlaskForm):
    category = SelectField(_l("Topic"), choices=choices(CATEGORY_LABELS.items()), validators=[DataRequired()])
    question = TextAreaField(
        _l("Your question"),
        validators=[DataRequired(), Length(max=QUESTION_MAX, message=_l(
            "Please keep the question within %(max)d characters."))],
        description=_l("At most %(num)d characters. Do not include patient data.", num=QUESTION_MAX))
    publish_consent = BooleanField(_l("The platform may publish my question and its answer in the public FAQ, "
                                      "edited so that nobody can tell who asked."))


class AnswerForm(FlaskForm):
    answer = TextAreaField(_l("Answer"), validators=[DataRequired(), Length(max=5000)])


class FaqForm(FlaskForm):
    faq_question = TextAreaField(_l("FAQ question (anonymised)"), validators=[DataRequired(), Length(max=1000)])
    faq_answer = TextAreaField(_l("FAQ answer (anonymised)"), validators=[DataRequired(), Length(max=5000)])


DURATIONS = ((30, _l("30 minutes")), (45, _l("45 minutes")), (60, _l("1 hour")), (90, _l("1.5 hours")))


class SlotForm(FlaskForm):
    starts_at = DateTimeLocalField(_l("Starts at (Beijing time)"), format="%Y-%m-%dT%H:%M",
                                   validators=[DataRequired()])
    minutes = SelectField(_l("Length"), choices=choices(DURATIONS), coerce=int, default=30)
    capacity = IntegerField(_l("Places"), default=1, validators=[InputRequired(), NumberRange(min=1, max=50)])
    online = SelectField(_l("Format"), choices=choices([("1", _l("Online")), ("0", _l("On site"))]), default="1")
    location = StringField(_l("Meeting link or address"), validators=[DataRequired(), Length(max=200)])
    topic = StringField(_l("Topics covered (optional)"), validators=[Optional(), Length(max=200)])


class BookingForm(FlaskForm):
    topic = StringField(_l("What would you like to discuss?"), validators=[DataRequired(), Length(max=300)])


class ReportForm(FlaskForm):
    reason_kind = SelectField(_l("Reason"), choices=choices(REASON_LABELS.items()), validators=[DataRequired()])
    reason = TextAreaField(_l("Details for the moderators (optional)"), validators=[Optional(), Length(max=500)])
