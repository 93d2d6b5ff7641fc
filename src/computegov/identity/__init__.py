"""Who acts: Ed25519 keys, signed envelopes, the access matrix and screening lists.

Pure libraries over plain values; the registry stores parties and keys and calls these.
"""
