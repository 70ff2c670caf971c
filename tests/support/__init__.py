"""Plain helpers the tests import by name: builders, uploads, request helpers (no fixtures here)."""
