"""Errors of the monitoring module; each is a TocsinError, so the CLI prints it in one line."""

from __future__ import annotations

from tocsin.core.errors import TocsinError


class MonitorError(TocsinError):
    """Something in the monitoring module failed in a way the user can act on."""


class PermissionDenied(MonitorError):
    """The acting user's role does not allow the action."""


class NotFound(MonitorError):
    """An incident, user or token does not exist (or is not visible to the acting user)."""


class AuthError(MonitorError):
    """Wrong username, password or token."""


class ValidationError(MonitorError):
    """An incident or user field holds a value the log does not accept."""


class SpeechModelMissing(MonitorError):
    """Scoring was asked for before `tocsin monitor train` wrote a model."""


class AuditViolation(MonitorError):
    """Something tried to change or delete an audit-log row."""
