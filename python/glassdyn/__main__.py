"""``python -m glassdyn``: the same as the ``glassdyn`` command."""
import sys

from glassdyn.cli import main

sys.exit(main())
