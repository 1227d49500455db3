from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from minzheng.core.exceptions import NotFoundOrNotYours
from minzheng.geo.models import Region

from . import selectors

NOT_YOURS = "not_yours"
MAX_TEMPLATE_BYTES = 10 * 1024 * 1024


class ReportParamsForm(forms.Form):
    """Period and region of a report. The region must lie in the user's subtree; the error
    for a region elsewhere is the same as for one that does not exist."""

    region = forms.CharField(label=_("区域"), max_length=12)

    def __init__(self, data: Any, *, user: Any, **kwargs: Any):
        super().__init__(data, **kwargs)
        self.user = user
        # "from" is a Python keyword: these fields are added by name
        self.fields["from"] = forms.DateField(label=_("起始日期"))
        self.fields["to"] = forms.DateField(label=_("截止日期"))
        self.order_fields(["from", "to", "region"])
        self.region_obj: Region | None = None

    def clean_region(self) -> str:
        code = self.cleaned_data["region"].strip()
        try:
            self.region_obj = selectors.region_for_user(self.user, code)
        except NotFoundOrNotYours as exc:
            raise forms.ValidationError(
                _("所选区域不存在或不在您的管辖范围内"), code=NOT_YOURS
            ) from exc
        return code

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("from"), data.get("to")
        if isinstance(start, dt.date) and isinstance(end, dt.date) and start > end:
            self.add_error("to", _("截止日期不能早于起始日期"))
        return data

    @property
    def region_refused(self) -> bool:
        return self.has_error("region", NOT_YOURS)


class TemplateUploadForm(forms.Form):
    template = forms.FileField(label=_("模板文件（.docx、.txt 或 .md）"))

    def clean_template(self) -> Any:
        f = self.cleaned_data["template"]
        if f.size > MAX_TEMPLATE_BYTES:
            raise forms.ValidationError(_("模板文件不能超过 10 MB"))
        return f
