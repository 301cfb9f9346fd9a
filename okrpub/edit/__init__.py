"""okrpub.edit."""
