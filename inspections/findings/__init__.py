"""Checklists, findings and evidence."""
