"""Word → PDF with LibreOffice headless, for readers who cannot open .docx files.

Each conversion gets its own LibreOffice profile directory: two conversions sharing the
default profile block each other (or fail) when requests overlap."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from backend.core.errors import pdf_converter_unavailable

CONVERT_TIMEOUT_S = 180


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def docx_to_pdf(docx: bytes) -> bytes:
    soffice = soffice_path()
    if soffice is None:
        raise pdf_converter_unavailable("soffice not found (apt-get install libreoffice-writer-nogui)")
    with tempfile.TemporaryDirectory(prefix="bao-cao-") as folder:
        work = Path(folder)
        source = work / "bao_cao.docx"
        source.write_bytes(docx)
        try:
            subprocess.run(
                [
                    soffice,
                    f"-env:UserInstallation={(work / 'profile').as_uri()}",
                    "--headless",
                    "--norestore",
                    "--convert-to",
                    "pdf",
                    "--outdir",
                    str(work),
                    str(source),
                ],
                check=True,
                capture_output=True,
                timeout=CONVERT_TIMEOUT_S,
            )
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
            raise pdf_converter_unavailable(f"LibreOffice failed: {error}") from error
        target = work / "bao_cao.pdf"
        if not target.exists():
            raise pdf_converter_unavailable("LibreOffice wrote no PDF")
        return target.read_bytes()
