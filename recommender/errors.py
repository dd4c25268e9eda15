"""Errors the user can act on. The CLI prints them without a traceback and exits with status 2."""


class UserError(Exception):
    """A problem the user can fix (bad input, missing file, unknown name)."""
