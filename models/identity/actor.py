"""The acting user: who is calling, resolved once per request, task or Slack action."""

from __future__ import annotations

from dataclasses import dataclass

from models.enums import Role, Surface


@dataclass(frozen=True, slots=True)
class Actor:
    user_id: int
    org_id: int
    role: Role
    name: str = ""
    email: str = ""
    surface: Surface = Surface.API
    """Where the person is acting (recorded with what they write)."""

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    @property
    def can_write(self) -> bool:
        """Admins and Editors create and change jobs; Viewers only read."""
        return self.role in (Role.ADMIN, Role.EDITOR)
