"""Stancemap core: who says what about what in the news. Never imports streamlit."""

__version__ = "0.1.0"
