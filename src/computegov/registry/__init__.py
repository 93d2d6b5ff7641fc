"""The registry's use cases: the only layer that combines rules, ledger, identity and store.

Each use case runs in one transaction, so a state change and its ledger entry commit
together or not at all.
"""
