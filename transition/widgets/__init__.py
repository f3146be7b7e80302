"""Reusable widgets: the caseload table, the panels of fields, the path input."""
