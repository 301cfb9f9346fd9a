"""okrpub.source."""
