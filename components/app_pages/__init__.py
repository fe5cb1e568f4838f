"""One file per page; ``components/app.py`` routes between them with ``st.navigation``."""
