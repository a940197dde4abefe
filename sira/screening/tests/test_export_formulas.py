"""Issue 10, item 8: every CSV or XLSX that leaves Sira neutralises formula cells (= + - @ tab CR): the
case exports (sira/cases/tests/test_export.py), the catalogue comparison CSV (admin and command) and
the XLSForm workbook."""

import io

from openpyxl import Workbook, load_workbook

from sira.core.spreadsheet import neutralise_workbook, safe_cell
from sira.screening import rescore
from sira.screening.services import current_catalogue
from sira.screening.xlsform import build_workbook

ATTACKS = ["=cmd|' /C calc'!A0", '+HYPERLINK("http://x")', "-2+3", "@SUM(A1)", "\tx", "\rx"]


def test_every_formula_start_is_neutralised():
    assert [safe_cell(a) for a in ATTACKS] == ["'" + a for a in ATTACKS]
    assert safe_cell("Bamako") == "Bamako" and safe_cell(12) == 12


def test_the_comparison_csv_neutralises_its_cells():
    rows = [rescore.Row(1, "2026.1", "strong", "=cmd|x", "some", True, "+HYPERLINK(1)")]
    out = io.StringIO()
    rescore.write_csv(rows, out)
    body = out.getvalue()
    assert "'=cmd|x" in body and "'+HYPERLINK(1)" in body
    assert ",=cmd" not in body


def test_an_xlsx_keeps_formula_looking_text_as_text():
    workbook = Workbook()
    workbook.active.append(["=SUM(A2:A9)", "ok"])
    neutralise_workbook(workbook)
    out = io.BytesIO()
    workbook.save(out)
    cell = load_workbook(io.BytesIO(out.getvalue())).active["A1"]
    assert cell.data_type == "s" and cell.value == "=SUM(A2:A9)"


def test_the_xlsform_has_no_formula_cell(db):
    out = io.BytesIO()
    build_workbook(current_catalogue()).save(out)
    workbook = load_workbook(io.BytesIO(out.getvalue()))
    assert all(c.data_type != "f" for s in workbook.worksheets for r in s.iter_rows() for c in r)
