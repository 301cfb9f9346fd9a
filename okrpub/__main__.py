"""``python -m okrpub``: the same as the ``okrpub`` command."""

from okrpub.cli.main import run

run()
