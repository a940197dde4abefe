"""Cells that leave Sira in a CSV or XLSX file: a text cell that spreadsheet software would run as a
formula (CSV injection: `=cmd|…`, `+HYPERLINK(…)`, `@SUM(…)`) is neutralised. Every exporter writes its
cells through `safe_cell` (CSV) or `neutralise_workbook` (XLSX)."""

# A cell starting with one of these is run as a formula by spreadsheet software.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Neutralise spreadsheet formulas: a text cell starting with = + - @ tab or CR gets a leading
    apostrophe, so Excel and LibreOffice show it as text instead of running it."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def neutralise_workbook(workbook) -> None:
    """An XLSX written by openpyxl keeps typed strings as strings, except those starting with `=`,
    which openpyxl turns into formulas: they are set back to plain text, unchanged."""
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
