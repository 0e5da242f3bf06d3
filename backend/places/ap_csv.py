"""ap.csv, the hamlet choice list of the forms, rendered from the hamlet table (pure).

The columns match forms_xlsform/ap.csv exactly (a test keeps them in step), so the
server-generated file can replace the authored sample without touching the forms.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable

# No "label::<language>" columns: ODK Web Forms turns CSV column names into XML element
# names and fails on them (Collect ignores them anyway: it shows the `label` column).
HEADER = ("name", "label", "label_en")
PREFIX = "Ấp "


def hamlet_labels(name: str, name_en: str = "") -> tuple[str, str]:
    """(Vietnamese, English) labels: 'Ấp Phú Dũng' / 'Phú Dũng hamlet' unless given."""
    name = unicodedata.normalize("NFC", name).strip()
    bare = name[len(PREFIX) :] if name.startswith(PREFIX) else name
    vi = name if name.startswith(PREFIX) else f"{PREFIX}{name}"
    return vi, (name_en.strip() or f"{bare} hamlet")


def ap_csv_render(hamlets: Iterable[tuple[str, str, str]]) -> bytes:
    """(code, name, name_en) rows, in the order given → UTF-8 CSV bytes (LF line ends)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for code, name, name_en in hamlets:
        vi, en = hamlet_labels(name, name_en)
        writer.writerow((code, vi, en))
    return out.getvalue().encode("utf-8")
