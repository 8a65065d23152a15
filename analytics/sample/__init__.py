"""The deterministic synthetic organisation and programme that ship as data/sample/."""
