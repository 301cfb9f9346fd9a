"""okrpub.model."""
