"""``python -m laketahoe.cli ...``: the ``laketahoe`` command."""

import sys

from laketahoe.cli.dispatch import main

sys.exit(main())
