"""Forms for the campaign pages: they parse and present input; the rules live in services."""

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from taizhang.orgs.models import Org, Person
from taizhang.orgs.permissions import ADMIN_ROLES, org_scope_q, people_visible_to

from ..models import DEFAULT_FOCUS_AREAS, DEFAULT_PROJECT_TYPES, Cadence, Campaign, ProjectStatus
from ..selectors import LEDGER_SORTS

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
PER_PAGE_CHOICES = [(20, "20"), (50, "50"), (100, "100")]
DEFAULT_PER_PAGE = 50


def campaign_owner_orgs(user) -> QuerySet[Org]:
    """Orgs the user may launch a campaign for: where they are org admin, and below."""
    return Org.objects.filter(org_scope_q(user, field="path", roles=ADMIN_ROLES)).order_by("path")


class OrgChoiceField(forms.ModelChoiceField):
    """Shows the tree by indenting each org by its depth below the shallowest one offered."""

    def label_from_instance(self, obj: Org) -> str:
        return "\u3000" * max(obj.depth - getattr(self, "base_depth", obj.depth), 0) + str(obj)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _type_lines(types: list[tuple[str, str]]) -> str:
    return "\n".join(f"{name} | {short}" if short else name for name, short in types)


class CampaignForm(forms.Form):
    org = OrgChoiceField(label=_("主办组织"), queryset=Org.objects.none())
    name = forms.CharField(label=_("活动名称"), max_length=200)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    start_date = forms.DateField(label=_("开始日期"), widget=DATE_WIDGET)
    end_date = forms.DateField(label=_("结束日期"), widget=DATE_WIDGET)
    cadence = forms.ChoiceField(label=_("检查周期"), choices=Cadence.choices)
    description = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    project_types = forms.CharField(
        label=_("项目类型"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行一个，格式为“全称 | 简称”，例如：党组织带党员创效 | 创效"),
    )
    focus_areas = forms.CharField(
        label=_("中心工作"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("每行一个，例如：生产经营"),
    )

    def __init__(self, *args, user, campaign: Campaign | None = None, **kwargs) -> None:
        if campaign is None:
            today = timezone.localdate()
            kwargs.setdefault(
                "initial",
                {
                    "year": today.year,
                    "start_date": dt.date(today.year, 1, 1),
                    "end_date": dt.date(today.year, 12, 31),
                    "cadence": Cadence.QUARTERLY,
                    "project_types": _type_lines(DEFAULT_PROJECT_TYPES),
                    "focus_areas": "\n".join(DEFAULT_FOCUS_AREAS),
                },
            )
        else:
            kwargs.setdefault(
                "initial",
                {
                    "name": campaign.name,
                    "year": campaign.year,
                    "start_date": campaign.start_date,
                    "end_date": campaign.end_date,
                    "cadence": campaign.cadence,
                    "description": campaign.description,
                    "project_types": _type_lines(
                        [(t.name, t.short_name) for t in campaign.project_types.all()]
                    ),
                    "focus_areas": "\n".join(a.name for a in campaign.focus_areas.all()),
                },
            )
        # Labels sit above their inputs, so no "：" after them.
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        if campaign is None:
            field = self.fields["org"]
            field.queryset = campaign_owner_orgs(user)
            field.empty_label = _("请选择主办组织")
            first = field.queryset.first()
            field.base_depth = first.depth if first else 1
            # Most admins hold one grant: the top of their subtree is the likely owner.
            self.fields["org"].initial = first
        else:
            # A campaign stays with the org that launched it; moving it is not a form edit.
            del self.fields["org"]

    def clean_project_types(self) -> list[tuple[str, str]]:
        """'全称 | 简称' per line (a full-width ｜ works too); an empty box is left to the
        service, which says a campaign needs at least one type."""
        result = []
        for line in _lines(self.cleaned_data.get("project_types", "")):
            name, _sep, short = line.replace("｜", "|").partition("|")
            result.append((name.strip(), short.strip()))
        return result

    def clean_focus_areas(self) -> list[str]:
        return _lines(self.cleaned_data.get("focus_areas", ""))


class PairingForm(forms.Form):
    """Picks the two people of a 1+N pair among those visible to the user."""

    member = forms.ModelChoiceField(label=_("党员"), queryset=Person.objects.none())
    colleague = forms.ModelChoiceField(label=_("结对群众"), queryset=Person.objects.none())

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        people = people_visible_to(user)
        self.fields["member"].queryset = people
        self.fields["colleague"].queryset = people


SORT_CHOICES = [(key, key) for key in LEDGER_SORTS]


class LedgerFilterForm(forms.Form):
    """The ledger's query string. Every field is optional; a value that does not parse is
    dropped (the ledger then shows unfiltered on that field) rather than failing the page."""

    # `org` is not a field here: the view fetches it through access_org, so an org outside
    # the user's scope answers 404 instead of being silently dropped.
    type = forms.ModelChoiceField(
        label=_("类型"), required=False, queryset=None, empty_label=_("全部类型")
    )
    area = forms.ModelChoiceField(
        label=_("中心工作"), required=False, queryset=None, empty_label=_("全部中心工作")
    )
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部状态")), *ProjectStatus.choices]
    )
    lead = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    q = forms.CharField(
        label=_("搜索"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("项目名称、编号或牵头人")}
        ),
    )
    sort = forms.ChoiceField(required=False, choices=SORT_CHOICES, widget=forms.HiddenInput)
    per_page = forms.TypedChoiceField(
        label=_("每页"),
        required=False,
        coerce=int,
        choices=PER_PAGE_CHOICES,
        empty_value=DEFAULT_PER_PAGE,
    )

    def __init__(self, data=None, *args, campaign: Campaign, **kwargs) -> None:
        if data is not None and not data.get("per_page"):
            # Show the page size actually used; an unset select would display its first option.
            data = data.copy()
            data["per_page"] = str(DEFAULT_PER_PAGE)
        super().__init__(data, *args, **kwargs)
        self.fields["type"].queryset = campaign.project_types.all()
        self.fields["area"].queryset = campaign.focus_areas.all()

    def value(self, name: str) -> Any:
        """The cleaned value of `name`, or None when absent or invalid."""
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        if name in self.errors:
            return None
        return self.cleaned_data.get(name)
