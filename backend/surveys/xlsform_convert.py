"""XLSForm → XForm with pyxform, then ODK Validate when Java is present (pure; no Django)."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field

from pyxform.errors import PyXFormError
from pyxform.validators.odk_validate import ODKValidateError
from pyxform.xls2xform import convert


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


def java_available() -> bool:
    return shutil.which("java") is not None


def xlsform_convert(data: bytes, *, file_type: str, validate: bool | None = None) -> Conversion:
    """Convert and (when Java is installed, or when asked) validate with ODK Validate."""
    run_validate = java_available() if validate is None else validate
    warnings: list[str] = []
    try:
        result = convert(xlsform=data, file_type=file_type, warnings=warnings, validate=run_validate)
    except ODKValidateError as exc:
        raise XLSFormError(_clean(str(exc)), stage="odk_validate") from exc
    except PyXFormError as exc:
        raise XLSFormError(_clean(str(exc)), stage="pyxform") from exc
    except (ValueError, KeyError, TypeError, IndexError) as exc:
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
    )


def _clean(message: str) -> str:
    return "\n".join(line.rstrip() for line in message.strip().splitlines() if line.strip())
