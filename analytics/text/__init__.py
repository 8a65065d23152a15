"""Free text: VADER sentiment scored at import, the comments and their tone per group, themes, and the
comment listings behind them."""
