"""Export licensing: applications, their evaluation and review, and the licenses regulators
issue or grant on them and transfers cite and draw down."""
