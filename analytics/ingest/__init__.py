"""Import template files (CSV or XLSX) into the database: read, recognise, validate, load, undo."""

from analytics.ingest.formats import FORMATS, Format, detect_format, register_format
from analytics.ingest.inspection import Inspection, inspect_file
from analytics.ingest.kinds import KINDS, LOAD_ORDER
from analytics.ingest.load import ImportResult, import_files, import_history, undo_import

__all__ = [
    "Inspection",
    "ImportResult",
    "inspect_file",
    "import_files",
    "import_history",
    "undo_import",
    "Format",
    "FORMATS",
    "register_format",
    "detect_format",
    "KINDS",
    "LOAD_ORDER",
]

from analytics.ingest import exports as _exports  # noqa: E402,F401  registers the survey-tool formats
