"""``python -m bench`` runs the benchmark (bench/run.py) and writes bench/RESULTS.md."""

from bench.run import main

raise SystemExit(main())
