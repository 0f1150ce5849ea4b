"""Streamlit building blocks shared by the pages (the only place besides views/ that imports streamlit)."""
