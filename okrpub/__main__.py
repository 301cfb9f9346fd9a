"""``python -m okrpub``: the same as the ``okrpub`` command."""

import sys

from okrpub.cli import main

sys.exit(main())
