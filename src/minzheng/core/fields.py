"""Model fields for personal information: encrypted at rest, blind-indexed, masked when shown."""

from __future__ import annotations

from typing import Any

from django.db import models

from . import crypto
from .idnumber import normalize, normalize_phone
from .masking import Protected


class ProtectedField(models.Field[Protected | str | None, Protected | None]):
    """Stores SM4-GCM ciphertext; gives back a :class:`Protected` value that prints masked."""

    kind = "id"
    description = "Encrypted personal information"

    def get_internal_type(self) -> str:
        return "TextField"

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Protected | None:
        if value is None or value == "":
            return None
        return Protected(self.kind, crypto.decrypt(value))

    def to_python(self, value: Any) -> Protected | None:
        if value is None or value == "" or isinstance(value, Protected):
            return value or None
        if isinstance(value, str) and value.startswith(crypto.CIPHER_PREFIX):
            return Protected(self.kind, crypto.decrypt(value))
        return Protected(self.kind, self.normalize(str(value)))

    def normalize(self, value: str) -> str:
        return value.strip()

    def get_prep_value(self, value: Any) -> str | None:
        if value is None or value == "":
            return None
        plain = value.reveal() if isinstance(value, Protected) else self.normalize(str(value))
        return crypto.encrypt(plain)

    def value_to_string(self, obj: models.Model) -> str:
        value = self.value_from_object(obj)
        return "" if value is None else str(value)  # masked: serialisation never leaks


class ResidentIdField(ProtectedField):
    kind = "id"
    description = "Resident identity number (GB 11643), encrypted"

    def normalize(self, value: str) -> str:
        return normalize(value)


class PhoneField(ProtectedField):
    kind = "phone"
    description = "Phone number, encrypted"

    def normalize(self, value: str) -> str:
        return normalize_phone(value)


def index_value(kind: str, value: str | Protected | None) -> str | None:
    """The blind index of a value as its field would store it (for exact look-ups)."""
    if value is None or value == "":
        return None
    plain = value.reveal() if isinstance(value, Protected) else value
    plain = normalize(plain) if kind == "id" else normalize_phone(plain)
    return crypto.blind_index(plain, purpose=kind)


class BlindIndexField(models.CharField):
    """HMAC-SM3 of another protected field, kept in step by ``pre_save``.

    ``Person.objects.filter(id_number_index=index_value("id", typed))`` finds the exact number
    without decrypting a column.
    """

    def __init__(self, *args: Any, source: str = "", kind: str = "id", **kwargs: Any):
        self.source = source
        self.kind = kind
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        kwargs["kind"] = self.kind
        kwargs.pop("editable", None)
        if kwargs.get("max_length") == 64:
            kwargs.pop("max_length")
        return name, path, args, kwargs

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = index_value(self.kind, getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value
