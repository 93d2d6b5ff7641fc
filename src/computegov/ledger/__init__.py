"""The tamper-evident ledger: an append-only RFC 9162 Merkle log with C2SP tiles and checkpoints.

The pure parts live in `merkle` (hashing and proofs), `tiles` (tlog-tiles layout), `note`
(signed notes and checkpoints) and `entries` (leaves that commit to private records).
Import the submodule you need; this package imports none of them eagerly.
"""
