"""Reading and writing the record sheets as Excel workbooks (openpyxl) and CSV files.

Layout of every sheet (and CSV file): row 1 the column names (with a comment saying what the
column is), row 2 a description row (``(required) · text in English · rdfs:label``), then
one record per row. A workbook has a hidden ``lists`` sheet that feeds the drop-downs.
CSV files are UTF-8 with a byte-order mark, so a spreadsheet opens Cyrillic intact.
Files are written aside and renamed into place.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import InputError, UsageError
from kg.fileio import write_atomic
from kg.tables import Sheet

__all__ = ["InTable", "OutTable", "read_tables", "write_csv", "write_xlsx"]

LISTS_SHEET = "lists"
DESCRIPTION_MARKERS = ("(required)", "(optional)")
_MAX_ROWS = 1000  # rows the drop-downs and date formats cover


@dataclass
class OutTable:
    """A sheet to write: its layout, rows (cells in column order) and drop-downs.

    ``lists`` maps a column name to (list name in the ``lists`` sheet, strict?): strict lists
    refuse other values; the others warn (a new thing may be defined in the same file).
    """

    sheet: Sheet
    rows: list[list[object]] = field(default_factory=list)
    lists: dict[str, tuple[str, bool]] = field(default_factory=dict)


@dataclass
class InTable:
    """A sheet read from a file: its name, header, and (row number, cells) per data row."""

    file: str
    name: str
    header: list[str]
    rows: list[tuple[int, list[object]]]


def _atomic_write(target: Path, payload: bytes) -> None:
    write_atomic(target, payload)


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)


def write_xlsx(path: Path | str, tables: Sequence[OutTable], lists: dict[str, list[str]]) -> None:
    """Write a workbook: one sheet per table, a hidden ``lists`` sheet, drop-downs, dates."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    wb.remove(wb.active)
    list_names = sorted(lists)
    list_ref: dict[str, str] = {}
    ws_lists = wb.create_sheet(LISTS_SHEET)
    for col, name in enumerate(list_names, start=1):
        letter = _column_letter(col)
        ws_lists.cell(row=1, column=col, value=name).font = Font(bold=True)
        values = lists[name]
        for row, value in enumerate(values, start=2):
            ws_lists.cell(row=row, column=col, value=value)
        last = max(len(values) + 1, 2)
        list_ref[name] = f"{LISTS_SHEET}!${letter}$2:${letter}${last}"
    ws_lists.sheet_state = "hidden"

    header_font = Font(bold=True, color="FFFFFF")
    required_fill = PatternFill("solid", fgColor="9C2A00")
    optional_fill = PatternFill("solid", fgColor="305496")
    desc_font = Font(italic=True, color="595959", size=9)
    for table in tables:
        sheet = table.sheet
        ws = wb.create_sheet(sheet.name)
        for col, fld in enumerate(sheet.fields, start=1):
            cell = ws.cell(row=1, column=col, value=fld.name)
            cell.font = header_font
            cell.fill = required_fill if fld.required else optional_fill
            cell.comment = Comment(fld.describe(), "migkg", width=320, height=120)
            desc = ws.cell(row=2, column=col, value=fld.describe())
            desc.font = desc_font
            desc.alignment = Alignment(wrap_text=True, vertical="top")
            width = 14 if fld.type in ("date", "period", "year", "integer", "decimal") else 28
            ws.column_dimensions[_column_letter(col)].width = width
        ws.row_dimensions[2].height = 60
        ws.freeze_panes = "B3"
        for r, values in enumerate(table.rows, start=3):
            for col, value in enumerate(values, start=1):
                if value is None or value == "":
                    continue
                cell = ws.cell(row=r, column=col, value=value)
                if isinstance(value, dt.date):
                    cell.number_format = "yyyy-mm-dd"
                elif isinstance(value, str):
                    cell.data_type = "s"  # text, even when it starts with '='
                    cell.number_format = "@"
                    if "\n" in value:
                        cell.alignment = Alignment(wrap_text=True)
        last_row = max(_MAX_ROWS, len(table.rows) + 2)
        for col, fld in enumerate(sheet.fields, start=1):
            letter = _column_letter(col)
            area = f"{letter}3:{letter}{last_row}"
            if fld.type in ("date", "period"):
                for r in range(3 + len(table.rows), min(last_row, 3 + len(table.rows) + 200)):
                    ws.cell(row=r, column=col).number_format = "yyyy-mm-dd"
                dv = DataValidation(type="date", operator="greaterThan",
                                    formula1="DATE(1900,1,1)", allow_blank=True,
                                    showErrorMessage=True, errorStyle="stop",
                                    error="a date, YYYY-MM-DD", errorTitle=fld.name)
                dv.add(area)
                ws.add_data_validation(dv)
            elif fld.type in ("integer", "decimal"):
                dv = DataValidation(type="whole" if fld.type == "integer" else "decimal",
                                    operator="greaterThanOrEqual", formula1="0",
                                    allow_blank=True, showErrorMessage=True,
                                    errorStyle="stop", error="a number", errorTitle=fld.name)
                dv.add(area)
                ws.add_data_validation(dv)
            if fld.name in table.lists:
                name, strict = table.lists[fld.name]
                if name not in list_ref:
                    continue
                dv = DataValidation(
                    type="list", formula1=f"={list_ref[name]}", allow_blank=True,
                    showErrorMessage=True, errorStyle="stop" if strict else "warning",
                    errorTitle=fld.name,
                    error=("pick a value from the list" if strict else
                           "not in the list: fine for a thing defined in this workbook, "
                           "or several values separated by ' | '"),
                )
                dv.add(area)
                ws.add_data_validation(dv)
    # keep the lists sheet last, the first data sheet active
    wb.move_sheet(LISTS_SHEET, offset=len(wb.sheetnames))
    wb.active = 0
    buffer = io.BytesIO()
    wb.save(buffer)
    _atomic_write(Path(path), buffer.getvalue())


