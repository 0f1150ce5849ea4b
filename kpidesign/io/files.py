"""Files in and out, whatever the format: one place for the app and the command line."""

from __future__ import annotations

import re
from dataclasses import dataclass

from kpidesign.findings import Finding, Severity
from kpidesign.io import dbt, excel, image, lightdash, metricflow, summary, yaml_io
from kpidesign.io.yaml_io import ImportResult
from kpidesign.language import Language
from kpidesign.model import Workshop

FORMATS = ("xlsx", "yaml", "metricflow", "dbt", "lightdash", "svg", "png", "html")
MAX_UPLOAD = 50 * 1024 * 1024


@dataclass(frozen=True)
class Export:
    """An exported file: its bytes, MIME type and a file name."""

    data: bytes
    mime: str
    filename: str


def filename_for(ws: Workshop, suffix: str) -> str:
    """A safe file name from the workshop title (letters of any script kept)."""
    stem = re.sub(r"[^\w\-]+", "_", ws.title).strip("_")[:60] or "kpidesign"
    return f"{stem}{suffix}"


# each format's file-name ending and MIME type, known before the file is built (a download offered, built on click)
SUFFIXES = {
    "xlsx": ".xlsx",
    "yaml": ".kpidesign.yaml",
    "metricflow": ".metrics.yml",
    "dbt": ".dbt.zip",
    "lightdash": ".lightdash.yml",
    "svg": ".svg",
    "png": ".png",
    "html": ".summary.html",
}
MIMES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "yaml": "application/x-yaml",
    "metricflow": "application/x-yaml",
    "dbt": "application/zip",
    "lightdash": "application/x-yaml",
    "svg": "image/svg+xml",
    "png": "image/png",
    "html": "text/html",
}


def export(ws: Workshop, fmt: str, lang: Language = "ja") -> Export | None:
    """The workshop in one format (None for PNG when no renderer is available)."""
    if fmt == "xlsx":
        data: bytes | None = excel.to_xlsx(ws, lang, image.to_png(ws, lang, scale=excel.PICTURE_SCALE, max_pixels=excel.PICTURE_MAX_PIXELS))
    elif fmt == "yaml":
        data = yaml_io.to_yaml(ws).encode("utf-8")
    elif fmt == "metricflow":
        data = metricflow.to_metricflow(ws).encode("utf-8")
    elif fmt == "dbt":  # a folder: as a zip here (the command line writes the folder itself)
        data = dbt.to_zip(ws)
    elif fmt == "lightdash":
        data = lightdash.to_lightdash(ws).encode("utf-8")
    elif fmt == "svg":
        data = image.to_svg(ws, lang).encode("utf-8")
    elif fmt == "png":
        data = image.to_png(ws, lang)
    elif fmt == "html":  # the summary to send: one page that prints to A4 (kpidesign.io.summary)
        data = summary.to_html(ws, lang).encode("utf-8")
    else:
        raise ValueError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
    return None if data is None else Export(data, MIMES[fmt], filename_for(ws, SUFFIXES[fmt]))


def read(filename: str, data: bytes) -> ImportResult:
    """A workshop from an uploaded or given file: .xlsx by its zip signature, anything else as YAML."""
    if len(data) > MAX_UPLOAD:
        return ImportResult(
            None, [Finding(Severity.ERROR, "file_too_large", None, {"field": filename, "size": len(data), "max": MAX_UPLOAD})]
        )
    if data[:2] == b"PK" or filename.lower().endswith((".xlsx", ".xlsm")):
        return excel.from_xlsx(data)
    if len(data) > yaml_io.MAX_BYTES:  # bytes, before decoding: 5 MB of Japanese text is 1.7 million characters
        too_large = {"field": filename, "size": len(data), "max": yaml_io.MAX_BYTES}
        return ImportResult(None, [Finding(Severity.ERROR, "file_too_large", None, too_large)])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return ImportResult(None, [Finding(Severity.ERROR, "not_utf8", None, {"field": filename})])
    return yaml_io.from_yaml(text)
