"""annotator: label statements in defence and security news and export training datasets."""

__version__ = "0.1.0"
