"""Writes to the customers app's tables, one module per part: ``contacts``, ``merge``, ``aggregates``
(numbers, stage, scores), ``tags``, ``notes``, ``consent``, ``segments``, ``audit``.

Import a service from the module that owns it; this package re-exports nothing.
"""
