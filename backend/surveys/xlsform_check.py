"""The commune's house rules for its XLSForms, and the data dictionary they document (pure).

The workbooks in `forms_xlsform/` are the source: the survey designer edits them in Excel or
KoboToolbox's form builder. pyxform decides whether a workbook is a valid XLSForm; this
checker adds what the Phú Lâm analytics and pages rely on, with the sheet and row of each
problem so the designer can fix it:

- every text cell is NFC Unicode (Excel on a Mac and some keyboards write decomposed
  Vietnamese, which looks the same and compares different);
- the form is bilingual: every label, hint, required message and constraint message that
  is given is given in each house language (Vietnamese and English), every choice has a
  label in each, every constraint carries a message in each, and the settings sheet names
  the Vietnamese columns as the default language;
- field names are ASCII snake_case and unique in the whole form, across groups and repeats
  (the analytics locate a field by its name alone);
- the settings sheet gives the form_id and a `yyyymmddNN` version.

The `indicator` column of the survey sheet (pyxform ignores columns it does not know) says
which indicator(s) a field feeds; `dictionary_markdown` renders it, with each field's type,
Vietnamese label and instance path, into the data dictionary of `forms_xlsform/README.md`:

    python -m backend.surveys.xlsform_check forms_xlsform/*.xlsx                 # check
    python -m backend.surveys.xlsform_check --readme forms_xlsform/README.md forms_xlsform/*.xlsx
"""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from pyxform.errors import PyXFormError
from pyxform.xls2json_backends import DefinitionData, get_xlsform

HOUSE_LANGUAGES = ("vi", "en")
INDICATOR_COLUMN = "indicator"
FIRST_DATA_ROW = 2  # row 1 holds the column names
SNAKE_CASE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
VERSION = re.compile(r"^\d{10}$")  # yyyymmddNN
TRANSLATED = ("label", "hint", "required_message", "constraint_message")
_LANGUAGE_CODE = re.compile(r"\((\w+)\)\s*$")
_CLOSERS = {"end_group", "end group", "end_repeat", "end repeat"}
_OPENERS = {"begin_group", "begin group", "begin_repeat", "begin repeat"}
_SHEETS = ("survey", "choices", "settings", "entities", "external_choices")


class XLSFormCheckError(ValueError):
    """The workbook cannot be read at all (the checker reports rule breaks, not this)."""


@dataclass(frozen=True)
class DictionaryRow:
    name: str
    type: str
    label: str  # in the default (Vietnamese) language, "" when the row has none
    path: str  # the instance path, "/pl_ho/ho/so_tv"
    indicator: str  # the `indicator` column, "" when empty


@dataclass
class CheckReport:
    form_id: str
    problems: list[str] = field(default_factory=list)
    dictionary: list[DictionaryRow] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def xlsform_check(
    data: bytes, *, file_type: str = ".xlsx", languages: tuple[str, ...] = HOUSE_LANGUAGES
) -> CheckReport:
    """Check a workbook against the house rules; never raises for a rule break."""
    try:
        book = get_xlsform(data, file_type=file_type)
    except PyXFormError as exc:
        raise XLSFormCheckError(f"The workbook cannot be read: {exc}") from exc
    settings = dict((book.settings or [{}])[0])
    report = CheckReport(form_id=str(settings.get("form_id") or settings.get("id_string") or ""))
    problems = report.problems
    survey = list(book.survey or [])
    columns = _header(book.survey_header)

    problems += _nfc_problems(book)
    column_of = _language_columns(columns, languages)
    for language in languages:
        if language not in column_of.get("label", {}):
            problems.append(f"survey: there is no label column in language ({language}), e.g. label::… ({language}).")
    problems += _translation_problems("survey", survey, column_of, languages)
    choice_columns = _language_columns(_header(book.choices_header), languages)
    problems += _choice_problems(list(book.choices or []), choice_columns, languages)
    problems += _name_problems(survey)
    problems += _settings_problems(settings, column_of.get("label", {}).get(languages[0]) if languages else None)

    root = str(settings.get("name") or "data")
    label_column = column_of.get("label", {}).get(languages[0], "label") if languages else "label"
    report.dictionary = _dictionary(survey, root, label_column)
    return report


