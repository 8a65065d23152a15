"""Mutual's analytics: ingest survey exports into DuckDB and compute programme outcomes."""
