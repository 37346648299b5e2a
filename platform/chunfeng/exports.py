"""Spreadsheet exports shared by every domain: CSV and XLSX with formula cells neutralised.

Times (datetime values) are written in the platform's zone with their offset, to the second.
A cell whose text starts with = + - @ (or a tab or carriage return) is run as a formula by Excel and WPS
("CSV injection"); `neutralise_cell` prefixes such text with an apostrophe so it is shown as typed. Numbers,
dates and None pass through unchanged, so sums and sorting still work.

    rows = [["项目", "均分"], ["=HYPERLINK(...)", 81.5]]
    csv_bytes(rows)                                 # UTF-8 with BOM, so Excel opens Chinese correctly
    xlsx_bytes({"汇总": rows, "评审明细": more})     # one sheet per entry
    download(data, "2026年春季批次.csv")             # a Flask response with a safe Content-Disposition
    csv_response("audit.csv", header, rows)         # both steps at once for one table
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from flask import Response, send_file
from openpyxl import Workbook

from .core.clock import to_local

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
MIME = {
    "csv": "text/csv",  # werkzeug adds "; charset=utf-8" to text types
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def neutralise_cell(value: Any) -> Any:
    """The value as it may safely be written to a spreadsheet cell (text that would run as a formula gets a
    leading apostrophe); non-text values are returned unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _row(values: Iterable[Any]) -> list[Any]:
    return [neutralise_cell(export_time(v) if isinstance(v, datetime) else v) for v in values]


def export_time(moment: datetime) -> str:
    """A stored (UTC) time as users read it: in the platform's zone with its offset, to the second
    ("2026-03-01 19:32:08+08:00"), so a spreadsheet never shows UTC with microseconds beside a page in local time."""
    return to_local(moment).replace(microsecond=0).isoformat(sep=" ")


def csv_bytes(rows: Iterable[Sequence[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(["" if v is None else v for v in _row(row)])
    return buffer.getvalue().encode("utf-8-sig")


def xlsx_bytes(sheets: Mapping[str, Iterable[Sequence[Any]]]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title=_sheet_title(title))
        for row in rows:
            sheet.append([_xlsx_value(v) for v in _row(row)])
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, (list, tuple, set)):
        return neutralise_cell("、".join(str(v) for v in value))
    if isinstance(value, (str, int, float, bool, date, datetime)) or value is None:
        return value
    return neutralise_cell(str(value))  # e.g. lazy translations


def _sheet_title(title: str) -> str:
    return "".join(c for c in title if c not in "[]:*?/\\")[:31] or "Sheet"


def download(data: bytes, filename: str) -> Response:
    extension = filename.rsplit(".", 1)[-1]
    response = send_file(io.BytesIO(data), mimetype=MIME.get(extension, "application/octet-stream"),
                         as_attachment=True, download_name=filename)
    response.headers["Cache-Control"] = "no-store"
    return response


def csv_response(filename: str, header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> Response:
    """One table as a CSV download: the header row, then `rows` (any iterable, e.g. a generator)."""
    return download(csv_bytes(_with_header(header, rows)), filename)


def _with_header(header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> Iterable[Sequence[Any]]:
    yield header
    yield from rows
