from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from ..forms import choices
from ..submissions.models import PATHWAY_LABELS, Pathway
from .milestones import MilestoneEvent
from .models import Audience, EntryKind
from .plan import AUDIENCE_LABELS, KEY_LABELS, KIND_LABELS

PATHWAY_CHOICES = choices((p.value, PATHWAY_LABELS[p]) for p in Pathway)
ALL_PATHWAYS = "all"


def officer_choices(officers) -> list:
    return choices([("", _l("Choose a service officer"))] + [(str(o.id), o.name) for o in officers])


class TakeOnForm(FlaskForm):
    """An officer starts a project's incubation as its officer: the pathway and the start date."""

    pathway = SelectField(_l("Pathway"), choices=PATHWAY_CHOICES, validators=[DataRequired()])
    start = DateField(_l("Incubation starts on"), validators=[Optional()],
                      description=_l("Leave empty for today. The plan is scheduled from this date."))


class StartIncubationForm(TakeOnForm):
    """An administrator starts a project's incubation and names its officer."""

    officer = SelectField(_l("Service officer"), validators=[DataRequired(_l("Please choose a service officer."))])


class OfficerForm(FlaskForm):
    officer = SelectField(_l("Service officer"), validators=[DataRequired(_l("Please choose a service officer."))])


class MilestoneForm(FlaskForm):
    planned_start = DateField(_l("Planned start"), validators=[Optional()])
    planned_due = DateField(_l("Planned completion"), validators=[Optional()])
    actual_start = DateField(_l("Actually started on"), validators=[Optional()])
    actual_done = DateField(_l("Actually finished on"), validators=[Optional()])
    owner = StringField(_l("Responsible"), validators=[Optional(), Length(max=120)],
                        description=_l("Who carries this step, e.g. the company's regulatory affairs team."))
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=5000)])
    file = FileField(_l("Add a document"), validators=[Optional()],
                     description=_l("Optional. PDF, Word, Excel, PNG or JPEG; saved with the milestone."))
    no_patient_data = BooleanField(_l("I confirm that this document contains no patient-identifiable information."))
    mark_done = BooleanField(_l("Mark this step done today; the next step starts"))

    @property
    def upload(self):
        """The chosen file, or None when the officer saves without one."""
        data = self.file.data
        return data if data is not None and getattr(data, "filename", "") else None

    def validate_no_patient_data(self, field) -> None:
        if self.upload is not None and not field.data:
            raise ValidationError(_l("Please confirm that the document contains no patient-identifiable "
                                     "information."))


class TransitionForm(FlaskForm):
    event = HiddenField(validators=[DataRequired()])
    on = DateField(_l("Date"), validators=[Optional()], description=_l("Leave empty for today."))

    def validate_event(self, field) -> None:
        if field.data not in {e.value for e in MilestoneEvent}:
            field.errors.append(_l("Unknown change."))


class EntryForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=choices(
        (k.value, KIND_LABELS[k]) for k in EntryKind if k != EntryKind.QUESTION), validators=[DataRequired()])
    occurred_on = DateField(_l("Date"), validators=[DataRequired(_l("Please give the date."))])
    audience = SelectField(_l("Visible to"), choices=choices((a.value, AUDIENCE_LABELS[a]) for a in Audience),
                           validators=[DataRequired()])
    organization = SelectField(_l("Which company"), validators=[Optional()],
                               description=_l("Only for entries visible to the connected company."))
    text = TextAreaField(_l("What was discussed or advised"), validators=[DataRequired(), Length(max=10000)])


class QuestionForm(FlaskForm):
    question = TextAreaField(_l("Your question to the service officer"),
                             validators=[DataRequired(), Length(max=5000)])


class AnswerForm(FlaskForm):
    answer = TextAreaField(_l("Answer"), validators=[DataRequired(), Length(max=10000)])


class ConsentForm(FlaskForm):
    consent = BooleanField(_l("Show this project as a success story once it is approved"))


class TargetForm(FlaskForm):
    key = SelectField(_l("Milestone"), choices=choices((k.value, label) for k, label in KEY_LABELS.items()),
                      validators=[DataRequired()])
    pathway = SelectField(_l("Pathway"), choices=choices([(ALL_PATHWAYS, _l("All pathways"))] + list(
        (p.value, PATHWAY_LABELS[p]) for p in Pathway)), validators=[DataRequired()])
    percent = IntegerField(_l("Share of the statutory limit (%)"),
                           validators=[Optional(), NumberRange(1, 100, _l("Give a percentage from 1 to 100."))])
    days = IntegerField(_l("Or a number of working days"),
                        validators=[Optional(), NumberRange(1, 2000, _l("Give a number of days from 1 to 2000."))])
