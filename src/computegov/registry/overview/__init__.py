"""Read models behind stats and the dashboard: counts, lists and what a reader may see."""
