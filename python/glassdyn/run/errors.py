"""Errors a user can fix: the message names the file or field and says what to do.

The command line turns every :class:`UserError` into one line on stderr and exit status 2
(``--debug`` shows the traceback); anything else is a bug or a failed LAMMPS run.
"""
from __future__ import annotations


class UserError(Exception):
    """A mistake in the input files or the campaign folder, explained in one sentence."""


class StateError(UserError):
    """A file of the campaign folder is damaged or belongs to other settings."""


class ConfigError(UserError, ValueError):
    """A campaign configuration is invalid; the message names the field and the fix."""
