"""Export licensing: licenses that regulators issue and transfers cite and draw down."""
