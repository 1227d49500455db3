import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from minzheng.core import audit, audit_sql
from minzheng.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def _events(n):
    for i in range(n):
        audit.record(
            actor=None,
            username="tester",
            action="test.write",
            object_type="x",
            object_id=str(i),
            changes={"n": [i, i + 1]},
        )


def test_chain_verifies_when_untouched(capsys):
    _events(5)
    assert audit.verify().ok
    call_command("audit", "verify")
    assert "哈希链无断裂" in capsys.readouterr().out


def test_each_row_links_to_the_one_before():
    _events(3)
    rows = list(AuditEvent.objects.order_by("seq"))
    assert [r.prev_hash for r in rows[1:]] == [r.hash for r in rows[:-1]]


def test_update_through_the_orm_is_refused_by_the_database():
    _events(1)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.update(action="edited")


def test_delete_of_recent_rows_is_refused_by_the_database():
    _events(1)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.all().delete()


def _tamper(sql, params):
    audit_sql.drop(connection)
    try:
        with connection.cursor() as cur:
            cur.execute(sql, params)
    finally:
        audit_sql.install(connection)


def test_verify_fails_after_a_row_is_edited_in_sql():
    _events(4)
    target = AuditEvent.objects.order_by("seq")[1]
    _tamper(
        "UPDATE core_auditevent SET actor_username = %s WHERE seq = %s", ["intruder", target.seq]
    )
    report = audit.verify()
    assert not report.ok
    assert report.first_bad_seq == target.seq
    with pytest.raises(CommandError, match="审计日志校验失败"):
        call_command("audit", "verify")


def test_verify_fails_after_a_middle_row_is_deleted_in_sql():
    _events(4)
    target = AuditEvent.objects.order_by("seq")[2]
    _tamper("DELETE FROM core_auditevent WHERE seq = %s", [target.seq])
    report = audit.verify()
    assert not report.ok
    assert "缺失" in report.reason


def test_verify_fails_after_the_last_row_is_deleted_in_sql():
    _events(3)
    last = AuditEvent.objects.order_by("-seq").first()
    _tamper("DELETE FROM core_auditevent WHERE seq = %s", [last.seq])
    assert not audit.verify().ok


def test_protected_values_are_masked_in_audit_changes():
    from minzheng.core.masking import Protected

    event = audit.record(
        actor=None,
        username="t",
        action="x",
        changes={"id_number": [None, Protected("id", "340521195001010017")]},
    )
    assert event.changes["id_number"][1] == "340521********0017"


def test_committed_events_are_forwarded_as_json_lines(caplog, django_capture_on_commit_callbacks):
    import json
    import logging

    with (
        caplog.at_level(logging.INFO, logger="minzheng.audit"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        audit.record(actor=None, username="t", action="forward.me")
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "minzheng.audit"]
    assert lines[-1]["action"] == "forward.me"


def test_verify_reports_progress_batch_by_batch_with_the_same_result():
    _events(7)
    calls = []
    with_progress = audit.verify(batch=3, progress=lambda done, total: calls.append((done, total)))
    assert with_progress == audit.verify(batch=3)
    assert calls == [(3, 7), (6, 7), (7, 7)]


def test_verify_with_progress_still_finds_an_edited_row():
    _events(6)
    target = AuditEvent.objects.order_by("seq")[4]
    _tamper("UPDATE core_auditevent SET action = %s WHERE seq = %s", ["edited", target.seq])
    calls = []
    report = audit.verify(batch=2, progress=lambda done, total: calls.append(done))
    assert (report.ok, report.first_bad_seq) == (False, target.seq)
    assert calls == [2, 4]  # stopped in the batch holding the edited row


def test_events_written_while_verify_runs_are_not_mistaken_for_tampering():
    _events(4)
    appended = []

    def someone_keeps_working(done, total):
        if not appended:  # another user's action lands between two batches
            appended.append(audit.record(actor=None, username="other", action="test.write"))

    report = audit.verify(batch=2, progress=someone_keeps_working)
    assert report.ok, report.reason
    assert report.checked == 5
