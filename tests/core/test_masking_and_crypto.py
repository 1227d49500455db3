import pytest
from django.db import connection

from minzheng.core import crypto
from minzheng.core.fields import index_value
from minzheng.core.masking import Protected, mask_id, mask_name, mask_phone


def test_masks_follow_the_house_conventions():
    assert mask_id("340521195001010017") == "340521********0017"
    assert mask_phone("13800138000") == "138****8000"
    assert mask_name("张三") == "张*"
    assert mask_name("张小三") == "张*三"
    assert mask_name("欧阳小明") == "欧**明"


def test_protected_value_prints_masked_and_reveals_on_request():
    value = Protected("id", "340521195001010017")
    assert str(value) == "340521********0017"
    assert "0101" not in repr(value)
    assert value.reveal() == "340521195001010017"


def test_sm4_round_trip_and_tamper_detection():
    token = crypto.encrypt("340521195001010017")
    assert token.startswith("sm4g1:")
    assert "340521195001010017" not in token
    assert crypto.decrypt(token) == "340521195001010017"
    assert crypto.encrypt("x") != crypto.encrypt("x")  # random nonce
    tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(tampered)


def test_blind_index_is_keyed_and_normalises_input():
    a = index_value("id", "34052120030616001x")
    assert a == index_value("id", " 34052120030616001X")
    assert a != crypto.sm3_hex(b"34052120030616001X")  # not a plain hash
    assert len(a) == 64


@pytest.mark.django_db
def test_database_column_holds_ciphertext_not_the_number(make_user):
    user = make_user("phone_owner", "town_officer", "340521104", phone="138 0013 8000")
    with connection.cursor() as cur:
        cur.execute("SELECT phone, phone_index FROM accounts_user WHERE id = %s", [user.pk])
        stored, index = cur.fetchone()
    assert "13800138000" not in stored
    assert stored.startswith("sm4g1:")
    assert index == index_value("phone", "13800138000")
    from minzheng.accounts.models import User

    reloaded = User.objects.get(phone_index=index_value("phone", "13800138000"))
    assert str(reloaded.phone) == "138****8000"
    assert reloaded.phone.reveal() == "13800138000"
