"""Inspections, visits and their schedule."""
