"""Inspection teams and their members."""
