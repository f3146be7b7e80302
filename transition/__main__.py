"""``python -m transition``: the same as the ``transition`` command."""

from transition.cli import main

main()
