"""Forms of the registry pages: parse and check the input's shape; rules live in services."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from minzheng.core.idnumber import IdNumberError, parse_resident_id

from . import codes
from .models import Asset, CodeTable, Employment, IncomeItem, Person, Situation, Source

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
HIDDEN_RELATIONS = {"01", "02"}  # 本人 and 户主 are not chosen for an added member

REQUIRED = {"required": _("此项为必填项")}


class BootstrapMixin:
    """Bootstrap classes on every widget, and Chinese messages for the common errors."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        for field in self.fields.values():  # type: ignore[attr-defined]
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()
            field.error_messages.setdefault("required", _("此项为必填项"))
            field.error_messages["required"] = _("此项为必填项")
            if isinstance(field, forms.DateField):
                field.error_messages["invalid"] = _("日期格式不正确，应为 2024-01-31")
            if isinstance(field, forms.DecimalField | forms.IntegerField):
                field.error_messages["invalid"] = _("请输入数字")

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        for name in self.errors:  # type: ignore[attr-defined]
            self._mark_invalid(name)

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)  # type: ignore[misc]
        if field:
            self._mark_invalid(field)

    def _mark_invalid(self, name: str) -> None:
        field = self.fields.get(name)  # type: ignore[attr-defined]
        if field is not None and "is-invalid" not in field.widget.attrs.get("class", ""):
            field.widget.attrs["class"] = field.widget.attrs.get("class", "") + " is-invalid"


def clean_resident_id(value: str) -> str:
    """The number's form (length, date, check character), with the reason in Chinese."""
    if not value:
        return value
    try:
        return parse_resident_id(value).number
    except IdNumberError as exc:
        raise forms.ValidationError(exc.message) from exc


def yuan_to_fen(value: Decimal | None) -> int:
    return int((value or Decimal(0)) * 100)


def fen_to_yuan(fen: int | None) -> Decimal:
    return (Decimal(fen or 0) / 100).quantize(Decimal("0.01"))


class YuanField(forms.DecimalField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", Decimal(0))
        super().__init__(**kwargs)
        self.error_messages["min_value"] = _("金额不能为负数")
        self.error_messages["max_decimal_places"] = _("金额最多保留两位小数（分）")
        self.widget.attrs.setdefault("step", "0.01")


def village_choices(villages: Any) -> list[tuple[str, StrOrPromise]]:
    return [("", _("请选择村（社区）"))] + [
        (v.code, f"{v.parent.name if v.parent_id else ''} {v.name}") for v in villages
    ]


class PersonFieldsForm(BootstrapMixin, forms.Form):
    id_number = forms.CharField(label=_("身份证号码"), max_length=20)
    name = forms.CharField(label=_("姓名"), max_length=50)
    region = forms.ChoiceField(label=_("户籍所在村（社区）"))
    hukou = forms.ChoiceField(
        label=_("户口性质"), choices=[("", _("请选择")), *list(Person.Hukou.choices)]
    )
    ethnicity = forms.ChoiceField(label=_("民族"), initial=codes.ETHNICITY_HAN)
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)

    def __init__(self, *args: Any, villages: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["region"]).choices = village_choices(villages)
        cast(forms.ChoiceField, self.fields["ethnicity"]).choices = codes.choices(
            CodeTable.ETHNICITY
        )
        self.fields["id_number"].widget.attrs.update({"autocomplete": "off", "inputmode": "text"})

    def clean_id_number(self) -> str:
        return clean_resident_id(self.cleaned_data.get("id_number", ""))


class HouseholdCreateForm(PersonFieldsForm):
    address = forms.CharField(label=_("家庭住址"), max_length=200, required=False)

    field_order = ["id_number", "name", "region", "address", "hukou", "ethnicity", "phone"]


