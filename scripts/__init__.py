"""Operator and developer scripts (``scripts.bench`` and its settings live here)."""
