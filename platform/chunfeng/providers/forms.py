"""The providers domain's forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..forms import MultiCheckboxField, choices
from ..submissions.models import DEVICE_CLASS_LABELS, DeviceClass
from .labels import KIND_LABELS, OUTCOME_LABELS
from .models import MeetingOutcome, ProviderKind

KIND_CHOICES = choices((k.value, KIND_LABELS[k]) for k in ProviderKind)
CLASS_CHOICES = choices((c.value, DEVICE_CLASS_LABELS[c]) for c in DeviceClass if c != DeviceClass.UNKNOWN)
DAYS = [Optional(), NumberRange(min=1, max=3650, message=_l("Please give a number of days between 1 and 3650."))]


class ProfileForm(FlaskForm):
    kind = SelectField(_l("Kind of provider"), choices=KIND_CHOICES,
                       validators=[DataRequired(_l("Please choose the kind of provider."))])
    summary = TextAreaField(_l("Services offered"), validators=[Optional(), Length(max=5000)])
    region = StringField(_l("Region (province)"), validators=[Optional(), Length(max=40)])
    device_classes = MultiCheckboxField(_l("Device classes served"), choices=CLASS_CHOICES)
    categories = TextAreaField(_l("Device categories"), validators=[Optional(), Length(max=5000)],
                               description=_l("e.g. 神经介入器械, 有源手术器械, 体外诊断试剂"))
    standards = TextAreaField(_l("Accredited tests and standards"), validators=[Optional(), Length(max=5000)],
                              description=_l("Testing laboratories: the CMA/CNAS scope, e.g. GB 9706.1, YY/T 0287."))
    turnaround_days = IntegerField(_l("Typical turnaround (days)"), validators=DAYS)
    specialties = TextAreaField(_l("Registered specialties"), validators=[Optional(), Length(max=5000)],
                                description=_l("Clinical trial sites and CROs: the specialties on record."))
    ethics_cadence = StringField(_l("Ethics committee meetings"), validators=[Optional(), Length(max=120)],
                                 description=_l("e.g. 每月第一、三周周三"))
    ethics_days = IntegerField(_l("Typical days to ethics approval"), validators=DAYS)
    contract_days = IntegerField(_l("Typical days to a signed contract"), validators=DAYS)
    capabilities = TextAreaField(_l("Manufacturing capabilities"), validators=[Optional(), Length(max=5000)],
                                 description=_l("Contract manufacturers: processes, sterilisation, capacity."))
    clean_room_class = StringField(_l("Clean room class"), validators=[Optional(), Length(max=40)],
                                   description=_l("e.g. 十万级 (ISO 8)"))


class DecideForm(FlaskForm):
    decision = StringField()  # the button pressed: approve or return
    note = TextAreaField(_l("What should the provider change?"), validators=[Optional(), Length(max=2000)])


class RequestForm(FlaskForm):
    provider = SelectField(_l("Provider"), validators=[DataRequired(_l("Please choose a provider."))])
    milestone = SelectField(_l("Milestone it serves"), validators=[DataRequired(_l("Please choose the milestone."))])
    scope = TextAreaField(_l("What you need"), validators=[DataRequired(_l("Please describe what you need.")),
                                                            Length(max=5000)])
    wanted_start = DateField(_l("Wanted start"), validators=[Optional()])
    wanted_by = DateField(_l("Wanted completion"), validators=[Optional()])


class AcceptForm(FlaskForm):
    quote = StringField(_l("Quote"), validators=[DataRequired(_l("Please give your quote.")), Length(max=200)],
                        description=_l("e.g. 检验费 8.6 万元，含整改复测一次"))
    agreed_date = DateField(_l("Date you commit to"), validators=[
        DataRequired(_l("Please give the date you commit to."))])
    turnaround_days = IntegerField(_l("Turnaround (days)"), validators=DAYS,
                                   description=_l("Testing laboratories and contract manufacturers."))


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(_l("Please give the reason.")), Length(max=2000)])


class DayForm(FlaskForm):
    on = DateField(_l("Date"), validators=[Optional()], description=_l("Leave empty for today."))


class FilterForm(FlaskForm):
    """The structured filters on the provider search page (a GET form: nothing is written)."""

    class Meta:
        csrf = False

    device_class = SelectField(_l("Device class"), validators=[Optional()])
    region = StringField(_l("Region (province)"), validators=[Optional(), Length(max=40)])
    specialty = StringField(_l("Specialty"), validators=[Optional(), Length(max=60)])
    category = StringField(_l("Device category"), validators=[Optional(), Length(max=60)])


class EventForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(_l("Please give the title.")), Length(max=200)])
    held_on = DateField(_l("Date"), validators=[DataRequired(_l("Please give the date."))])
    starts_at = TimeField(_l("First slot starts at"), validators=[DataRequired(_l("Please give the start time."))])
    place = StringField(_l("Place"), validators=[Optional(), Length(max=200)])
    online = BooleanField(_l("Online"))
    tables = IntegerField(_l("Tables"), default=10, validators=[
        InputRequired(_l("Please give the number of tables.")), NumberRange(min=1, max=100,
                                                                          message=_l("Between 1 and 100 tables."))])
    slot_minutes = IntegerField(_l("Slot length (minutes)"), default=20, validators=[
        InputRequired(_l("Please give the slot length.")), NumberRange(min=5, max=240,
                                                                     message=_l("Between 5 and 240 minutes."))])
    slots = IntegerField(_l("Number of slots"), default=8, validators=[
        InputRequired(_l("Please give the number of slots.")), NumberRange(min=1, max=48,
                                                                         message=_l("Between 1 and 48 slots."))])


class RegisterForm(FlaskForm):
    free_slots = MultiCheckboxField(_l("Slots you are free in"))
    project = SelectField(_l("The project you present"), validators=[Optional()])


class AnswerForm(FlaskForm):
    answer = StringField()  # the button pressed: accept or decline


class OutcomeForm(FlaskForm):
    outcome = SelectField(_l("Outcome"), choices=choices((o.value, OUTCOME_LABELS[o]) for o in MeetingOutcome),
                          validators=[DataRequired(_l("Please choose an outcome."))])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=500)])
