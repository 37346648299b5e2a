from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from ..core import mail
from ..forms import choices
from ..i18n import LANGUAGE_NAMES
from .models import Role

ROLE_CHOICES = choices([
    (Role.CLINICIAN.value, _l("Clinician (submit device ideas)")),
    (Role.EXPERT.value, _l("Review expert")),
    (Role.ENTERPRISE.value, _l("Enterprise (medical device company)")),
    (Role.INVESTOR.value, _l("Investor")),
    (Role.HOSPITAL.value, _l("Hospital (equipment office or device committee)")),
    (Role.PROVIDER.value, _l("Service provider (testing lab, trial site, CRO, CDMO)")),
])

PROVINCES = [
    "北京市", "天津市", "河北省", "山西省", "内蒙古自治区", "辽宁省", "吉林省", "黑龙江省", "上海市", "江苏省",
    "浙江省", "安徽省", "福建省", "江西省", "山东省", "河南省", "湖北省", "湖南省", "广东省", "广西壮族自治区",
    "海南省", "重庆市", "四川省", "贵州省", "云南省", "西藏自治区", "陕西省", "甘肃省", "青海省",
    "宁夏回族自治区", "新疆维吾尔自治区", "香港特别行政区", "澳门特别行政区", "台湾省",
]


class RegistrationForm(FlaskForm):
    role = SelectField(_l("I am a"), choices=ROLE_CHOICES, validators=[DataRequired()])
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=100)])
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Email(), Length(max=254)])
    phone = StringField(_l("Phone (optional)"), validators=[Optional(), Length(max=40)])
    organization = StringField(_l("Organisation (hospital, company or fund)"),
                               validators=[DataRequired(), Length(max=200)])
    province = SelectField(_l("Province"), choices=choices([("", "—")] + [(p, p) for p in PROVINCES]),
                           validators=[Optional()])
    department = StringField(_l("Department or specialty"), validators=[Optional(), Length(max=100)])
    title = StringField(_l("Position or title"), validators=[Optional(), Length(max=100)])
    password = PasswordField(_l("Password"), validators=[DataRequired()])
    confirm = PasswordField(_l("Repeat password"),
                            validators=[DataRequired(), EqualTo("password", _l("The two passwords differ."))])
    accept_privacy = BooleanField(
        _l("I have read and agree to the privacy policy, including how my personal information is processed."),
        validators=[DataRequired(_l("You must agree to the privacy policy to register."))])


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Email()])
    password = PasswordField(_l("Password"), validators=[DataRequired()])


class ProfileForm(FlaskForm):
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=100)])
    phone = StringField(_l("Phone (optional)"), validators=[Optional(), Length(max=40)])
    department = StringField(_l("Department or specialty"), validators=[Optional(), Length(max=100)])
    title = StringField(_l("Position or title"), validators=[Optional(), Length(max=100)])
    locale = SelectField(_l("Language"), choices=choices([("", _l("Automatic")), *LANGUAGE_NAMES.items()]))


class PasswordChangeForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired()])
    new = PasswordField(_l("New password"), validators=[DataRequired()])
    confirm = PasswordField(_l("Repeat new password"),
                            validators=[DataRequired(), EqualTo("new", _l("The two passwords differ."))])


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Email(), Length(max=254)])


class SetPasswordForm(FlaskForm):
    new = PasswordField(_l("New password"), validators=[DataRequired()])
    confirm = PasswordField(_l("Repeat new password"),
                            validators=[DataRequired(), EqualTo("new", _l("The two passwords differ."))])


class ConfirmForm(FlaskForm):
    """A button only: following an e-mailed link shows a page; the change happens when it is submitted."""


MAIL_KIND_LABELS = {
    mail.REVIEW_INVITATION: _l("An invitation to review a project"),
    mail.PROJECT_DECISION: _l("A decision on my project"),
    mail.CONNECTION_REQUEST: _l("A connection request"),
    mail.CONNECTION_ANSWER: _l("An answer to my connection request"),
    mail.MILESTONE_CHANGE: _l("A change to an incubation milestone"),
    mail.CLARIFICATION_QUESTION: _l("A clarification question"),
    mail.CONNECTION_MESSAGE: _l("A message in one of my connections"),
    mail.ADMISSION_REMINDER: _l("An overdue hospital admission assessment"),
    mail.SERVICE_REQUEST: _l("A service request to or from a service provider"),
}


class _MailPreferences(FlaskForm):
    def kind_fields(self) -> list:
        return [self[kind] for kind in mail.KINDS]

    def chosen(self) -> dict[str, bool]:
        return {kind: bool(self[kind].data) for kind in mail.KINDS}


# one check box per e-mail notification kind (core.mail.KINDS); build with data={kind: wanted}
MailPreferencesForm = type("MailPreferencesForm", (_MailPreferences,),
                           {kind: BooleanField(label) for kind, label in MAIL_KIND_LABELS.items()})


def mail_preferences_form(user) -> FlaskForm:
    return MailPreferencesForm(data={kind: mail.wants(user, kind) for kind in mail.KINDS})


INVITE_ROLE_CHOICES = choices([
    (Role.OFFICER.value, _l("Officer")),
    (Role.EXPERT.value, _l("Review expert")),
    (Role.REGULATOR.value, _l("Regulator (health commission, medical insurance)")),
])


class InviteForm(FlaskForm):
    role = SelectField(_l("Role"), choices=INVITE_ROLE_CHOICES, validators=[DataRequired()])
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=100)])
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Email(), Length(max=254)])
    organization = StringField(_l("Organisation"), validators=[DataRequired(), Length(max=200)])
