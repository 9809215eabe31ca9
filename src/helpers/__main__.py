"""``python -m helpers`` is the ``replicate`` command."""

import sys

from helpers.cli import main

sys.exit(main())
