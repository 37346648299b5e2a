"""Rubrics as versioned data: the default rubric (docs/rubric.md), copies, edits of drafts, activation.

Only draft rubrics change. Rounds use active rubrics, and a score points at the criterion row of the version it was
given under, so a rubric in use is never edited: an administrator copies it into a new draft version instead.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select

from ..core.services import record
from ..db import db
from .errors import ReviewError
from .lifecycles import RubricEvent, rubric_lifecycle, step
from .models import Bilingual, Criterion, Gate, Rubric, RubricStatus

DEFAULT_NAME_ZH = "春雨行动临床价值筛选评价参考标准"
DEFAULT_NAME_EN = "Spring Rain Action clinical-value screening rubric"

# key, weight, name zh/en, then anchors 5, 3, 1 as (zh, en)
DEFAULT_CRITERIA = (
    ("need", 20, "临床需求迫切性", "Urgency of clinical need",
     ("严重疾病或罕见病、儿童、老年疾病，目前缺乏有效诊疗手段，患者群体大或长期被忽视",
      "Serious or rare, paediatric or geriatric condition with no effective means today; large or neglected "
      "patient population"),
     ("需求真实存在，已有替代手段但效果不足", "Real need; alternatives exist but fall short"),
     ("仅带来边际性的便利", "Marginal convenience")),
    ("benefit", 20, "临床获益与安全性", "Clinical benefit and safety",
     ("较现行标准诊疗在疗效或安全性上有根本性改善，且有可行的证据获取路径",
      "Fundamental improvement in outcome or safety over the standard of care, with a plausible evidence path"),
     ("有一定程度的改善", "Moderate improvement"),
     ("获益不明确或无获益", "Unclear or no benefit")),
    ("novelty", 15, "创新性", "Novelty",
     ("国内首创，原理或作用机理新颖，达到国际领先水平",
      "First in China; new principle or mechanism; internationally leading"),
     ("在已知产品基础上的改进", "Improvement on known products"),
     ("仿制已上市产品", "Copy of a marketed product")),
    ("feasibility", 15, "技术可行性与成熟度", "Technical feasibility and maturity",
     ("已有样机或产品基本定型，数据可追溯", "Prototype or design essentially finalised, with traceable data"),
     ("已完成设计并有部分验证", "Design with partial validation"),
     ("仅有构想，关键技术尚未解决", "Idea only; key technology unsolved")),
    ("ip", 10, "知识产权", "Intellectual property",
     ("已获发明专利授权，或有检索报告证实新颖性",
      "Invention patent granted, or a search report confirming novelty"),
     ("已提交专利申请", "Patent application filed"),
     ("无知识产权，或自由实施（FTO）存疑", "None, or freedom to operate doubtful")),
    ("translation", 15, "转化前景", "Translation prospects",
     ("注册路径清晰（管理类别、审评前置或创新通道），目标市场和支付方明确",
      "Clear registration path (device class, pre-review or innovation channel); market and payer identified"),
     ("注册路径可行，市场前景尚不清晰", "Path plausible, market vague"),
     ("尚无可行的注册路径", "No path")),
    ("team", 5, "团队与资源", "Team and resources",
     ("临床与工程团队齐备，有医院支持及合作企业意向",
      "Clinical and engineering team, hospital support, partner interest"),
     ("团队部分具备", "Partial team"),
     ("仅个人，缺乏资源", "Single person, no resources")),
)

DEFAULT_GATES = (
    ("ethics", "伦理与合规", "Ethics and compliance",
     "无不可接受的伦理风险；申报材料中不含可识别患者身份的信息。",
     "No unacceptable ethics risk; no patient-identifiable data in the materials."),
    ("complete", "资料完整", "Complete materials",
     "申报材料已完整填写全部必填内容。", "The submission answers every required section."),
)


def default_rubric_rows() -> tuple[list[dict], list[dict]]:
    criteria = [
        dict(key=key, weight=weight, name_zh=zh, name_en=en, anchor_5_zh=a5[0], anchor_5_en=a5[1],
             anchor_3_zh=a3[0], anchor_3_en=a3[1], anchor_1_zh=a1[0], anchor_1_en=a1[1])
        for key, weight, zh, en, a5, a3, a1 in DEFAULT_CRITERIA
    ]
    gates = [dict(key=key, name_zh=zh, name_en=en, description_zh=dzh, description_en=den)
             for key, zh, en, dzh, den in DEFAULT_GATES]
    return criteria, gates


class _Reference(Bilingual):
    name_zh, name_en = DEFAULT_NAME_ZH, DEFAULT_NAME_EN


def reference_pending() -> bool:
    """No rubric is active and the reference rubric was never made: `ensure_default_rubric` would create it."""
    return newest_active() is None and db.session.scalar(
        select(Rubric.id).where(Rubric.name_zh == DEFAULT_NAME_ZH).limit(1)) is None


def reference_name() -> str:
    """The reference rubric's name in the user's language (offered before it exists, as version 1)."""
    return _Reference().text("name")


def ensure_default_rubric(actor=None) -> Rubric:
    """The newest active rubric; on an empty database, create v1 of the reference rubric (docs/rubric.md)."""
    if existing := newest_active():
        return existing
    if not reference_pending():
        raise ReviewError(_("No active rubric: activate a rubric version first."))
    rubric = rubric_lifecycle.begin(Rubric(name_zh=DEFAULT_NAME_ZH, name_en=DEFAULT_NAME_EN, version=1,
                                           note="docs/rubric.md v1", created_by_id=getattr(actor, "id", None)))
    criteria, gates = default_rubric_rows()
    _set_rows(rubric, criteria, gates)
    db.session.add(rubric)
    db.session.flush()
    record("rubric.created", rubric, actor=actor, version=1, source="default")
    activate(rubric, actor)
    return rubric


def newest_active() -> Rubric | None:
    return db.session.scalar(
        select(Rubric).where(Rubric.status == RubricStatus.ACTIVE).order_by(Rubric.id.desc()).limit(1))


def active_rubrics() -> list[Rubric]:
    return list(db.session.scalars(
        select(Rubric).where(Rubric.status == RubricStatus.ACTIVE).order_by(Rubric.name_zh, Rubric.version)))


def all_rubrics() -> list[Rubric]:
    return list(db.session.scalars(select(Rubric).order_by(Rubric.name_zh, Rubric.version.desc())))


def copy_rubric(source: Rubric, actor) -> Rubric:
    """A new draft version of the same rubric, with the same criteria and gates, ready to edit."""
    version = db.session.scalar(select(func.max(Rubric.version)).where(Rubric.name_zh == source.name_zh)) or 0
    rubric = rubric_lifecycle.begin(Rubric(name_zh=source.name_zh, name_en=source.name_en, version=version + 1,
                                           parent_id=source.id, note=source.note, created_by_id=actor.id))
    _set_rows(rubric, [_criterion_row(c) for c in source.criteria], [_gate_row(g) for g in source.gates])
    db.session.add(rubric)
    db.session.flush()
    record("rubric.copied", rubric, actor=actor, source_id=source.id, version=rubric.version)
    return rubric


CRITERION_FIELDS = ("key", "weight", "name_zh", "name_en", "anchor_5_zh", "anchor_5_en", "anchor_3_zh",
                    "anchor_3_en", "anchor_1_zh", "anchor_1_en")
GATE_FIELDS = ("key", "name_zh", "name_en", "description_zh", "description_en")


def _criterion_row(criterion: Criterion) -> dict:
    return {name: getattr(criterion, name) for name in CRITERION_FIELDS}


def _gate_row(gate: Gate) -> dict:
    return {name: getattr(gate, name) for name in GATE_FIELDS}


def _set_rows(rubric: Rubric, criteria: Sequence[dict], gates: Sequence[dict]) -> None:
    rubric.criteria = [Criterion(position=i, **row) for i, row in enumerate(criteria)]
    rubric.gates = [Gate(position=i, **row) for i, row in enumerate(gates)]


@dataclass
class RubricEdit:
    name_zh: str
    name_en: str
    note: str
    criteria: list[dict]
    gates: list[dict]


def update_draft(rubric: Rubric, edit: RubricEdit, actor) -> None:
    """Replace a draft's texts, criteria and gates (a draft has no scores yet, so rows may be replaced)."""
    if rubric.status != RubricStatus.DRAFT:
        raise ReviewError(_("This rubric version is in use and cannot change. Copy it to make a new version."))
    rubric.name_zh, rubric.name_en, rubric.note = edit.name_zh.strip(), edit.name_en.strip(), edit.note.strip()
    rubric.criteria.clear()
    rubric.gates.clear()
    db.session.flush()
    _set_rows(rubric, edit.criteria, edit.gates)
    db.session.flush()
    record("rubric.edited", rubric, actor=actor, version=rubric.version)


