"""`python -m collate RETURNS_DIR`: the same as the `collate` command."""

from collate.cli import main

main()
