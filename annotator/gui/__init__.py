"""The Qt layer: models, views and undo commands over ``annotator.core``. The only Qt importer."""
