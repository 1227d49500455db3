"""The audit trail: one append-only, SM3-chained table for every audited action.

``record`` is called by services inside their own transaction, so the audit row commits or
rolls back with the change it describes. ``record_failure`` is for refusals and failed
log-ins: it writes in its own transaction.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from .context import current_request
from .crypto import sm3_hex
from .masking import Protected
from .models import AuditChainHead, AuditEvent

GENESIS = "0" * 64
#: Each committed audit event is also written here as one JSON line, so a deployment can ship
#: the trail to the bureau's log platform (syslog handler in LOGGING; 等保 AU-6).
forward_log = logging.getLogger("minzheng.audit")
HASHED_FIELDS = (
    "seq",
    "occurred_at",
    "actor_id",
    "actor_username",
    "actor_roles",
    "ip",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "region_code",
    "outcome",
    "changes",
    "detail",
)


def _plain(value: Any) -> Any:
    """A JSON-safe, personal-data-masked form of a value for the audit record."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Protected):
        return value.masked
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    return str(value)


def diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for each field whose value changed (masked)."""
    out: dict[str, list[Any]] = {}
    for key in sorted(set(old) | set(new)):
        before, after = _plain(old.get(key)), _plain(new.get(key))
        if before != after:
            out[key] = [before, after]
    return out


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    return {f: getattr(instance, f) for f in fields}


def _canonical(event: AuditEvent) -> str:
    data = {}
    for name in HASHED_FIELDS:
        value = getattr(event, name)
        if isinstance(value, dt.datetime):
            value = value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        data[name] = value
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _chain_hash(prev_hash: str, event: AuditEvent) -> str:
    return sm3_hex((prev_hash + "|" + _canonical(event)).encode())


def record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    region_code: str = "",
    success: bool = True,
    changes: Mapping[str, Any] | None = None,
    detail: Mapping[str, Any] | None = None,
    username: str = "",
) -> AuditEvent:
    info = current_request.get()
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(getattr(obj, "public_id", None) or obj.pk)
        object_repr = object_repr or str(obj)
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        event = AuditEvent(
            seq=head.seq + 1,
            occurred_at=timezone.now(),
            actor_id=actor.pk if is_user else None,
            actor_username=(actor.get_username() if is_user else username)[:150],
            actor_roles=(",".join(sorted(actor.role_codes)) if is_user else "")[:200],
            ip=info.ip,
            action=action,
            object_type=object_type[:64],
            object_id=object_id[:64],
            object_repr=str(_plain(object_repr))[:200],
            region_code=region_code,
            outcome=AuditEvent.Outcome.SUCCESS if success else AuditEvent.Outcome.FAILURE,
            changes=_plain(dict(changes or {})),
            detail=_plain({"channel": info.channel, **dict(detail or {})}),
            prev_hash=head.hash,
        )
        # Round-trip through JSON so the hash covers exactly what the database will return.
        event.changes = json.loads(json.dumps(event.changes))
        event.detail = json.loads(json.dumps(event.detail))
        event.hash = _chain_hash(head.hash, event)
        event.save(force_insert=True)
        head.seq, head.hash = event.seq, event.hash
        head.save(update_fields=["seq", "hash"])
        line = _canonical(event)
        transaction.on_commit(lambda: forward_log.info(line))
    return event


def record_failure(**kwargs: Any) -> AuditEvent:
    """A refusal or failure, written even if the surrounding work is rolled back."""
    return record(success=False, **kwargs)


@dataclass(frozen=True)
class VerifyReport:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    reason: str = ""


def verify(
    *, batch: int = 5000, progress: Callable[[int, int], None] | None = None
) -> VerifyReport:
    """Recompute the chain from the first retained row; report the first break.

    ``progress(checked, total)``, when given, is called after each batch (``total`` is the
    number of rows when the check started; rows appended meanwhile are checked too). Events
    written while the check runs are not mistaken for tampering: when the table seems to end
    before the chain head, the head is read again and the newer rows are checked as well.
    """
    total = AuditEvent.objects.count() if progress is not None else 0
    last_seq, last_hash, checked = None, None, 0
    qs = AuditEvent.objects.order_by("seq")
    after = -1
    while True:
        rows = list(qs.filter(seq__gt=after)[:batch])
        if not rows:
            # The head is read only once the table is exhausted: it moves in the same
            # transaction as each insert, so a head beyond the last row read means either
            # rows committed since that read (check them) or rows deleted from the end.
            head = AuditChainHead.objects.filter(pk=1).first()
            if (
                head is not None
                and head.seq > (last_seq or 0)
                and qs.filter(seq__gt=after).exists()
            ):
                continue
            break
        for event in rows:
            if last_seq is not None:
                if event.seq != last_seq + 1:
                    return VerifyReport(
                        False, checked, last_seq + 1, f"记录 #{last_seq + 1} 缺失（被删除）"
                    )
                if event.prev_hash != last_hash:
                    return VerifyReport(
                        False, checked, event.seq, f"记录 #{event.seq} 的前序哈希与上一条不符"
                    )
            if _chain_hash(event.prev_hash, event) != event.hash:
                return VerifyReport(
                    False, checked, event.seq, f"记录 #{event.seq} 的内容被改动（哈希不符）"
                )
            last_seq, last_hash = event.seq, event.hash
            checked += 1
        after = rows[-1].seq
        if progress is not None:
            total = max(total, checked)
            progress(checked, total)
    if head is not None and head.seq != (last_seq or 0):
        return VerifyReport(
            False,
            checked,
            (last_seq or 0) + 1,
            f"链头记录为 #{head.seq}，但表中最后一条是 #{last_seq or 0}（末尾记录被删除）",
        )
    if head is not None and last_hash is not None and head.hash != last_hash:
        return VerifyReport(False, checked, last_seq, "链头哈希与最后一条记录不符")
    return VerifyReport(True, checked)