def _csv_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def write_csv(path: Path | str | None, table: OutTable) -> bytes:
    """Write one sheet as CSV (UTF-8 with BOM); ``path`` None returns the bytes only."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table.sheet.columns)
    writer.writerow([f.describe() for f in table.sheet.fields])
    for row in table.rows:
        writer.writerow([_csv_cell(v) for v in row])
    payload = ("\ufeff" + out.getvalue()).encode("utf-8")
    if path is not None:
        _atomic_write(Path(path), payload)
    return payload


def _is_description_row(cells: Sequence[object]) -> bool:
    texts = [str(c).strip() for c in cells if c not in (None, "")]
    return bool(texts) and all(t.startswith(DESCRIPTION_MARKERS) for t in texts)


def _trim(cells: list[object]) -> list[object]:
    out = ["" if c is None else c for c in cells]
    while out and out[-1] == "":
        out.pop()
    return out


def _from_rows(file: str, name: str, raw: list[list[object]]) -> InTable:
    header = [str(c).strip() for c in _trim(raw[0])] if raw else []
    rows: list[tuple[int, list[object]]] = []
    for number, raw_cells in enumerate(raw[1:], start=2):
        cells = _trim(list(raw_cells))
        if not any(str(c).strip() for c in cells):
            continue
        if number == 2 and _is_description_row(cells):
            continue
        rows.append((number, cells))
    return InTable(file, name, header, rows)


def read_tables(path: Path | str) -> list[InTable]:
    """Read the sheets of a workbook (``.xlsx``) or one CSV file; ``lists`` is skipped."""
    path = Path(path)
    display = str(path)
    if not path.is_file():
        raise UsageError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as err:
            raise InputError(f"{display}: not UTF-8 text: {err}") from None
        raw = [list(r) for r in csv.reader(io.StringIO(text))]
        return [_from_rows(display, path.stem, raw)]
    if suffix in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        try:
            wb = load_workbook(path, data_only=True, read_only=True)
        except Exception as err:
            raise InputError(f"{display}: cannot read workbook: {err}") from None
        tables = []
        for ws in wb.worksheets:
            if ws.title == LISTS_SHEET:
                continue
            raw = [list(r) for r in ws.iter_rows(values_only=True)]
            if not raw:
                continue
            tables.append(_from_rows(display, ws.title, raw))
        wb.close()
        return tables
    raise UsageError(f"{path}: unsupported file type {path.suffix!r}; use .xlsx or .csv")
