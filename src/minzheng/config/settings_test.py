"""Test settings: the production settings with test secrets and a fast password hasher."""

import os

os.environ.setdefault("MINZHENG_ENV", "test")
os.environ.setdefault("MINZHENG_DATA_KEY", "00112233445566778899aabbccddeeff" * 2)
os.environ.setdefault("SECRET_KEY", "test-secret-key-that-is-long-enough-for-django")

from .settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ALLOWED_HOSTS = ["*"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
