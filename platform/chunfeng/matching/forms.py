from __future__ import annotations

from functools import lru_cache

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from ..accounts.forms import PROVINCES
from ..core.clock import local_today
from ..forms import MultiCheckboxField, choices
from ..submissions.models import (
    COOPERATION_LABELS,
    COOPERATION_MODES,
    DEVICE_CLASS_LABELS,
    STAGE_LABELS,
    DeviceClass,
)
from .connections import REASON_MIN_LENGTH
from .messages import MESSAGE_MAX_LENGTH

CLASS_CHOICES = [(c.value, DEVICE_CLASS_LABELS[c]) for c in (DeviceClass.I, DeviceClass.II, DeviceClass.III)]
STAGE_CHOICES = [(s.value, label) for s, label in STAGE_LABELS.items()]
COOPERATION_CHOICES = [(m, COOPERATION_LABELS[m]) for m in COOPERATION_MODES]
PROVINCE_CHOICES = [("", "—")] + [(p, p) for p in PROVINCES]

EVENT_LABELS = {
    "requested": _l("Connection requested"),
    "invited": _l("The clinician invited the company to connect"),
    "accepted": _l("Request accepted; details shared"),
    "declined": _l("Request declined"),
    "withdrawn": _l("Request withdrawn"),
    "grant_revoked": _l("The clinician withdrew access to the details"),
    "regranted": _l("The clinician shared the details again"),
    "closed": _l("Connection closed"),
    "meeting": _l("Meeting"),
    "nda_signed": _l("Confidentiality agreement (NDA) signed"),
    "agreement": _l("Cooperation agreement signed"),
    "incubation": _l("Incubation note"),
    "note": _l("Note"),
}
STAGE_NAMES = {
    "contact": _l("First contact"),
    "meeting": _l("Meeting"),
    "nda": _l("NDA signed"),
    "agreement": _l("Agreement"),
    "incubation": _l("Incubation started"),
}
CONNECTION_STATUS_LABELS = {
    "requested": _l("Awaiting the clinician's answer"),
    "accepted": _l("Connected"),
    "declined": _l("Declined"),
    "withdrawn": _l("Withdrawn"),
    "closed": _l("Connection ended"),
}
# An invitation's steps read differently where the company answers and the clinician may withdraw.
INVITATION_EVENT_LABELS = {
    "accepted": _l("Invitation accepted; details shared"),
    "declined": _l("Invitation to connect declined"),
    "withdrawn": _l("Invitation to connect withdrawn"),
}
INVITATION_STATUS_LABELS = {"requested": _l("Awaiting the company's answer")}
PROFILE_STATUS_LABELS = {
    "pending": _l("Awaiting approval"),
    "approved": _l("Approved and matched"),
    "rejected": _l("Returned for changes"),
}


LABELS = {
    "event": EVENT_LABELS,
    "invitation_event": INVITATION_EVENT_LABELS,
    "invitation_status": INVITATION_STATUS_LABELS,
    "stage": STAGE_NAMES,
    "status": CONNECTION_STATUS_LABELS,
    "profile_status": PROFILE_STATUS_LABELS,
    "device_class": DEVICE_CLASS_LABELS,
    "dev_stage": STAGE_LABELS,
    "cooperation": COOPERATION_LABELS,
}


def signal_text(signal: str) -> str:
    """A structured reason stored with a match ('region:广东省', 'class:III') in the reader's language."""
    return _signal_text(signal, str(get_locale()))


@lru_cache(maxsize=4096)
def _signal_text(signal: str, _locale: str) -> str:
    """Written once per reason and language (a page of matches shows the same few reasons many times)."""
    kind, _sep, value = signal.partition(":")
    if kind == "region":
        return _("Same province (%(province)s)", province=value)
    if kind == "stage":
        return _("Stage fits (%(stage)s)", stage=STAGE_LABELS.get(value, value))
    if kind == "class":
        return _("Class %(cls)s registration experience", cls=value)
    if kind == "cooperation":
        modes = _(", ").join(str(COOPERATION_LABELS.get(m, m)) for m in value.split(","))
        return _("Cooperation: %(modes)s", modes=modes)
    return signal


class EnterpriseProfileForm(FlaskForm):
    business_scope = TextAreaField(
        _l("Business scope"),
        validators=[DataRequired(), Length(min=10, max=2000)],
        description=_l("What your company develops and makes, in your own words (at least 10 characters)."),
    )
    product_lines = TextAreaField(
        _l("Product lines"),
        validators=[Optional(), Length(max=2000)],
        description=_l("e.g. vascular stents, interventional catheters, ultrasound"),
    )
    registered_products = TextAreaField(
        _l("Registered products"),
        validators=[Optional(), Length(max=3000)],
        description=_l("Products with an NMPA registration certificate, one per line, with their class."),
    )
    rd_capability = TextAreaField(
        _l("R&D capability"),
        validators=[Optional(), Length(max=2000)],
        description=_l("Engineering team, laboratories, design and testing skills."),
    )
    manufacturing_capability = TextAreaField(
        _l("Manufacturing capability"),
        validators=[Optional(), Length(max=2000)],
        description=_l("Production licence, clean rooms, quality management system."),
    )
    registration_experience = MultiCheckboxField(
        _l("Registration experience"),
        choices=choices(CLASS_CHOICES),
        description=_l("Device classes you have registered before."),
    )
    stages = MultiCheckboxField(_l("Project stages you prefer"), choices=choices(STAGE_CHOICES))
    region = SelectField(_l("Province"), choices=choices(PROVINCE_CHOICES), validators=[Optional()])
    cooperation_modes = MultiCheckboxField(
        _l("Cooperation modes wanted"), choices=choices(COOPERATION_CHOICES)
    )


