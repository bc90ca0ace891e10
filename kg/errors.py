"""Errors that the CLI turns into one line on stderr and an exit code.

Exit codes follow pySHACL: 0 ok, 1 bad input or violations, 2 usage or runtime error.
"""

from __future__ import annotations

__all__ = ["InputError", "MigkgError", "UsageError", "ValidationFailed"]


class MigkgError(Exception):
    """Base error: a one-line message and the exit code the CLI uses."""

    exit_code = 2


class UsageError(MigkgError):
    """The call itself is wrong: an unknown store, a malformed date, a bad option."""

    exit_code = 2


class InputError(MigkgError):
    """An input file is broken (syntax); the message starts with FILE:LINE."""

    exit_code = 1


class ValidationFailed(MigkgError):
    """The graph breaks a shape, a check query or the reasoner."""

    exit_code = 1
