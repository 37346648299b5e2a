from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from ..accounts.forms import PROVINCES
from ..accounts.models import AccountStatus, OrgKind, Role
from ..forms import choices
from .services import SETTINGS

STATUS_LABELS = {
    AccountStatus.PENDING: _l("Awaiting approval"),
    AccountStatus.ACTIVE: _l("Active"),
    AccountStatus.REJECTED: _l("Rejected"),
    AccountStatus.SUSPENDED: _l("Suspended"),
    AccountStatus.CLOSED: _l("Closed"),
}
ROLE_LABELS = {
    Role.CLINICIAN: _l("Clinician"),
    Role.EXPERT: _l("Review expert"),
    Role.ENTERPRISE: _l("Enterprise"),
    Role.INVESTOR: _l("Investor"),
    Role.OFFICER: _l("Project officer"),
    Role.ADMIN: _l("Administrator"),
    Role.HOSPITAL: _l("Hospital staff"),
    Role.PROVIDER: _l("Service provider"),
    Role.REGULATOR: _l("Regulator"),
}
ORG_KIND_LABELS = {
    OrgKind.HOSPITAL: _l("Hospital"),
    OrgKind.UNIVERSITY: _l("University or research institute"),
    OrgKind.ENTERPRISE: _l("Enterprise"),
    OrgKind.INVESTOR: _l("Investment institution"),
    OrgKind.REGULATOR: _l("Regulator or platform operator"),
    OrgKind.PROVIDER: _l("Service provider"),
    OrgKind.OTHER: _l("Other"),
}
ANY = ("", _l("All"))


def _options(labels: dict) -> list:
    return choices([ANY, *((key.value, label) for key, label in labels.items())])


class FilterForm(FlaskForm):
    """Filters travel in the query string (GET): no CSRF token, and the page can be bookmarked."""

    class Meta:
        csrf = False


class AccountFilterForm(FilterForm):
    q = StringField(_l("Name, e-mail or organisation"), validators=[Optional(), Length(max=100)])
    status = SelectField(_l("Status"), choices=_options(STATUS_LABELS), validators=[Optional()])
    role = SelectField(_l("Role"), choices=_options(ROLE_LABELS), validators=[Optional()])
    org = IntegerField(validators=[Optional()])


class OrganizationFilterForm(FilterForm):
    q = StringField(_l("Name"), validators=[Optional(), Length(max=100)])
    kind = SelectField(_l("Kind"), choices=_options(ORG_KIND_LABELS), validators=[Optional()])


class OrganizationForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Kind"), choices=choices((k.value, label) for k, label in ORG_KIND_LABELS.items()),
                       validators=[DataRequired()])
    province = SelectField(_l("Province"), choices=choices([("", "—")] + [(p, p) for p in PROVINCES]),
                           validators=[Optional()])
    city = StringField(_l("City"), validators=[Optional(), Length(max=40)])


class MergeForm(FlaskForm):
    keep_id = IntegerField(_l("Number of the organisation to keep"),
                           validators=[InputRequired(_l("Enter the number shown in the organisation list."))])


class AuditFilterForm(FilterForm):
    action = StringField(_l("Action starts with"), validators=[Optional(), Length(max=60)],
                         description=_l("For example: account. or project.submit"))
    actor = StringField(_l("Actor (name, e-mail or id)"), validators=[Optional(), Length(max=100)])
    object_type = SelectField(_l("Object type"), validators=[Optional()], validate_choice=False)
    object_id = IntegerField(_l("Object id"), validators=[Optional()])
    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("To"), validators=[Optional()])

    def validate_date_to(self, field) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("The end date is before the start date."))


def _setting_field(key: str) -> IntegerField:
    spec = SETTINGS[key]
    return IntegerField(spec.label, description=spec.help, validators=[
        InputRequired(_l("Enter a number of days.")),
        NumberRange(spec.minimum, spec.maximum, _l("Enter a number between %(min)s and %(max)s.")),
    ])


class SettingsForm(FlaskForm):
    retention_days = _setting_field("retention_days")
    session_days = _setting_field("session_days")


class CloseAccountForm(FlaskForm):
    password = PasswordField(_l("Your password"), validators=[DataRequired()])
    understood = BooleanField(
        _l("I understand that my name, e-mail address and contact details will be erased, that I will no longer "
           "be able to log in, and that this cannot be undone."),
        validators=[DataRequired(_l("Please confirm that you understand what closing your account does."))])
