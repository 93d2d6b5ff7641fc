"""Compute reporting: AI developers' models, their lineage and the training runs behind them,
each assessed on receipt (`assessment.py`) against the compute library's estimates, bands and
thresholds; reports are confidential to their filer and the regulators they are addressed to."""
