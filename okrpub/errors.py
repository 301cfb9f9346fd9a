"""okrpub's errors: one base, so a caller can catch everything okrpub raises on purpose."""


class OkrpubError(Exception):
    """An error okrpub reports to the user as a message, never as a traceback."""


class UsageError(OkrpubError):
    """Bad usage or configuration: the command exits with status 2."""