def problems(rubric: Rubric) -> list[str]:
    """Why a draft cannot be activated yet (empty when it can)."""
    found = []
    if not rubric.criteria:
        found.append(_("A rubric needs at least one criterion."))
    if abs(rubric.total_weight - 100) > 1e-6:
        total = format(rubric.total_weight, "g")
        found.append(_("The criteria weights add up to %(total)s; they must add up to 100.", total=total))
    keys = [c.key for c in rubric.criteria] + [g.key for g in rubric.gates]
    if len(set(keys)) != len(keys):
        found.append(_("Each criterion and gate needs its own key."))
    if any(not (c.anchor_1_zh and c.anchor_3_zh and c.anchor_5_zh) for c in rubric.criteria):
        found.append(_("Every criterion needs its anchors for 1, 3 and 5 in Chinese."))
    return found


def activate(rubric: Rubric, actor) -> None:
    if not rubric_lifecycle.allowed(rubric.status, RubricEvent.ACTIVATE):
        raise ReviewError(_("Only a draft can be activated."))
    if found := problems(rubric):
        raise ReviewError(" ".join(found))
    rubric_lifecycle.apply(rubric, RubricEvent.ACTIVATE, actor, version=rubric.version)


def archive(rubric: Rubric, actor) -> None:
    step(rubric_lifecycle, rubric, RubricEvent.ARCHIVE, actor, _("Only an active rubric can be archived."),
         version=rubric.version)


