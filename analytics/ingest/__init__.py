"""Import files (CSV or XLSX) into the database, the write side only: read, recognise, check, load, undo,
redact. Importing the package registers the survey-tool formats of `analytics.ingest.exports`."""

from analytics.ingest import exports as _exports  # noqa: F401  registers the survey-tool formats
