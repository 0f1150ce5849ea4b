"""The dashboard's tabs: overview, trends, why it moved, data entry, alerts, review meetings."""
