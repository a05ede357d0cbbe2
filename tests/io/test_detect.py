"""Recognising what a file is (io/detect.py, io/__init__.py): missing, empty, binary
and misnamed files and a wrong explicit platform end in an InputFileError naming the
file.
"""

from __future__ import annotations

import zipfile

import pytest
from io_helpers import fails, png_bytes

from leerlab_research.errors import InputFileError
from leerlab_research.io import detect_platform


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


def test_wrong_explicit_platform(tmp_path, build):
    p = tmp_path / "a.csv"
    p.write_bytes(build.plain_csv([["a"], ["1"]]))
    fails(p, match="platform 'spss' was given", platform="spss")
    fails(p, match="unknown platform", platform="surveymonkey")
