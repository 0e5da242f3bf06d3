"""XLSForm → XForm with pyxform, then ODK Validate when Java is present (pure; no Django)."""

from __future__ import annotations

import dataclasses
import posixpath
import re
import shutil
import unicodedata
from dataclasses import dataclass, field

from pyxform.errors import PyXFormError
from pyxform.validators.odk_validate import ODKValidateError
from pyxform.xls2json_backends import DefinitionData, get_xlsform
from pyxform.xls2xform import convert

# Where the form id came from: the settings sheet, or (without one) the upload's file name.
FROM_SETTINGS = "settings"
FROM_FILE_NAME = "file_name"
# pyxform's own fallback when it is handed bytes; every such form would share it.
PYXFORM_DEFAULT_ID = "data"
_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")
_SPREADSHEET_SUFFIX = re.compile(r"\.(xlsx|xlsm|xls)$", re.IGNORECASE)
MAX_FORM_ID = 100  # Form.form_id


class XLSFormError(ValueError):
    """The XLSForm does not convert or does not validate; `message` is pyxform's text,
    with its row numbers."""

    def __init__(self, message: str, *, stage: str) -> None:
        super().__init__(message)
        self.message = message
        self.stage = stage


@dataclass
class Conversion:
    xform: bytes
    warnings: list[str]
    validated: bool
    validation_note: str
    itemsets_csv: bytes | None = None
    extra: dict = field(default_factory=dict)
    form_id_source: str = FROM_SETTINGS


def java_available() -> bool:
    return shutil.which("java") is not None


def form_id_from_filename(filename: str) -> str:
    """The form id a workbook without one gets from its file name, as pyxform's command line
    (the file's stem) and ODK Central (the uploaded file's name) do, made safe for URLs and
    file names on phones: folder and extension dropped, accents removed ("Phiếu hộ.xlsx" →
    "Phieu_ho"), any other run of characters outside A–Z a–z 0–9 _ . - turned into one "_"."""
    stem = _SPREADSHEET_SUFFIX.sub("", posixpath.basename(filename.replace("\\", "/")))
    ascii_text = unicodedata.normalize("NFKD", stem.replace("đ", "d").replace("Đ", "D"))
    ascii_text = "".join(c for c in ascii_text if not unicodedata.combining(c))
    safe = _ID_UNSAFE.sub("_", ascii_text).strip("_.-")[:MAX_FORM_ID]
    return safe or "form"


def xlsform_convert(data: bytes, *, file_type: str, validate: bool | None = None, filename: str = "") -> Conversion:
    """Convert and (when Java is installed, or when asked) validate with ODK Validate.

    A workbook whose settings sheet gives no form_id (or that has no settings sheet) takes
    its id from `filename` (see form_id_from_filename); `Conversion.form_id_source` says so."""
    run_validate = java_available() if validate is None else validate
    warnings: list[str] = []
    try:
        definition = get_xlsform(data, file_type=file_type)
        source = FROM_SETTINGS if settings_form_id(definition) else FROM_FILE_NAME
        if source == FROM_FILE_NAME and filename:
            definition.fallback_form_name = form_id_from_filename(filename)
        workbook = {f.name: getattr(definition, f.name) for f in dataclasses.fields(DefinitionData)}
        result = convert(xlsform=workbook, warnings=warnings, validate=run_validate)
    except ODKValidateError as exc:
        raise XLSFormError(_clean(str(exc)), stage="odk_validate") from exc
    except PyXFormError as exc:
        raise XLSFormError(_clean(str(exc)), stage="pyxform") from exc
    except (ValueError, KeyError, TypeError, IndexError, AttributeError) as exc:
        # pyxform lets some malformed workbooks through to plain Python errors.
        raise XLSFormError(f"The spreadsheet is not a valid XLSForm: {exc}", stage="pyxform") from exc
    if run_validate:
        note = "ODK Validate passed."
    else:
        note = "ODK Validate was skipped: Java is not installed on this server."
    itemsets = result.itemsets.encode("utf-8") if isinstance(result.itemsets, str) else result.itemsets
    return Conversion(
        xform=result.xform.encode("utf-8"),
        warnings=list(dict.fromkeys(w.strip() for w in warnings if w.strip())),
        validated=run_validate,
        validation_note=note,
        itemsets_csv=itemsets,
        form_id_source=source,
    )


def settings_form_id(definition: DefinitionData) -> str:
    """The form id the settings sheet gives (`form_id`, or its older alias `id_string`)."""
    row = (definition.settings or [{}])[0]
    return str(row.get("form_id") or row.get("id_string") or "").strip()


def _clean(message: str) -> str:
    return "\n".join(line.rstrip() for line in message.strip().splitlines() if line.strip())
