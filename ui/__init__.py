"""Streamlit-side helpers shared by the pages (the core stays in analysis/, which never imports streamlit)."""
