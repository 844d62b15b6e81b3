"""`python -m ordertrail` is the `ordertrail` command."""

from ordertrail.cli import main

main()
