"""Streamlit-side helpers shared by app.py and the pages (the analytics package never imports this)."""
