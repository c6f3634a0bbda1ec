"""The token page's form: input shape only; api.services decides."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import TokenScope


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("名称"),
        max_length=100,
        help_text=_("用途，例如“OA 系统同步”。"),
        error_messages={"required": _("请填写令牌名称。")},
    )
    scope = forms.ChoiceField(
        label=_("权限范围"),
        choices=TokenScope.choices,
        initial=TokenScope.READ,
        widget=forms.RadioSelect,
        help_text=_("只读令牌只能查询；读写令牌可以代表您修改数据。"),
    )
