"""The Qt layer: models, views and undo commands over ``annotator.core``. The only Qt importer."""

from annotator.gui.pyside_imports import skip_feature_scan

skip_feature_scan()
