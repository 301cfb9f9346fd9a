"""okrpub.site."""