# --- rules --------------------------------------------------------------------------------


def _header(header: list[dict] | None) -> list[str]:
    return list((header or [{}])[0])


def _language_columns(columns: list[str], languages: tuple[str, ...]) -> dict[str, dict[str, str]]:
    """{"label": {"vi": "label::Tiếng Việt (vi)", …}, "hint": {…}, …} for the house languages."""
    found: dict[str, dict[str, str]] = {}
    for column in columns:
        base, _, language = column.partition("::")
        match = _LANGUAGE_CODE.search(language)
        code = match.group(1) if match else language.strip()
        if base in TRANSLATED and code in languages:
            found.setdefault(base, {})[code] = column
    return found


def _nfc_problems(book: DefinitionData) -> list[str]:
    problems = []
    for sheet in _SHEETS:
        header = _header(getattr(book, f"{sheet}_header", None))
        for column in header:
            if not unicodedata.is_normalized("NFC", column):
                problems.append(f"{sheet}: the column name {column!r} is not NFC Unicode; retype it.")
        for index, row in enumerate(getattr(book, sheet, None) or [], start=FIRST_DATA_ROW):
            for column, value in row.items():
                if isinstance(value, str) and not unicodedata.is_normalized("NFC", value):
                    problems.append(
                        f"{sheet} row {index}, column {column}: the text is not NFC Unicode (decomposed accents): "
                        f"{unicodedata.normalize('NFC', value)!r}; retype it or normalise it to NFC."
                    )
    return problems


def _translation_problems(sheet, rows, column_of, languages) -> list[str]:
    problems = []
    for index, row in enumerate(rows, start=FIRST_DATA_ROW):
        if not row:
            continue
        where = f"{sheet} row {index} ({row.get('name') or row.get('type', '')})"
        for base, by_language in column_of.items():
            given = [code for code in languages if row.get(by_language.get(code, ""))]
            untranslated = row.get(base)  # a column without a language
            if given or untranslated:
                for code in languages:
                    if code not in given:
                        problems.append(f"{where}: {base} has no text in language ({code}).")
        if row.get("constraint"):
            messages = column_of.get("constraint_message", {})
            for code in languages:
                if not row.get(messages.get(code, "")):
                    problems.append(f"{where}: the constraint has no constraint_message in language ({code}).")
        if str(row.get("required", "")).strip().lower() in ("yes", "true", "true()", "1"):
            messages = column_of.get("required_message", {})
            for code in languages:
                if not row.get(messages.get(code, "")):
                    problems.append(f"{where}: the required question has no required_message in language ({code}).")
    return problems


def _choice_problems(rows, column_of, languages) -> list[str]:
    problems = []
    labels = column_of.get("label", {})
    for index, row in enumerate(rows, start=FIRST_DATA_ROW):
        if not row:
            continue
        where = f"choices row {index} ({row.get('list_name', '')} {row.get('name', '')})"
        for code in languages:
            if not row.get(labels.get(code, "")):
                problems.append(f"{where}: the choice has no label in language ({code}).")
    return problems


def _name_problems(rows) -> list[str]:
    problems = []
    first_row: dict[str, int] = {}
    for index, row in enumerate(rows, start=FIRST_DATA_ROW):
        kind = str(row.get("type", "")).strip()
        if not kind or kind.lower() in _CLOSERS:
            continue
        name = str(row.get("name", "")).strip()
        if not (name.isascii() and SNAKE_CASE.match(name)):
            problems.append(
                f"survey row {index}: the name {name!r} is not ASCII snake_case (a–z, 0–9 and _, starting with a "
                "letter)."
            )
        if name in first_row:
            problems.append(
                f"survey row {index}: the name {name!r} is already used in row {first_row[name]}; names are unique "
                "in the whole form, across groups and repeats."
            )
        else:
            first_row[name] = index
    return problems


