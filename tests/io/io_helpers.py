"""Helpers shared by the reader tests: the InputFileError check and a tiny PNG."""

from __future__ import annotations

import struct
import zlib

import pytest

from leerlab_research.errors import EXIT_DATA, InputFileError
from leerlab_research.io import read_export


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
