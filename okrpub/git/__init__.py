"""okrpub.git."""
