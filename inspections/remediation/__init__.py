"""Corrective actions and the units' reports on them."""
