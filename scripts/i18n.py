#!/usr/bin/env python3
"""Translation catalogues, one per domain: `python scripts/i18n.py update|compile|check|fill DOMAIN FILE.json`.

English msgids in the code and templates; Chinese (zh_Hans_CN) catalogues beside each domain:
platform/chunfeng/translations/ for the shell (top-level modules, main, core, base templates) and
platform/chunfeng/<domain>/translations/ for each domain (its package and templates/<domain>/).
`update` adds new msgids (empty) and drops obsolete ones; `check` lists what has no Chinese translation.
"""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "platform" / "chunfeng"
TEMPLATES = ROOT / "templates"
LOCALE = "zh_Hans_CN"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None, "N_": None, "Nn_": (1, 2)}
SHELL_PARTS = ("main", "core")


def domains() -> dict[str, tuple[Path, list[tuple[Path, bool]]]]:
    """name -> (catalogue folder, [(source folder, recursive)])."""
    shell_sources = [(PACKAGE, False), (TEMPLATES, False)]
    shell_sources += [(PACKAGE / p, True) for p in SHELL_PARTS] + [(TEMPLATES / p, True) for p in
                                                                     ("main", "errors", "macros", "core")]
    found = {"shell": (PACKAGE / "translations", shell_sources)}
    for package in sorted(p for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()):
        if package.name in SHELL_PARTS:
            continue
        found[package.name] = (package / "translations", [(package, True), (TEMPLATES / package.name, True)])
    return found


def _extract(sources: list[tuple[Path, bool]]) -> Catalog:
    catalog = Catalog(locale=LOCALE, project="chunfeng")
    method_map = [("**.py", "python"), ("**.html", "jinja2.ext:babel_extract")]
    for folder, recursive in sources:
        if not folder.is_dir():
            continue

        def keep(dirname: str, _folder: Path = folder, _recursive: bool = recursive) -> bool:
            return _recursive and "translations" not in dirname and "__pycache__" not in dirname

        for filename, lineno, message, comments, context in extract_from_dir(
            str(folder), method_map, keywords=KEYWORDS, directory_filter=keep,
            options_map={"**.html": {"extensions": "jinja2.ext.do"}},
        ):
            catalog.add(message, None, [(str(Path(folder, filename).relative_to(ROOT)), lineno)],
                        auto_comments=comments, context=context)
    return catalog


def po_path(folder: Path) -> Path:
    return folder / LOCALE / "LC_MESSAGES" / "messages.po"


def _read(path: Path) -> Catalog:
    if not path.exists():
        return Catalog(locale=LOCALE, project="chunfeng")
    with path.open("rb") as handle:
        return read_po(handle, locale=LOCALE)


def update() -> None:
    for name, (folder, sources) in domains().items():
        template = _extract(sources)
        if not len(template) and not po_path(folder).exists():
            continue
        catalog = _read(po_path(folder))
        created = catalog.creation_date
        catalog.update(template, no_fuzzy_matching=True)
        catalog.creation_date = created  # keep the header stable so an update without changes leaves no diff
        catalog.obsolete.clear()
        po_path(folder).parent.mkdir(parents=True, exist_ok=True)
        _write(po_path(folder), catalog)
        print(f"{name}: {len(template)} messages")


def _write(path: Path, catalog: Catalog) -> None:
    """Write a catalogue without the Babel version in its header, so a newer Babel leaves no diff."""
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=0, no_location=True, sort_output=True, include_previous=False)
    path.write_bytes(re.sub(rb'"Generated-By: Babel [^\\"]*\\n"', rb'"Generated-By: Babel\\n"', buffer.getvalue()))


def compile_all() -> None:
    for _name, (folder, _sources) in domains().items():
        path = po_path(folder)
        if path.exists():
            with path.with_suffix(".mo").open("wb") as handle:
                write_mo(handle, _read(path), use_fuzzy=False)


def missing() -> dict[str, list[str]]:
    """msgids used in code or templates with no Chinese translation, per domain."""
    result = {}
    for name, (folder, sources) in domains().items():
        catalog = _read(po_path(folder))
        absent = []
        for message in _extract(sources):
            if not message.id:
                continue
            found = catalog.get(message.id, message.context)
            strings = found.string if found is not None else None
            if found is None or found.fuzzy or not (all(strings) if isinstance(strings, tuple) else strings):
                absent.append(message.id if isinstance(message.id, str) else message.id[0])
        if absent:
            result[name] = absent
    return result


def fill(domain: str, mapping_file: Path) -> int:
    """Set Chinese strings from a JSON object {msgid: msgstr}; returns how many entries changed."""
    import json

    folder = domains()[domain][0]
    catalog = _read(po_path(folder))
    mapping = json.loads(mapping_file.read_text(encoding="utf-8"))
    changed = 0
    for message in catalog:
        if message.id and isinstance(message.id, str) and message.id in mapping:
            message.string, message.flags = mapping[message.id], set()
            changed += 1
    _write(po_path(folder), catalog)
    return changed


def conflicts() -> dict[str, set[str]]:
    """msgids translated differently by two catalogues: Flask-Babel merges them, so one would silently win."""
    seen: dict[str, set[str]] = {}
    for _name, (folder, _sources) in domains().items():
        for message in _read(po_path(folder)):
            if message.id and isinstance(message.id, str) and message.string and not message.context:
                seen.setdefault(message.id, set()).add(message.string)
    return {msgid: strings for msgid, strings in seen.items() if len(strings) > 1}


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "check"
    if command == "update":
        update()
    elif command == "fill":  # python scripts/i18n.py fill DOMAIN mapping.json
        print(f"{fill(argv[2], Path(argv[3]))} entries set")
    elif command == "compile":
        compile_all()
    elif command == "check":
        gaps, clashes = missing(), conflicts()
        for name, ids in gaps.items():
            print(f"{name}: {len(ids)} untranslated")
            for msgid in ids:
                print(f"  {msgid!r}")
        for msgid, strings in clashes.items():
            print(f"translated differently across catalogues: {msgid!r}: {sorted(strings)}")
        return 1 if gaps or clashes else 0
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
