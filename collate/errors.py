"""Errors the toolkit raises for its users, each worded for a programme manager."""


class ToolkitError(Exception):
    """A problem the user can fix; the command line prints its message without a traceback."""


class InstrumentError(ToolkitError):
    """The instrument or settings files in templates/ are not valid."""


class SettingsError(ToolkitError):
    """The round settings file is not valid."""


class ReportError(ToolkitError):
    """The report's templates or wording cannot be used as they stand."""