def discard_draft(rubric: Rubric, actor) -> None:
    if rubric.status != RubricStatus.DRAFT:
        raise ReviewError(_("Only a draft can be discarded."))
    record("rubric.discarded", rubric, actor=actor, version=rubric.version)
    db.session.delete(rubric)


_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def edit_from_rows(name_zh: str, name_en: str, note: str, criteria: Sequence[dict],
                   gates: Sequence[dict]) -> RubricEdit:
    """A RubricEdit from the edit form's rows: rows marked `remove` or left blank are dropped; the others
    need a key (lower-case letters, digits, _) and a Chinese name, and criteria a weight."""
    kept_criteria = [_clean_row(row, CRITERION_FIELDS) for row in criteria if _kept(row)]
    kept_gates = [_clean_row(row, GATE_FIELDS) for row in gates if _kept(row)]
    for row in kept_criteria + kept_gates:
        if not _KEY.match(row["key"]):
            raise ReviewError(_("Keys use lower-case letters, digits and _ and start with a letter: %(key)s",
                                key=row["key"] or "—"))
        if not row["name_zh"]:
            raise ReviewError(_("Every criterion and gate needs a Chinese name (key %(key)s).", key=row["key"]))
    for row in kept_criteria:
        if row["weight"] is None:
            raise ReviewError(_("Every criterion needs a weight (key %(key)s).", key=row["key"]))
    return RubricEdit(name_zh, name_en, note, kept_criteria, kept_gates)


def _kept(row: dict) -> bool:
    return not row.get("remove") and any(
        (value or "").strip() if isinstance(value, str) else value is not None
        for name, value in row.items() if name not in ("remove", "csrf_token"))


def _clean_row(row: dict, names: Sequence[str]) -> dict:
    return {name: (row.get(name) or "").strip() if name != "weight" else row.get(name) for name in names}


def form_rows(rubric: Rubric) -> dict:
    """The rubric as the edit form's data, with one empty row to add a criterion and one to add a gate."""
    return {
        "name_zh": rubric.name_zh, "name_en": rubric.name_en, "note": rubric.note,
        "criteria": [_criterion_row(c) for c in rubric.criteria] + [{}],
        "gates": [_gate_row(g) for g in rubric.gates] + [{}],
    }