class PersonEditForm(PersonFieldsForm):
    """The current ID and phone are never put into the form: the page shows them masked and
    a new value replaces them only when typed."""

    clear_phone = forms.BooleanField(label=_("删除联系电话"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["id_number"].required = False
        self.fields["id_number"].label = _("更正身份证号码")
        self.fields["id_number"].help_text = _("不更正请留空")
        self.fields["phone"].label = _("新联系电话")
        self.fields["phone"].help_text = _("不修改请留空")

    def changes(self) -> dict[str, Any]:
        d = self.cleaned_data
        out: dict[str, Any] = {
            "name": d["name"],
            "region": d["region"],
            "hukou": d["hukou"],
            "ethnicity": d["ethnicity"],
        }
        if d.get("id_number"):
            out["id_number"] = d["id_number"]
        if d.get("clear_phone"):
            out["phone"] = None
        elif d.get("phone"):
            out["phone"] = d["phone"]
        return out


class HouseholdEditForm(BootstrapMixin, forms.Form):
    region = forms.ChoiceField(label=_("所在村（社区）"))
    address = forms.CharField(label=_("家庭住址"), max_length=200, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, villages: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["region"]).choices = village_choices(villages)


class HeadChangeForm(BootstrapMixin, forms.Form):
    """户主变更: choose the new head among the other current members; when the old head is
    still a member, his or her relation to the new head."""

    new_head = forms.ChoiceField(label=_("新户主"))
    old_head_relation = forms.ChoiceField(label=_("原户主与新户主的关系"))
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        candidates: Any = (),
        old_head_name: str = "",
        old_head_is_member: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["new_head"]).choices = [("", _("请选择"))] + [
            (
                str(m.person.public_id),
                gettext("%(name)s（现为%(relation)s）")
                % {"name": m.person.name, "relation": codes.label(CodeTable.RELATION, m.relation)},
            )
            for m in candidates
        ]
        relations = [c for c in codes.choices(CodeTable.RELATION) if c[0] not in HIDDEN_RELATIONS]
        if old_head_is_member:
            field = cast(forms.ChoiceField, self.fields["old_head_relation"])
            field.label = gettext("原户主%(name)s与新户主的关系") % {"name": old_head_name}
            field.choices = [("", _("请选择")), *relations]
        else:  # the old head has left the household: nothing to relabel
            del self.fields["old_head_relation"]
        # every other member's relation to the new head, starting from the present one
        for m in candidates:
            self.fields[self.relation_field(m)] = forms.ChoiceField(
                label=gettext("%(name)s与新户主的关系") % {"name": m.person.name},
                choices=relations,
                initial=m.relation,
                required=False,
                help_text=_("若此人被选为新户主，此项不用填写"),
                widget=forms.Select(attrs={"class": "form-select"}),
            )

    @staticmethod
    def relation_field(membership: Any) -> str:
        return f"relation_{membership.person.public_id}"


class MemberAddForm(BootstrapMixin, forms.Form):
    id_number = forms.CharField(label=_("身份证号码"), max_length=20)
    relation = forms.ChoiceField(label=_("与户主关系"))
    name = forms.CharField(
        label=_("姓名"), max_length=50, required=False, help_text=_("新登记人员必填")
    )
    region = forms.ChoiceField(
        label=_("户籍所在村（社区）"), required=False, help_text=_("默认与本户相同")
    )
    hukou = forms.ChoiceField(
        label=_("户口性质"), choices=list(Person.Hukou.choices), initial=Person.Hukou.RURAL
    )
    ethnicity = forms.ChoiceField(label=_("民族"), initial=codes.ETHNICITY_HAN)
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    living_together = forms.BooleanField(label=_("共同生活"), required=False, initial=True)
    started_on = forms.DateField(
        label=_("加入日期"), required=False, widget=DATE, help_text=_("默认今天")
    )
    move = forms.BooleanField(
        label=_("如此人已属于其他家庭，将其迁入本户"),
        required=False,
        help_text=_("原家庭成员关系将终止并保留在历史中"),
    )

    def __init__(self, *args: Any, villages: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["relation"]).choices = [("", _("请选择"))] + [
            c for c in codes.choices(CodeTable.RELATION) if c[0] not in HIDDEN_RELATIONS
        ]
        cast(forms.ChoiceField, self.fields["ethnicity"]).choices = codes.choices(
            CodeTable.ETHNICITY
        )
        cast(forms.ChoiceField, self.fields["region"]).choices = village_choices(villages)

    def clean_id_number(self) -> str:
        return clean_resident_id(self.cleaned_data.get("id_number", ""))


def member_choices(members: Any, *, blank: Any = None) -> list[tuple[Any, Any]]:
    return [("", _("全户") if blank is None else blank)] + [
        (str(p.public_id), p.name) for p in members
    ]


class IncomeForm(BootstrapMixin, forms.Form):
    person = forms.ChoiceField(label=_("收入人"), required=False)
    category = forms.ChoiceField(label=_("收入类别"), choices=IncomeItem.Category.choices)
    amount = YuanField(label=_("月收入（元）"))
    started_on = forms.DateField(label=_("起始日期"), widget=DATE)
    ended_on = forms.DateField(label=_("终止日期"), required=False, widget=DATE)
    source = forms.ChoiceField(label=_("来源"), choices=Source.choices)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, members: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["person"]).choices = member_choices(members)


class AssetForm(BootstrapMixin, forms.Form):
    person = forms.ChoiceField(label=_("所有人"), required=False)
    kind = forms.ChoiceField(label=_("财产类型"), choices=Asset.Kind.choices)
    description = forms.CharField(label=_("说明"), max_length=200, required=False)
    value = YuanField(label=_("价值（元）"))
    count = forms.IntegerField(label=_("数量"), min_value=0, initial=1)
    source = forms.ChoiceField(label=_("来源"), choices=Source.choices)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, members: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["person"]).choices = member_choices(
            members, blank=_("全户共有")
        )
        self.fields["count"].error_messages["min_value"] = _("数量不能为负数")


