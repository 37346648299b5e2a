"""One form per project section (saved as a draft: nothing is required here), plus upload, submit and withdraw.

Required answers are checked on submit by services.missing_items, not by these forms, so that a half-written
section can always be saved.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired, MultipleFileField
from wtforms import BooleanField, DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ..forms import MultiCheckboxField, choices
from .models import (
    COOPERATION_LABELS,
    COOPERATION_MODES,
    DEVICE_CLASS_LABELS,
    IP_STATUS_LABELS,
    PATHWAY_HOPES,
    PATHWAY_LABELS,
    STAGE_LABELS,
    DeviceClass,
)
from .sections import FIELD_LABELS, FIELD_SECTION, SUPPLEMENT_FIELDS

TOO_LONG = _l("Please shorten this to at most %(max)d characters (now %(length)d).")
LONG_TEXT = 5000

# Offered as suggestions (the clinician may type another department); stored as typed.
SPECIALTIES = (
    "神经内科", "神经外科", "神经介入科", "心血管内科", "心脏外科", "血管外科", "胸外科", "呼吸与危重症医学科",
    "重症医学科", "急诊科", "麻醉科", "普通外科", "肝胆外科", "胃肠外科", "骨科", "泌尿外科", "妇产科", "儿科",
    "新生儿科", "眼科", "耳鼻咽喉科", "口腔科", "皮肤科", "消化内科", "内分泌科", "肾内科", "肿瘤科", "血液科",
    "康复医学科", "放射科", "超声医学科", "核医学科", "检验科", "病理科", "护理部",
)


def _text(name: str, description=None, max_length: int = LONG_TEXT, rows: int = 5) -> TextAreaField:
    return TextAreaField(FIELD_LABELS[name], description=description, render_kw={"rows": rows},
                         validators=[Optional(), Length(max=max_length, message=TOO_LONG)])


def _line(name: str, max_length: int, description=None, **render_kw) -> StringField:
    return StringField(FIELD_LABELS[name], description=description, render_kw=render_kw or None,
                       validators=[Optional(), Length(max=max_length, message=TOO_LONG)])


class SectionForm(FlaskForm):
    """The project's lock_version when the page was drawn: a stale one means another window saved meanwhile."""

    lock_version = HiddenField()


def _title(required: bool = False) -> StringField:
    if required:  # the new-project form: a working title is enough, but one is needed to find the draft again
        return StringField(FIELD_LABELS["title"],
                           description=_l("A working title is enough; you can change it until you submit."),
                           validators=[DataRequired(_l("Please give the project a working title so that you can "
                                                       "find it again.")), Length(max=200, message=TOO_LONG)])
    return _line("title", 200, _l("A short name that says what the device does, e.g. 'Retrievable "
                                  "intracranial thrombectomy stent with distal protection'."))


def _specialty() -> StringField:
    return _line("specialty", 60, _l("Choose from the list or type your department."),
                 list="specialty-options", autocomplete="off")


def _public_summary() -> TextAreaField:
    return _text("public_summary", _l("Up to 1000 characters. Shown to companies and investors only after the "
                                      "project is released for matching."), max_length=1000, rows=6)


class SummaryForm(SectionForm):
    title = _title()
    specialty = _specialty()
    public_summary = _public_summary()


class NewProjectForm(SectionForm):
    """The summary section as the first step: title first, as the page's introduction says (fields are shown in
    the order they are declared here)."""

    title = _title(required=True)
    specialty = _specialty()
    public_summary = _public_summary()


class NeedForm(SectionForm):
    need_problem = _text("need_problem", _l("What goes wrong today, how often and how seriously. Describe the "
                                            "problem, not your solution."))
    need_population = _text("need_population", _l("Which patients or clinical situation: disease, stage, "
                                                   "setting (ward, operating room, home)."), rows=3)
    need_outcome = _text("need_outcome", _l("What should change if the need is met, ideally measurable: fewer "
                                            "complications, shorter procedures, earlier diagnosis."), rows=3)
    current_practice = _text("current_practice", _l("How it is done now (products, techniques) and where that "
                                                    "falls short."))


class SolutionForm(SectionForm):
    solution = _text("solution", _l("How the device works: principle, structure, how it is used."), rows=8)
    innovation_points = _text("innovation_points", _l("What is new compared with marketed products and the "
                                                      "literature; one point per line."))


class PatientsForm(SectionForm):
    target_patients = _text("target_patients", _l("Who would be diagnosed or treated with the device."), rows=3)
    patient_count = _line("patient_count", 100, _l("E.g. about 3 million new cases a year in China, with the "
                                                   "source if you know it."))


class DeviceForm(SectionForm):
    device_type = _line("device_type", 100, _l("E.g. implant, surgical instrument, imaging software, "
                                               "in-vitro diagnostic reagent."))
    device_class = SelectField(
        FIELD_LABELS["device_class"],
        description=_l("If you are unsure, choose the most likely class; the formal check will confirm it."),
        choices=choices([(DeviceClass.UNKNOWN.value, _l("— please choose —"))] + [
            (c.value, DEVICE_CLASS_LABELS[c]) for c in (DeviceClass.I, DeviceClass.II, DeviceClass.III)]),
    )
    catalogue_category = _line("catalogue_category", 100, _l("If known, from the Medical Device Classification "
                                                             "Catalogue, e.g. 03-13 cardiovascular interventional "
                                                             "instruments."))
    pathway_hopes = MultiCheckboxField(FIELD_LABELS["pathway_hopes"],
                                       choices=choices((p, PATHWAY_LABELS[p]) for p in PATHWAY_HOPES))