class InvestorProfileForm(FlaskForm):
    focus_areas = TextAreaField(
        _l("Focus areas"),
        validators=[DataRequired(), Length(min=10, max=2000)],
        description=_l("Therapeutic areas and device types you invest in (at least 10 characters)."),
    )
    stages = MultiCheckboxField(
        _l("Stages you invest in"),
        choices=choices(STAGE_CHOICES),
        description=_l("Projects at other stages are not suggested to you."),
    )
    ticket_min = IntegerField(
        _l("Smallest investment (10,000 yuan)"), validators=[Optional(), NumberRange(min=0, max=10_000_000)]
    )
    ticket_max = IntegerField(
        _l("Largest investment (10,000 yuan)"), validators=[Optional(), NumberRange(min=0, max=10_000_000)]
    )
    region = SelectField(_l("Province"), choices=choices(PROVINCE_CHOICES), validators=[Optional()])
    cooperation_modes = MultiCheckboxField(
        _l("Cooperation modes wanted"), choices=choices(COOPERATION_CHOICES)
    )

    def validate_ticket_max(self, field):
        if field.data is not None and self.ticket_min.data is not None and field.data < self.ticket_min.data:
            raise ValidationError(_l("The largest investment cannot be smaller than the smallest."))


class ProfileDecisionForm(FlaskForm):
    note = TextAreaField(
        _l("What should the organisation change?"), validators=[Optional(), Length(max=1000)]
    )


def _reason_field(label, description) -> TextAreaField:
    """A request's reason or an invitation's message: what the other side reads first."""
    return TextAreaField(
        label,
        validators=[
            InputRequired(),
            Length(
                min=REASON_MIN_LENGTH,
                max=2000,
                message=_l(
                    "Please explain your interest in %(min)d to %(max)d characters.",
                    min=REASON_MIN_LENGTH,
                    max=2000,
                ),
            ),
        ],
        description=description,
    )


class ConnectRequestForm(FlaskForm):
    reason = _reason_field(
        _l("Why do you want to connect?"),
        _l(
            "Tell the clinician what your organisation brings: products, capability, funding, "
            "and what you propose."
        ),
    )


class InviteForm(FlaskForm):
    """The clinician invites a suggested company to connect, giving the consent to share in advance."""

    message = _reason_field(
        _l("Your message to the company"),
        _l("What you hope for from this company: development, registration, production or funding."),
    )
    consent = BooleanField(_l("I give this consent."))


class InvitationAnswerForm(FlaskForm):
    """A company member answers a clinician's invitation."""

    note = TextAreaField(_l("Message to the clinician (optional)"), validators=[Optional(), Length(max=1000)])


class MessageForm(FlaskForm):
    body = TextAreaField(
        _l("Message"),
        validators=[DataRequired(_l("Please write your message.")), Length(max=MESSAGE_MAX_LENGTH)],
    )


class DecisionForm(FlaskForm):
    consent = BooleanField(_l("I give this consent."))
    note = TextAreaField(_l("Message to the company (optional)"), validators=[Optional(), Length(max=1000)])


class TimelineForm(FlaskForm):
    kind = SelectField(
        _l("What happened"),
        validators=[DataRequired()],
        choices=choices(
            [
                ("meeting", EVENT_LABELS["meeting"]),
                ("nda_signed", EVENT_LABELS["nda_signed"]),
                ("agreement", EVENT_LABELS["agreement"]),
                ("incubation", EVENT_LABELS["incubation"]),
                ("note", EVENT_LABELS["note"]),
            ]
        ),
    )
    happened_on = DateField(_l("Date"), default=local_today, validators=[DataRequired()])
    text = TextAreaField(_l("What was discussed or agreed"), validators=[DataRequired(), Length(max=2000)])


class CloseForm(FlaskForm):
    note = StringField(
        _l("Why is the connection ending? (optional)"), validators=[Optional(), Length(max=500)]
    )


class BrowseForm(FlaskForm):
    """The filters of the matched-projects page (GET, no CSRF)."""

    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), Length(max=100)])
    specialty = SelectField(_l("Specialty"), validators=[Optional()])
    device_class = SelectField(
        _l("Device class"), validators=[Optional()], choices=choices([("", _l("Any"))] + CLASS_CHOICES)
    )
    stage = SelectField(
        _l("Stage"), validators=[Optional()], choices=choices([("", _l("Any"))] + STAGE_CHOICES)
    )
    region = SelectField(_l("Province"), validators=[Optional()])
