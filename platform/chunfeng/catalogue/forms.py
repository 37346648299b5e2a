"""The catalogue's forms (WTForms with CSRF); messages are shown in the user's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, DecimalField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from ..forms import choices
from .criteria import CLASS_LABELS, FUNCTION_LABELS, PATHWAY_LABELS, VOTE_LABELS
from .models import HospitalFunction, ListingPathway, ProductClass, Vote

CLASS_CHOICES = choices([("", _l("Choose the class"))] + [(c.value, CLASS_LABELS[c]) for c in ProductClass])
PATHWAY_CHOICES = choices([("", _l("Choose the pathway"))] + [(p.value, PATHWAY_LABELS[p]) for p in ListingPathway])
_DATE = _l("Please enter a date as YYYY-MM-DD.")


class ListingForm(FlaskForm):
    name = StringField(_l("Product name"), validators=[DataRequired(_l("Please enter the product name.")),
                                                       Length(max=200)])
    registration_no = StringField(
        _l("Registration certificate number (注册证号)"),
        validators=[DataRequired(_l("Please enter the registration certificate number.")), Length(max=80),
                    Regexp(r"^[\w\u4e00-\u9fff()（）\-]+$",
                           message=_l("The registration number may contain only letters, digits and Chinese "
                                      "characters."))],
        description=_l("As printed on the certificate, e.g. 国械注准20263130001."))
    device_class = SelectField(_l("Device class"), choices=CLASS_CHOICES,
                               validators=[DataRequired(_l("Please choose class II or class III."))])
    approved_on = DateField(_l("Approval date"), validators=[InputRequired(_DATE)])
    pathway = SelectField(_l("Registration pathway"), choices=PATHWAY_CHOICES,
                          validators=[DataRequired(_l("Please choose the pathway."))])
    specialty = StringField(_l("Specialty"), validators=[DataRequired(_l("Please enter the specialty.")),
                                                         Length(max=100)])
    province = StringField(_l("Province"), validators=[DataRequired(_l("Please enter the province.")),
                                                       Length(max=40)])
    summary = TextAreaField(_l("What the product does and for whom"),
                            validators=[DataRequired(_l("Please describe the product.")), Length(max=3000)])

    def values(self) -> dict:
        return {name: self[name].data for name in ("name", "registration_no", "device_class", "approved_on",
                                                  "pathway", "specialty", "province", "summary")}


class ReturnForm(FlaskForm):
    reason = TextAreaField(_l("Reasons for returning"),
                           validators=[DataRequired(_l("Please give the reasons for returning the application.")),
                                       Length(max=3000)])


class MarketForm(FlaskForm):
    insurance_code = StringField(_l("Medical-insurance code (医保编码)"), validators=[Optional(), Length(max=40)])
    insurance_coded_on = DateField(_l("Code assigned on"), validators=[Optional()])
    price_listed_on = DateField(_l("Price listed (挂网) on"), validators=[Optional()],
                                description=_l("Leave empty while the product is not yet listed on the provincial "
                                               "purchasing platform."))


class FunctionForm(FlaskForm):
    function = SelectField(_l("I work for"), choices=choices((f.value, FUNCTION_LABELS[f]) for f in HospitalFunction),
                           validators=[DataRequired()])


class InterestForm(FlaskForm):
    received_on = DateField(_l("Received on"), validators=[Optional()],
                            description=_l("Leave empty for today. The assessment's timer runs from this date."))


class DecisionForm(FlaskForm):
    event = HiddenField(validators=[DataRequired()])
    decided_on = DateField(_l("Decided on"), validators=[Optional()])
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=3000)])


class OpinionForm(FlaskForm):
    vote = SelectField(_l("My opinion"), choices=choices((v.value, VOTE_LABELS[v]) for v in Vote),
                       validators=[DataRequired()])
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=2000)])


class OrderForm(FlaskForm):
    ordered_on = DateField(_l("Order date"), validators=[InputRequired(_DATE)])
    quantity = IntegerField(_l("Quantity"), validators=[InputRequired(_l("Please enter the quantity.")),
                                                        NumberRange(min=1, message=_l("The quantity must be at "
                                                                                      "least 1."))])
    amount = DecimalField(_l("Amount (yuan)"), places=2, validators=[Optional(), NumberRange(
        min=0, message=_l("The amount cannot be negative."))], description=_l("Optional."))


class FirstUseForm(FlaskForm):
    first_use_on = DateField(_l("First clinical use on"), validators=[InputRequired(_DATE)])
