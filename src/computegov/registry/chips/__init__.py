"""Chips: manifests a manufacturer signs, registration, status reports, device-key binding and
reads of a chip's chain of custody."""
