"""`python -m lwai.cli ...`, the same as the `lwai` console script."""

import sys

from lwai.cli import main

sys.exit(main())
