"""transition: move a mental-health caseload safely when council social workers leave NHS teams."""

__version__ = "0.1.0"
