"""The registry of inspected units."""
