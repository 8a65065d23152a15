"""DuckDB: connect, the schema and its migrations, and the derived score cache."""
