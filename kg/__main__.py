"""``python -m kg`` runs the ``migkg`` command."""

from kg.cli import main

raise SystemExit(main())
