"""Every kind of bad input ends in an InputFileError that names the file.

Each broken file is built inside its test.
"""

from __future__ import annotations

import struct
import zipfile
import zlib

import openpyxl
import pytest

from leerlab_research.errors import EXIT_DATA, InputFileError
from leerlab_research.io import detect_platform, read_export


def fails(path, *, match: str, **kwargs) -> InputFileError:
    """Read ``path``; assert a clear InputFileError naming the file."""
    with pytest.raises(InputFileError, match=match) as info:
        read_export(path, **kwargs)
    error = info.value
    assert str(path) in str(error)
    assert error.exit_code == EXIT_DATA
    # Never a raw library exception: only our own type, with the cause chained.
    assert type(error) is InputFileError
    return error


def png_bytes() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00\x00\x00\x00"))
        + chunk(b"IEND", b"")
    )


def test_missing_file(tmp_path):
    fails(tmp_path / "nope.csv", match="does not exist")


def test_empty_file(tmp_path):
    p = tmp_path / "empty.csv"
    p.write_bytes(b"")
    fails(p, match=r"empty \(0 bytes\)")


def test_blank_text_file(tmp_path):
    p = tmp_path / "blank.csv"
    p.write_bytes(b"\r\n\r\n  \r\n")
    fails(p, match="no data")


def test_header_only_csv(tmp_path, build):
    p = tmp_path / "header.csv"
    p.write_bytes(build.limesurvey_csv([["id", "submitdate", "lastpage", "startlanguage"]]))
    fails(p, match="header but no responses")


def test_header_only_qualtrics(tmp_path, build):
    p = tmp_path / "q.csv"
    p.write_bytes(build.QUALTRICS_SAMPLE.rsplit(b"\n", 2)[0] + b"\n")  # drop the data row
    fails(p, match="header but no responses")


def test_png_named_csv(tmp_path):
    p = tmp_path / "export.csv"
    p.write_bytes(png_bytes())
    fails(p, match="PNG image")
    with pytest.raises(InputFileError, match="PNG image"):
        detect_platform(p)


def test_zip_named_csv(tmp_path):
    p = tmp_path / "export.csv"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("data.csv", "a,b\n1,2\n")
    fails(p, match="zip archive")


def test_binary_garbage_named_csv(tmp_path):
    p = tmp_path / "export.csv"
    p.write_bytes(bytes(range(256)) * 20)
    fails(p, match="not a text file|encoding")


def test_text_named_xlsx(tmp_path, build):
    p = tmp_path / "export.xlsx"
    p.write_bytes(build.excel_nl_csv([["a", "b"], ["1", "2"]]))
    fails(p, match=r"named '\.xlsx' but is text")


def test_zip_that_is_not_a_workbook(tmp_path):
    p = tmp_path / "export.xlsx"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("hello.txt", "hi")
    e = fails(p, match="not an Excel .xlsx workbook")
    assert e.__cause__ is not None


def test_sav_that_is_not_spss(tmp_path, build):
    p = tmp_path / "export.sav"
    p.write_bytes(build.plain_csv([["a", "b"], ["1", "2"]]))
    fails(p, match="not an SPSS system file")


def test_damaged_sav(tmp_path):
    # Right signature, garbage after it: pyreadstat's own error is wrapped.
    p = tmp_path / "broken.sav"
    p.write_bytes(b"$FL2" + b"\x00\x01garbage" * 10)
    e = fails(p, match="not a readable SPSS .sav file")
    assert e.__cause__ is not None


@pytest.mark.parametrize(
    "encoding,bom",
    [("utf-16", True), ("utf-16-le", False), ("utf-16-be", False)],
)
def test_utf16_reported(tmp_path, encoding, bom):
    p = tmp_path / "unicode.csv"
    p.write_bytes("Naam\tScore\r\nJoëlle\t3,5\r\n".encode(encoding))
    assert p.read_bytes()[:2] in (b"\xff\xfe", b"\xfe\xff") or not bom
    fails(p, match="UTF-16.*save it again as 'CSV UTF-8")


def test_merged_header_cells(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["ID", "Samenwerking", None, "Score"])
    ws.append([1, "ja", "nee", 3])
    ws.merge_cells("B1:C1")
    p = tmp_path / "merged.xlsx"
    wb.save(p)
    e = fails(p, match=r"header cells B1:C1 are merged")
    assert e.row == 1 and e.column == "Samenwerking"


def test_truncated_xlsx(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.append(["ID", "Start time"])
    wb.active.append([1, 2])
    full = tmp_path / "full.xlsx"
    wb.save(full)
    p = tmp_path / "truncated.xlsx"
    p.write_bytes(full.read_bytes()[:1500])
    e = fails(p, match="damaged or incomplete")
    assert e.__cause__ is not None


def test_damaged_sheet_xml(tmp_path):
    # A valid zip whose worksheet XML is cut in half: openpyxl raises an XML
    # ParseError, which must come out as an InputFileError.
    wb = openpyxl.Workbook()
    wb.active.append(["ID", "Start time"])
    wb.active.append([1, 2])
    good = tmp_path / "good.xlsx"
    wb.save(good)
    p = tmp_path / "damaged.xlsx"
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(p, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]
            zout.writestr(item, data)
    e = fails(p, match="damaged and cannot be read")
    assert e.__cause__ is not None
    with pytest.raises(InputFileError, match="damaged"):
        detect_platform(p)


def test_old_xls(tmp_path):
    p = tmp_path / "old.xls"
    p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)
    fails(p, match=r"Excel 97-2003")


def test_ragged_row_too_long(tmp_path, build):
    rows = [
        ["id", "submitdate", "lastpage", "startlanguage"],
        ["1", "2024-03-05 14:22:31", "3", "nl"],
        ["2", "2024-03-05 14:22:31", "3", "nl", "extra"],
    ]
    p = tmp_path / "ragged.csv"
    p.write_bytes(build.limesurvey_csv(rows))
    e = fails(p, match="has 5 fields but the header has 4")
    assert e.row == 3 and "row 3" in str(e)


def test_ragged_row_too_short(tmp_path, build):
    rows = [["Naam", "Lab", "Score"], ["Joëlle", "Zwolle", "3,5"], ["Piet", "Ede", "2"], ["Kees"]]
    p = tmp_path / "short.csv"
    p.write_bytes(b"\r\n" + build.excel_nl_csv(rows))  # a blank first line counts as a row
    e = fails(p, match="has 1 field but the header has 3; the row was probably cut off")
    assert e.row == 5


def test_unclosed_quote(tmp_path):
    p = tmp_path / "quote.csv"
    p.write_bytes(b'id,opmerking\r\n1,goed\r\n2,"te kort\r\n3,prima\r\n')
    e = fails(p, match="never closed")
    assert e.row == 3


def test_invalid_utf8_after_bom(tmp_path):
    p = tmp_path / "mixed.csv"
    p.write_bytes(b"\xef\xbb\xbfNaam,Score\r\nJo\xeblle,3\r\n")
    e = fails(p, match="not UTF-8")
    assert e.row == 2


def test_unknown_sheet(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "Form1"
    p = tmp_path / "f.xlsx"
    wb.save(p)
    fails(p, match="no sheet named 'Data'; sheets: Form1", sheet="Data")


def test_wrong_explicit_platform(tmp_path, build):
    p = tmp_path / "a.csv"
    p.write_bytes(build.plain_csv([["a"], ["1"]]))
    fails(p, match="platform 'spss' was given", platform="spss")
    fails(p, match="unknown platform", platform="surveymonkey")
