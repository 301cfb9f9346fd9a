"""okrpub: publish OKRs kept as Markdown files in git as a validated, linked static site."""

__version__ = "0.1.0"
