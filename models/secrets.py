"""Secrets at rest: Slack tokens are stored encrypted with Fernet (AES-128-CBC with an
HMAC), under the key(s) in HIREBOT_SECRET_KEY.

Several comma-separated keys rotate the key: the first encrypts, every one decrypts, so a
new key is put first and the old one dropped once the tokens were saved again (at their
next rotation or re-install).
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class SecretKeyError(ValueError):
    """HIREBOT_SECRET_KEY is missing or not Fernet keys; the message says how to fix it."""


class UnreadableSecret(RuntimeError):
    """A stored secret that none of the keys opens (the key was changed or lost)."""


HOW_TO_MAKE_ONE = (
    'make one with: python -c "from cryptography.fernet import Fernet; '
    'print(Fernet.generate_key().decode())"'
)


class SecretBox:
    def __init__(self, keys: str) -> None:
        parts = [part.strip() for part in keys.split(",") if part.strip()]
        if not parts:
            raise SecretKeyError(f"HIREBOT_SECRET_KEY is not set; {HOW_TO_MAKE_ONE}")
        try:
            self._fernet = MultiFernet([Fernet(part.encode()) for part in parts])
        except ValueError:
            raise SecretKeyError(
                f"HIREBOT_SECRET_KEY must be Fernet keys (32 url-safe base64 bytes each); "
                f"{HOW_TO_MAKE_ONE}"
            ) from None

    def seal(self, value: str | None) -> str | None:
        """`value` encrypted (None stays None)."""
        if value is None:
            return None
        return self._fernet.encrypt(value.encode()).decode("ascii")

    def open(self, sealed: str | None) -> str | None:
        """The secret `sealed` holds (None stays None)."""
        if sealed is None:
            return None
        try:
            return self._fernet.decrypt(sealed.encode("ascii")).decode()
        except (InvalidToken, ValueError):
            raise UnreadableSecret(
                "a stored Slack token cannot be decrypted with HIREBOT_SECRET_KEY (was the "
                "key changed? list the old key after the new one); reinstall the app"
            ) from None