class DisabilityForm(BootstrapMixin, forms.Form):
    person = forms.ChoiceField(label=_("残疾人"))
    category = forms.ChoiceField(label=_("残疾类别"))
    grade = forms.TypedChoiceField(
        label=_("残疾等级"),
        coerce=int,
        choices=[("", _("请选择")), (1, _("一级")), (2, _("二级")), (3, _("三级")), (4, _("四级"))],
    )
    certificate_number = forms.CharField(label=_("残疾人证号"), max_length=30, required=False)
    issued_on = forms.DateField(label=_("发证日期"), required=False, widget=DATE)
    valid_until = forms.DateField(label=_("有效期至"), required=False, widget=DATE)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, members: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["person"]).choices = member_choices(
            members, blank=_("请选择")
        )
        cast(forms.ChoiceField, self.fields["category"]).choices = [
            ("", _("请选择")),
            *codes.choices(CodeTable.DISABILITY_CATEGORY),
        ]


class HealthForm(BootstrapMixin, forms.Form):
    person = forms.ChoiceField(label=_("人员"))
    description = forms.CharField(label=_("病情说明"), max_length=200)
    serious_illness = forms.BooleanField(label=_("属于重特大疾病"), required=False)
    diagnosed_on = forms.DateField(label=_("确诊日期"), required=False, widget=DATE)

    def __init__(self, *args: Any, members: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["person"]).choices = member_choices(
            members, blank=_("请选择")
        )


class EmploymentForm(BootstrapMixin, forms.Form):
    person = forms.ChoiceField(label=_("人员"))
    work_ability = forms.ChoiceField(label=_("劳动能力"), choices=Employment.WorkAbility.choices)
    status = forms.ChoiceField(label=_("就业状况"), choices=Employment.Status.choices)
    employer = forms.CharField(label=_("工作单位"), max_length=100, required=False)
    started_on = forms.DateField(label=_("起始日期"), required=False, widget=DATE)

    def __init__(self, *args: Any, members: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["person"]).choices = member_choices(
            members, blank=_("请选择")
        )


class SituationForm(BootstrapMixin, forms.Form):
    """特殊情形: a period in which a member cannot care for their children."""

    person = forms.ChoiceField(label=_("人员"))
    kind = forms.ChoiceField(label=_("特殊情形"))
    since = forms.DateField(
        label=_("起始日期"),
        required=False,
        widget=DATE,
        help_text=_("失联、被宣告失踪的必须填写"),
    )
    until = forms.DateField(
        label=_("结束日期"),
        required=False,
        widget=DATE,
        help_text=_("已知或预计的结束日期，如刑期届满日；尚未结束且无法预计的请留空"),
    )
    basis = forms.CharField(
        label=_("证明材料"),
        max_length=100,
        required=False,
        help_text=_("如判决书、强制隔离戒毒决定书文号，或公安机关出具的失联证明"),
    )

    def __init__(self, *args: Any, members: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["person"]).choices = member_choices(
            members, blank=_("请选择")
        )
        cast(forms.ChoiceField, self.fields["kind"]).choices = [
            ("", _("请选择")),
            *Situation.Kind.choices,
        ]
        self.fields["kind"].error_messages["invalid_choice"] = _("请选择特殊情形")
        self.fields["basis"].error_messages["max_length"] = _("证明材料不能超过100个字")


class SituationEndForm(BootstrapMixin, forms.Form):
    until = forms.DateField(
        label=_("结束日期"),
        widget=DATE,
        help_text=_("如刑满释放、解除强制隔离戒毒、恢复联系的日期"),
    )


class StatusForm(BootstrapMixin, forms.Form):
    status = forms.ChoiceField(
        label=_("变更为"),
        choices=[(Person.Status.DECEASED, _("已故")), (Person.Status.MOVED_OUT, _("户籍迁出本县"))],
    )
    on = forms.DateField(label=_("日期"), widget=DATE)
    version = forms.IntegerField(widget=forms.HiddenInput)


class DocumentForm(BootstrapMixin, forms.Form):
    title = forms.CharField(label=_("材料名称"), max_length=100)
    file = forms.FileField(label=_("文件（PDF、JPG、PNG，不超过 10 MB）"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ".pdf,.jpg,.jpeg,.png"
        self.fields["file"].error_messages["empty"] = _("文件是空的")


class HouseholdFilterForm(forms.Form):
    village = forms.ChoiceField(required=False)
    size = forms.ChoiceField(required=False)
    disabled = forms.BooleanField(required=False)
    aged = forms.BooleanField(required=False)
    programme = forms.ChoiceField(required=False)
    q = forms.CharField(required=False, max_length=50)
    sort = forms.ChoiceField(
        required=False,
        choices=[
            ("village", _("按村（社区）")),
            ("head", _("按户主姓名")),
            ("-size", _("人口多的在前")),
            ("size", _("人口少的在前")),
            ("new", _("最近登记")),
        ],
    )

    def __init__(
        self, *args: Any, villages: Any = (), sizes: Any = (), programmes: Any = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["village"]).choices = [("", _("全部村（社区）"))] + [
            (v.code, v.name) for v in villages
        ]
        cast(forms.ChoiceField, self.fields["size"]).choices = [("", _("全部人口数")), *sizes]
        cast(forms.ChoiceField, self.fields["programme"]).choices = [
            ("", _("全部救助项目")),
            *programmes,
        ]
