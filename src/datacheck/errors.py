"""Exceptions the library raises; the CLI maps them to exit code 2."""

from __future__ import annotations


class DatacheckError(Exception):
    """Base class for every error datacheck raises on purpose."""


class InputError(DatacheckError):
    """The input cannot be read at all: missing path, unknown format, unreadable file."""


class ConfigError(DatacheckError):
    """A configuration file or option is wrong: unknown key, wrong type, bad value."""
