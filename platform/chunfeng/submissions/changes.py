"""What changed between two versions of a project, for reading: the changed answers section by section, each as a
text diff (deleted and inserted runs), and the files a version added. Plain data for the templates; the blind
variant (for experts) leaves out the sections that name people and every file name."""

from __future__ import annotations

from dataclasses import dataclass, field
from difflib import SequenceMatcher

from .models import ProjectVersion
from .sections import FIELD_LABELS, IDENTIFYING_SECTIONS, SECTIONS, display_value

# Above this many characters a replaced block is shown as deleted then inserted instead of character by character
# (a character diff costs the product of the two lengths).
_CHAR_DIFF_LIMIT = 3000


@dataclass(frozen=True)
class Segment:
    op: str  # "equal" | "delete" | "insert"
    text: str


@dataclass
class FieldChange:
    name: str
    label: object
    segments: list[Segment]


@dataclass
class SectionChange:
    key: str
    label: object
    fields: list[FieldChange] = field(default_factory=list)


@dataclass(frozen=True)
class AddedFile:
    position: int  # 1-based among the files this version added (the only name experts see)
    name: str  # "" in the blind variant
    extension: str
    size: int
    sha256: str
    attachment_id: int | None


def _text(name: str, value) -> str:
    shown = display_value(name, value)
    if isinstance(shown, list):
        return "、".join(shown)
    if isinstance(shown, bool):
        return "✓" if shown else "✗"
    return str(shown).replace("\r\n", "\n")


def _merge(segments: list[Segment]) -> list[Segment]:
    merged: list[Segment] = []
    for segment in segments:
        if not segment.text:
            continue
        if merged and merged[-1].op == segment.op:
            merged[-1] = Segment(segment.op, merged[-1].text + segment.text)
        else:
            merged.append(segment)
    return merged


def _by_character(old: str, new: str) -> list[Segment]:
    out = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(Segment("equal", old[i1:i2]))
        else:
            out += [Segment("delete", old[i1:i2]), Segment("insert", new[j1:j2])]
    return out


def text_diff(before: str, after: str) -> list[Segment]:
    """`before` -> `after` as runs kept, deleted and inserted: line by line, and character by character inside the
    lines replaced (Chinese text has no spaces to split words at)."""
    before, after = before.replace("\r\n", "\n"), after.replace("\r\n", "\n")
    old_lines, new_lines = before.splitlines(keepends=True), after.splitlines(keepends=True)
    out: list[Segment] = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, old_lines, new_lines, autojunk=False).get_opcodes():
        old, new = "".join(old_lines[i1:i2]), "".join(new_lines[j1:j2])
        if op == "equal":
            out.append(Segment("equal", old))
        elif op == "replace" and len(old) + len(new) <= _CHAR_DIFF_LIMIT:
            out += _by_character(old, new)
        else:
            out += [Segment("delete", old), Segment("insert", new)]
    return _merge(out)


def section_changes(previous: ProjectVersion | None, version: ProjectVersion, blind: bool = False,
                    ) -> list[SectionChange]:
    """The answers of `version` that differ from `previous`, grouped by section in form order."""
    if previous is None:
        return []
    before, after = previous.content.get("fields", {}), version.content.get("fields", {})
    found = []
    for section in SECTIONS:
        if blind and section.key in IDENTIFYING_SECTIONS:
            continue
        fields = [FieldChange(name, FIELD_LABELS[name], text_diff(_text(name, before.get(name)),
                                                                  _text(name, after.get(name))))
                  for name in section.fields if name in after and before.get(name) != after.get(name)]
        if fields:
            found.append(SectionChange(section.key, section.label, fields))
    return found


def added_files(previous: ProjectVersion | None, version: ProjectVersion, blind: bool = False) -> list[AddedFile]:
    """The files listed in `version` and not in `previous` (same id and digest)."""
    known = {(item.get("id"), item.get("sha256")) for item in (previous.content.get("attachments", [])
                                                                if previous is not None else [])}
    new = [item for item in version.content.get("attachments", [])
           if (item.get("id"), item.get("sha256")) not in known]
    added = []
    for position, item in enumerate(new, start=1):
        name = item.get("name", "")
        extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        added.append(AddedFile(position, "" if blind else name, extension, item.get("size", 0),
                               item.get("sha256", ""), item.get("id")))
    return added
