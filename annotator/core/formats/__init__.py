"""Formats: readers of input files and writers of datasets. No database, no services."""
