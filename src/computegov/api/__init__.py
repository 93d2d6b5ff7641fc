"""The registry's HTTP API (FastAPI, under /v1): parse, call a use case, render."""
