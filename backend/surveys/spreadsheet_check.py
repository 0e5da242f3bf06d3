"""Checks an uploaded spreadsheet before pyxform sees it (pure; no Django).

Refuses, with a message a person can act on: files over the size limit, files that are not
.xlsx/.xls, zip bombs (an .xlsx is a zip), and workbooks carrying VBA macros.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
MAX_UNCOMPRESSED_BYTES = 200_000_000
MAX_COMPRESSION_RATIO = 200
MAX_ZIP_MEMBERS = 5_000
MACRO_CONTENT_TYPES = (b"macroEnabled", b"vbaProject")


class SpreadsheetRejected(ValueError):
    """The upload is not a spreadsheet we accept; the message says why."""


@dataclass(frozen=True)
class CheckedSpreadsheet:
    file_type: str  # ".xlsx" or ".xls"


def spreadsheet_check(data: bytes, *, filename: str, max_bytes: int) -> CheckedSpreadsheet:
    if len(data) > max_bytes:
        raise SpreadsheetRejected(f"The file is {len(data)} bytes; the limit is {max_bytes} bytes.")
    if not data:
        raise SpreadsheetRejected("The file is empty.")
    lower = filename.lower()
    if lower.endswith((".xlsm", ".xltm", ".xlsb")):
        raise SpreadsheetRejected("Macro-enabled workbooks are not accepted. Save the form as .xlsx.")
    if data.startswith(ZIP_MAGIC):
        _check_xlsx(data)
        return CheckedSpreadsheet(".xlsx")
    if data.startswith(OLE_MAGIC):
        _check_xls(data)
        return CheckedSpreadsheet(".xls")
    raise SpreadsheetRejected("This is not an Excel workbook (.xlsx or .xls). Upload the XLSForm as an .xlsx file.")


def _check_xlsx(data: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise SpreadsheetRejected(f"The .xlsx file is damaged: {exc}.") from exc
    with archive:
        members = archive.infolist()
        if len(members) > MAX_ZIP_MEMBERS:
            raise SpreadsheetRejected("The .xlsx file holds too many parts to be a form.")
        total = 0
        for member in members:
            total += member.file_size
            if member.compress_size and member.file_size / member.compress_size > MAX_COMPRESSION_RATIO:
                raise SpreadsheetRejected(
                    f"The .xlsx part {member.filename!r} expands {member.file_size // member.compress_size}× "
                    "(a zip bomb?); it is refused."
                )
            if member.filename.lower().endswith("vbaproject.bin"):
                raise SpreadsheetRejected("The workbook contains VBA macros; save it as a plain .xlsx without macros.")
        if total > MAX_UNCOMPRESSED_BYTES:
            raise SpreadsheetRejected(
                f"The .xlsx file expands to {total} bytes, more than {MAX_UNCOMPRESSED_BYTES}; it is refused."
            )
        names = {m.filename for m in members}
        if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
            raise SpreadsheetRejected("This zip file is not an Excel workbook.")
        content_types = archive.read("[Content_Types].xml")
        if any(marker in content_types for marker in MACRO_CONTENT_TYPES):
            raise SpreadsheetRejected("The workbook is macro-enabled; save it as a plain .xlsx without macros.")


def _check_xls(data: bytes) -> None:
    # Old binary workbooks keep macros in an OLE storage named _VBA_PROJECT_CUR;
    # OLE directory entry names are UTF-16LE.
    if "_VBA_PROJECT".encode("utf-16-le") in data:
        raise SpreadsheetRejected("The workbook contains VBA macros; save it as a plain .xlsx without macros.")
