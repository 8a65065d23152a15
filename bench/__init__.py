"""The performance benchmark: `python -m bench [--scale small|enterprise] [--json FILE]` (issue 7)."""
