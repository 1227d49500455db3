"""Server-side masking (脱敏) of personal information, and the protected-value wrapper.

A ``Protected`` value prints masked everywhere (templates, exports, logs, repr, JSON) and gives
the full value only through ``reveal()``, which callers use after a permission check and an
audit record (see ``minzheng.accounts.services.reveal_protected``).
"""

from __future__ import annotations


def mask_id(number: str) -> str:
    """前6后4: 340521********0017."""
    if len(number) <= 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_phone(phone: str) -> str:
    """前3后4 for mobiles; landlines keep the area code and the last 2 digits."""
    digits = phone.replace("-", "")
    if len(digits) == 11 and digits.startswith("1"):
        return digits[:3] + "****" + digits[-4:]
    if "-" in phone:
        area, rest = phone.split("-", 1)
        return area + "-" + "*" * (len(rest) - 2) + rest[-2:]
    return "*" * max(len(phone) - 4, 0) + phone[-4:]


def mask_name(name: str) -> str:
    """张* for two characters, 张*三 for three, 欧阳**华 for longer names."""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_bank_account(account: str) -> str:
    """前6后4."""
    return mask_id(account)


MASKERS = {"id": mask_id, "phone": mask_phone, "bank": mask_bank_account}


class Protected:
    """A personal-information value that shows itself masked unless revealed."""

    __slots__ = ("_kind", "_value")

    def __init__(self, kind: str, value: str):
        if kind not in MASKERS:
            raise ValueError(f"unknown protected kind {kind!r}")
        self._kind = kind
        self._value = value

    @property
    def kind(self) -> str:
        return self._kind

    @property
    def masked(self) -> str:
        return MASKERS[self._kind](self._value)

    def reveal(self) -> str:
        return self._value

    def __str__(self) -> str:
        return self.masked

    __html__ = __str__

    def __repr__(self) -> str:
        return f"Protected({self._kind}, {self.masked})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Protected):
            return self._kind == other._kind and self._value == other._value
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self._kind, self._value))

    def __bool__(self) -> bool:
        return bool(self._value)

    def __len__(self) -> int:
        return len(self._value)
