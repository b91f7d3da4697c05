"""The Qt-free core: schemas, storage, import, export. Usable as a library and from the CLI."""
