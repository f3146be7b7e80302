"""The base of a dashboard box that a stage fills from its own domain functions.

It lives here, not in ``screens/dashboard.py``, so a stage's panels can subclass it while the
dashboard lists them in ``STAGE_PANELS`` without a circular import.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session
from textual.containers import Vertical


class DashboardPanel(Vertical):
    """A box on the dashboard that a later stage fills from its own domain functions."""

    def refresh_from(self, session: Session, today: date) -> None:
        """Read and show the panel's numbers (called on the UI thread, in a read session)."""
