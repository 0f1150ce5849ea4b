"""Parts of the five step pages: the tree editor, the KPI library, monitoring lists."""
