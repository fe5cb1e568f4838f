"""Training Studio's engine: recipe → data → preprocessing → model → training → run directory.

This package never imports streamlit or plotly (a test enforces it).
"""

__version__ = "0.1.0"
