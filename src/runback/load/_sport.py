"""Which activities count as running load: now in :mod:`runback.sports`.

Kept so that ``from runback.load._sport import running_activity`` works until
every caller imports :mod:`runback.sports` itself.
"""

from __future__ import annotations

from runback.sports import RUN_SPEED_MPS, is_running, running_activity

__all__ = ["RUN_SPEED_MPS", "is_running", "running_activity"]
