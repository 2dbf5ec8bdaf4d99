"""``python -m bench``: the one bench runner (see bench/runner.py)."""

import sys

from bench.runner import main

sys.exit(main())
