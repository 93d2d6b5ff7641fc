"""Parties: legal persons, their keys and API tokens, the administrator, and screening lists
matched against them."""
