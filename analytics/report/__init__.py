"""The sponsor report: the figures it gathers, its sections, charts, and the HTML/PDF it writes."""
