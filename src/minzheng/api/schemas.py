"""Schemas shared by the routers."""

from __future__ import annotations

from ninja import Schema
from pydantic import Field


class ErrorDetail(Schema):
    code: str = Field(description="稳定的英文错误代码，供程序判断")
    message: str = Field(description="给用户看的中文说明")
    field: str | None = Field(None, description="出错的字段（如有）")


class ErrorOut(Schema):
    error: ErrorDetail


def errors(*statuses: int) -> dict[int, type[ErrorOut]]:
    """``response=`` entries documenting the error answers of an operation."""
    return dict.fromkeys(statuses, ErrorOut)
