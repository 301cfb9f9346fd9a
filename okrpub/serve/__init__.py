"""okrpub.serve."""
