"""okrpub.engine."""
