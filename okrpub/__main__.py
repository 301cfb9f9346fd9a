"""``python -m okrpub``: the same as the ``okrpub`` command."""

from okrpub.cli import run

run()
