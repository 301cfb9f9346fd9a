"""okrpub.cli."""
