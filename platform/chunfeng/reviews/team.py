"""A blind summary of the project's team, for experts who score 团队与资源 without seeing the team section.

The team section is free text, one person per line: "name, institution and department, role, responsibilities"
(submissions.forms.TeamForm). What an expert may read is derived from it, never copied whole: for each person the
kind of institution (hospital, university, research institute, company), the discipline (the department after the
institution's name), the professional titles found in the line, and the role in the project. Names, institutions
and anything else that could identify a person are left out:

- the field before the institution (the name) and the institution's own name are dropped;
- a short field that looks like a Chinese name (a common surname and one to three more characters) is dropped;
- a field that contains a name or an institution seen anywhere in the section, the applicant's name or their
  organisation, a digit (telephone, ID, year) or an e-mail address is dropped;
- disciplines and roles are cut to a few words.

Administrators see the same summary at the formal check, so a line that would still identify someone can be
returned to the clinician before experts read it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

KIND_LABELS = {
    "hospital": _l("Hospital or medical institution"),
    "university": _l("University"),
    "institute": _l("Research institute"),
    "company": _l("Company"),
}

# (marker, kind): the last marker found in a field names the institution and ends its name.
INSTITUTION_MARKERS: tuple[tuple[str, str], ...] = (
    ("卫生院", "hospital"), ("保健院", "hospital"), ("医院", "hospital"), ("同院", "hospital"), ("本院", "hospital"),
    ("大学", "university"), ("研究院", "institute"), ("研究所", "institute"), ("科学院", "institute"),
    ("有限公司", "company"), ("公司", "company"), ("集团", "company"),
    ("hospital", "hospital"), ("university", "university"), ("institute", "institute"), ("academy", "institute"),
    ("company", "company"), ("co., ltd", "company"), ("ltd", "company"), ("inc.", "company"),
)

QUALIFICATIONS: tuple[str, ...] = (
    "主任医师", "副主任医师", "主治医师", "住院医师", "主任护师", "副主任护师", "主管护师", "护士长", "主任技师",
    "主管技师", "主任药师", "院士", "博士生导师", "硕士生导师", "副教授", "教授", "讲师", "副研究员", "助理研究员",
    "研究员", "高级工程师", "工程师", "博士后", "博士", "硕士", "PhD", "MD", "Professor", "Associate Professor",
    "Chief Physician", "Attending Physician", "Engineer", "Nurse",
)

SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔"
    "钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")

FIELD_SPLIT = re.compile(r"[，,\t]|(?<=\D)[:：]")
MEMBER_SPLIT = re.compile(r"[\n;；]+")
CJK_NAME = re.compile(r"^[\u4e00-\u9fff·]{2,4}$")
IDENTIFYING = re.compile(r"\d|@|https?:|www\.", re.IGNORECASE)
TEAM_WORDS = re.compile(r"(团队|课题组|小组)$")
MAX_WORDS = 24  # characters kept of a discipline or a role


@dataclass
class TeamMember:
    kind: str = ""  # KIND_LABELS key, or ""
    discipline: str = ""
    qualifications: list[str] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)

    @property
    def kind_label(self):
        return KIND_LABELS.get(self.kind, "")

    @property
    def empty(self) -> bool:
        return not (self.kind or self.discipline or self.qualifications or self.roles)


@dataclass
class TeamSummary:
    members: list[TeamMember]
    kinds: dict[str, int]  # kind -> number of people

    @property
    def kind_counts(self) -> list[tuple[object, int]]:
        return [(KIND_LABELS[kind], count) for kind, count in self.kinds.items()]


KIND_PRIORITY = ("hospital", "company", "institute", "university")  # a university hospital is a hospital
ROLE_WORDS = re.compile(r"负责|研究者|协作|设计|研发|开发|工程|测试|实验|临床|护理|统计|算法|注册|管理|顾问|"
                        r"lead|engineer|design|develop|test|clinical|nurs|advis|statist|regulat", re.IGNORECASE)


def _institution(text: str) -> tuple[str, int] | None:
    """(kind, end of the institution's name) in `text`: the name ends at the last institution marker; the kind
    is the first of KIND_PRIORITY among the markers found."""
    lowered = text.lower()
    kinds, end = set(), 0
    for marker, kind in INSTITUTION_MARKERS:
        at = lowered.rfind(marker)
        if at >= 0:
            kinds.add(kind)
            end = max(end, at + len(marker))
    return (next(k for k in KIND_PRIORITY if k in kinds), end) if kinds else None


def _qualifications(text: str) -> tuple[list[str], str]:
    """The titles named in `text` (longest first, each once) and the text without them."""
    found = []
    for title in sorted(QUALIFICATIONS, key=len, reverse=True):
        if title.lower() in text.lower():
            found.append(title)
            text = re.sub(re.escape(title), "", text, flags=re.IGNORECASE)
    return found, text.strip(" ，,、（）()")


def _looks_like_name(text: str) -> bool:
    return bool(CJK_NAME.match(text)) and text[0] in SURNAMES


def _member(line: str, withheld: set[str]) -> TeamMember:
    parts = [p.strip() for p in FIELD_SPLIT.split(line) if p.strip()]
    member = TeamMember()
    institution_at = next((i for i, part in enumerate(parts) if _institution(part)), None)
    for i, part in enumerate(parts):
        titles, rest = _qualifications(part)
        member.qualifications += [t for t in titles if t not in member.qualifications]
        if i == institution_at:
            kind, end = _institution(part)
            member.kind = kind
            member.discipline = _clean(TEAM_WORDS.sub("", _qualifications(part[end:])[1]), withheld)
        elif institution_at is not None and i < institution_at:
            continue  # the name, before the institution
        elif institution_at is None and i == 0 and len(parts) > 1 and not titles and not ROLE_WORDS.search(part):
            continue  # without an institution, a first field that is no role is taken for the name
        elif rest and not _looks_like_name(rest) and (cleaned := _clean(rest, withheld)):
            member.roles.append(cleaned)
    return member


def _clean(text: str, withheld: set[str]) -> str:
    text = text.strip(" ，,、。.")
    if not text or IDENTIFYING.search(text) or any(w and w in text for w in withheld):
        return ""
    return text[:MAX_WORDS]


def _withheld(lines: list[str], also: Iterable[str]) -> set[str]:
    """Names and institutions seen in the section (and the applicant's), which no kept text may contain."""
    withheld = {w.strip() for w in also if w and len(w.strip()) >= 2}
    for line in lines:
        parts = [p.strip() for p in FIELD_SPLIT.split(line) if p.strip()]
        for i, part in enumerate(parts):
            found = _institution(part)
            if found:
                name = part[:found[1]]
                if name not in ("同院", "本院"):
                    withheld.add(name)
                withheld.update(p for p in parts[:i] if len(p) >= 2)
                break
        withheld.update(p for p in parts if _looks_like_name(_qualifications(p)[1]))
    return withheld


def team_summary(text: str, applicant_name: str = "", applicant_org: str = "") -> TeamSummary:
    """The blind summary of a team section (see the module's description)."""
    lines = [line.strip() for line in MEMBER_SPLIT.split(text or "") if line.strip()]
    withheld = _withheld(lines, (applicant_name, applicant_org))
    members = [m for m in (_member(line, withheld) for line in lines) if not m.empty]
    kinds: dict[str, int] = {}
    for member in members:
        if member.kind:
            kinds[member.kind] = kinds.get(member.kind, 0) + 1
    return TeamSummary(members, kinds)
