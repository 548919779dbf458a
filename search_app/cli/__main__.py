"""`python -m search_app.cli` runs the `report-search` command."""

import sys

from search_app.cli import main

sys.exit(main())
