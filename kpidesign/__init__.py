"""kpidesign: the logic of a KPI design workshop (KGI -> KPI tree -> definitions -> monitoring).

Nothing in this package imports Streamlit: the pages, the command line and the tests share it.
"""

__version__ = "0.1.0"
