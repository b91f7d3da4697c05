"""``python -m annotator`` runs the command line (the window when given no command)."""

from annotator.cli import main

if __name__ == "__main__":  # run, not imported (as multiprocessing's spawn imports a main)
    main()
