"""Synthetic demonstration data (pure Python, deterministic)."""
