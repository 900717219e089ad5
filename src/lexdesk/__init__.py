"""lexdesk: the desk for the legal process that passes between agencies about people in custody."""

__version__ = "0.1.0"