class ProgressForm(SectionForm):
    stage = SelectField(FIELD_LABELS["stage"], choices=choices(STAGE_LABELS.items()))
    evidence = _text("evidence", _l("Bench tests, animal or clinical data, publications: summarise the results "
                                    "and upload the reports as attachments."), rows=6)


class IPForm(SectionForm):
    ip_status = SelectField(FIELD_LABELS["ip_status"], choices=choices(IP_STATUS_LABELS.items()))
    ip_numbers = _line("ip_numbers", 300, _l("Needed when an application is filed or granted, e.g. "
                                             "CN202310123456.7; separate several with commas."))


class TeamForm(SectionForm):
    team = _text("team", _l("One person per line: name, institution, role in the project (clinical lead, "
                            "engineer, ...)."), max_length=3000, rows=6)


class CooperationForm(SectionForm):
    cooperation = MultiCheckboxField(FIELD_LABELS["cooperation"],
                                     choices=choices((m, COOPERATION_LABELS[m]) for m in COOPERATION_MODES))


class DeclarationForm(SectionForm):
    attests_no_patient_data = BooleanField(_l(
        "I confirm that the text and the attachments of this project contain no patient-identifiable "
        "information (names, ID, record or phone numbers, faces, addresses)."))


SECTION_FORMS: dict[str, type[SectionForm]] = {
    "summary": SummaryForm,
    "need": NeedForm,
    "solution": SolutionForm,
    "patients": PatientsForm,
    "device": DeviceForm,
    "progress": ProgressForm,
    "ip": IPForm,
    "team": TeamForm,
    "cooperation": CooperationForm,
    "declaration": DeclarationForm,
}


class AttachmentForm(FlaskForm):
    file = FileField(_l("File"), validators=[FileRequired(_l("Please choose a file to upload."))])
    attest = BooleanField(
        _l("This file contains no patient-identifiable information (names, ID or record numbers, faces)."),
        validators=[DataRequired(_l("Please confirm that the file contains no patient-identifiable "
                                    "information; remove or mask such data before uploading."))])


class SubmitForm(FlaskForm):
    lock_version = HiddenField()


class DeleteDraftForm(FlaskForm):
    """Deleting a draft never sent: the confirmation page's form (its CSRF token is all it carries)."""


class WithdrawForm(FlaskForm):
    reason = TextAreaField(_l("Why are you withdrawing the project?"), render_kw={"rows": 3},
                           validators=[DataRequired(_l("Please give a short reason; the administrators will "
                                                       "see it.")), Length(max=1000, message=TOO_LONG)])
    confirm = BooleanField(_l("I understand that a withdrawn project cannot be reopened; the submitted versions "
                              "stay on record."),
                           validators=[DataRequired(_l("Please confirm that you want to withdraw the project."))])


# --- after submitting: supplementary material, clarification questions and answers ------------------------------

NO_PATIENT_DATA = _l("The files contain no patient-identifiable information (names, ID or record numbers, faces).")
CONFIRM_NO_PATIENT_DATA = _l("Please confirm that the files contain no patient-identifiable information; remove or "
                             "mask such data before uploading.")


class _FilesAttested(FlaskForm):
    """A form with optional files (in the field named by `file_field`): the attestation is required once a file is
    chosen."""

    file_field = "file"

    def validate_attest(self, field) -> None:
        if self.chosen_files() and not field.data:
            raise ValidationError(CONFIRM_NO_PATIENT_DATA)

    def chosen_files(self) -> list:
        """The uploads actually chosen (a browser sends an empty part for a file input left empty)."""
        data = self[self.file_field].data
        return [f for f in (data if isinstance(data, list) else [data]) if f is not None and getattr(f, "filename", "")]


def _supplement_fields() -> dict:
    """The free-text answers, as their section forms define them (label, help, length limit)."""
    return {name: getattr(SECTION_FORMS[FIELD_SECTION[name]], name) for name in SUPPLEMENT_FIELDS}


class _SupplementBase(_FilesAttested):
    file_field = "files"
    lock_version = HiddenField()
    reason = TextAreaField(_l("Reason for the supplementary material"), render_kw={"rows": 3},
                           description=_l("What you add and why, e.g. new bench test results, an answer to a point "
                                          "the formal check raised. The panel reads it with the changes."),
                           validators=[DataRequired(_l("Please give the reason for the supplementary material.")),
                                       Length(max=1000, message=TOO_LONG)])
    files = MultipleFileField(_l("New attachments (optional)"))
    attest = BooleanField(NO_PATIENT_DATA)


# The reason, the free-text answers (prefilled with the current text) and new files.
SupplementForm = type("SupplementForm", (_SupplementBase,), _supplement_fields())


class ClarificationForm(FlaskForm):
    next = HiddenField()
    question = TextAreaField(_l("Question to the applicant"), render_kw={"rows": 4},
                             description=_l("The applicant does not see your name, and you will not see theirs."),
                             validators=[DataRequired(_l("Please write the question.")),
                                         Length(max=2000, message=TOO_LONG)])
    due_on = DateField(_l("Answer by"), description=_l("Beijing time, until the end of that day."),
                       validators=[DataRequired(_l("Please give a valid date, e.g. 2026-12-31."))])


class AnswerForm(_FilesAttested):
    answer = TextAreaField(_l("Your answer"), render_kw={"rows": 5},
                           validators=[DataRequired(_l("Please write your answer.")),
                                       Length(max=5000, message=TOO_LONG)])
    file = FileField(_l("A supporting file (optional)"))
    attest = BooleanField(NO_PATIENT_DATA)
