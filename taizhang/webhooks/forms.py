"""Forms of the webhook pages: input shape only; webhooks.services decides."""

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from taizhang.orgs.models import Org

from .models import Event


class EndpointForm(forms.Form):
    org = forms.ModelChoiceField(
        Org.objects.none(),
        label=_("组织"),
        help_text=_("本组织及其下级组织的事件都会发送到这个地址。"),
        error_messages={"required": _("请选择组织。")},
    )
    url = forms.URLField(
        label=_("接收地址"),
        max_length=500,
        assume_scheme="https",
        error_messages={"required": _("请填写接收地址。"), "invalid": _("请输入有效的网址。")},
    )
    events = forms.MultipleChoiceField(
        label=_("订阅事件"),
        choices=Event.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("请至少选择一个事件。")},
    )
    description = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args, orgs: QuerySet[Org], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs  # type: ignore[attr-defined]


class EndpointEditForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    url = forms.URLField(
        label=_("接收地址"),
        max_length=500,
        assume_scheme="https",
        error_messages={"required": _("请填写接收地址。"), "invalid": _("请输入有效的网址。")},
    )
    events = forms.MultipleChoiceField(
        label=_("订阅事件"),
        choices=Event.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("请至少选择一个事件。")},
    )
    description = forms.CharField(label=_("说明"), max_length=200, required=False)
    is_active = forms.BooleanField(label=_("启用"), required=False)


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
