"""``python -m laketahoe.runner notebook|module|warm ...``."""

import sys

from laketahoe.runner.entry import main

sys.exit(main())