def _settings_problems(settings: dict, vietnamese_label_column: str | None) -> list[str]:
    problems = []
    if not (settings.get("form_id") or settings.get("id_string")):
        problems.append("settings: there is no form_id.")
    version = str(settings.get("version") or "")
    if not VERSION.match(version) or not _is_date(version[:8]):
        problems.append(f"settings: the version {version!r} is not yyyymmddNN (e.g. 2026120301).")
    if vietnamese_label_column:
        language = vietnamese_label_column.partition("::")[2]
        if settings.get("default_language") != language:
            problems.append(f"settings: default_language must be {language!r}, the Vietnamese label columns.")
    return problems


def _is_date(text: str) -> bool:
    try:
        datetime.strptime(text, "%Y%m%d")
    except ValueError:
        return False
    return True


# --- the data dictionary ------------------------------------------------------------------


def _dictionary(rows, root: str, label_column: str) -> list[DictionaryRow]:
    out: list[DictionaryRow] = []
    stack: list[str] = []
    for row in rows:
        kind = str(row.get("type", "")).strip()
        if not kind:
            continue
        if kind.lower() in _CLOSERS:
            if stack:
                stack.pop()
            continue
        name = str(row.get("name", "")).strip()
        path = "/".join(["", root, *stack, name])
        out.append(
            DictionaryRow(name, kind, str(row.get(label_column) or ""), path, str(row.get(INDICATOR_COLUMN) or ""))
        )
        if kind.lower() in _OPENERS:
            stack.append(name)
    return out


def dictionary_markdown(rows: list[DictionaryRow]) -> str:
    lines = [
        "| field | type | label (vi) | instance path | indicator(s) / use |",
        "|---|---|---|---|---|",
    ]
    for row in rows:
        label = (row.label or "—").replace("|", "\\|")
        lines.append(f"| `{row.name}` | {row.type} | {label} | `{row.path}` | {row.indicator or '—'} |")
    return "\n".join(lines)


def readme_with_dictionaries(readme: str, dictionaries: dict[str, list[DictionaryRow]]) -> str:
    """The README text with each form's block between its BEGIN/END GENERATED DICTIONARY
    markers replaced; a form without markers is an error (the README must document it)."""
    for stem, rows in dictionaries.items():
        begin, end = f"<!-- BEGIN GENERATED DICTIONARY {stem} -->", f"<!-- END GENERATED DICTIONARY {stem} -->"
        pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.S)
        if not pattern.search(readme):
            raise XLSFormCheckError(f"the README has no {begin} … {end} markers")
        block = f"{begin}\n{dictionary_markdown(rows)}\n{end}"
        readme = pattern.sub(lambda _match, block=block: block, readme)
    return readme


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Check the commune's XLSForms against the house rules.")
    parser.add_argument("workbooks", nargs="+", type=Path)
    parser.add_argument("--readme", type=Path, help="rewrite the data dictionary blocks of this README")
    args = parser.parse_args(argv)
    status = 0
    dictionaries = {}
    for path in args.workbooks:
        report = xlsform_check(path.read_bytes(), file_type=path.suffix.lower())
        dictionaries[path.stem] = report.dictionary
        for problem in report.problems:
            print(f"{path.name}: {problem}")
        status = status or (0 if report.ok else 1)
        print(f"{path.name}: {'ok' if report.ok else f'{len(report.problems)} problem(s)'}")
    if args.readme:
        text = args.readme.read_text(encoding="utf-8")
        updated = readme_with_dictionaries(text, dictionaries)
        if updated != text:
            args.readme.write_text(updated, encoding="utf-8")
            print(f"updated {args.readme}")
    return status


if __name__ == "__main__":
    sys.exit(main())
