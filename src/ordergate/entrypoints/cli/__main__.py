"""``python -m ordergate.entrypoints.cli``."""

from ordergate.entrypoints.cli import main

main()
