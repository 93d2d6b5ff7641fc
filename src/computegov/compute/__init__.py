"""Training compute: estimates two ways, consistency checks, dated reporting thresholds, and
the obligations calendar (what a developer owes to whom and by when).

A pure library over plain values (no catalog, no database): the CLI looks up a chip's
peak rate and passes the number in.
"""

from computegov.compute.checks import Band, Verdict, band, check_reported
from computegov.compute.estimates import (
    HardwareRun,
    OperationCount,
    check_utilization,
    default_utilization,
    hardware_flop,
    inference_flop,
    peak_flop,
    training_flop,
)
from computegov.compute.numbers import parse_amount, parse_count
from computegov.compute.obligations import Entity, Incident, Model, Obligation, obligations
from computegov.compute.run_estimate import RunEstimate, estimate_run
from computegov.compute.thresholds import (
    Instrument,
    ThresholdResult,
    cluster_thresholds,
    instruments,
    thresholds,
)

__all__ = [
    "Band",
    "Entity",
    "HardwareRun",
    "Incident",
    "Instrument",
    "Model",
    "Obligation",
    "OperationCount",
    "RunEstimate",
    "ThresholdResult",
    "Verdict",
    "band",
    "check_reported",
    "check_utilization",
    "cluster_thresholds",
    "default_utilization",
    "estimate_run",
    "hardware_flop",
    "inference_flop",
    "obligations",
    "instruments",
    "parse_amount",
    "parse_count",
    "peak_flop",
    "thresholds",
    "training_flop",
]
