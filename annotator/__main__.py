"""``python -m annotator`` runs the command line (the window when given no command)."""

from annotator.cli import main

if __name__ == "__main__":  # not when a spawned search process imports the main module
    main()
