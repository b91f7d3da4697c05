"""Exports: streamed from the database, checked against the text, written atomically."""
