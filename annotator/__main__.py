"""``python -m annotator`` runs the command line (the window when given no command)."""

from annotator.cli import main

main()
