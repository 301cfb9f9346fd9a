"""okrpub's themes, shipped with the package as ``okrpub.themes`` (see docs/themes.md)."""
