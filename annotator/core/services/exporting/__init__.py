"""Exports: streamed from the database, checked against the text, published whole or not at all."""
