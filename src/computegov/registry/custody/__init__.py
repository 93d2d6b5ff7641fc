"""Custody: sites, transfers of custody with their export checks, the flags custody raises and
rule impact over the chips held."""
