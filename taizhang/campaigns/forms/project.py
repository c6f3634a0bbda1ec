"""Forms for the project pages: input shape only; every business rule is checked again (and
authoritatively) by campaigns.services, whose DomainError the views map back onto these forms.
"""

from collections.abc import Iterable
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from taizhang.core.exceptions import DomainError
from taizhang.orgs.models import Org, Person
from taizhang.orgs.permissions import people_visible_to

from .. import permissions
from ..models import (
    Campaign,
    Direction,
    MeasureStatus,
    ParticipantRole,
    Project,
)
from ..services import to_decimal

DATE_WIDGET_ATTRS = {"type": "date"}


def _date_field(label: str, *, required: bool = True) -> forms.DateField:
    # <input type="date"> only accepts ISO dates, whatever the active language's format is.
    return forms.DateField(
        label=label,
        required=required,
        widget=forms.DateInput(attrs=DATE_WIDGET_ATTRS, format="%Y-%m-%d"),
        error_messages={"invalid": _("请输入有效的日期。")},
    )


# --------------------------------------------------------------------------- pickers


class PersonSelect(forms.Select):
    """A <select> that renders only the chosen person.

    A group holds ~150,000 people: rendering the whole visible queryset would make every form
    megabytes long. The other options arrive through the htmx search (orgs:person_search)
    that swaps in a short <option> list; validation still runs against the full queryset.
    """

    def optgroups(self, name: str, value: list[str], attrs: dict | None = None) -> list:
        chosen = [v for v in value if v and str(v).isdigit()]
        choices: list[tuple[str, str]] = [("", _("（请搜索选择）"))]
        if chosen:
            field_choices = self.choices  # a ModelChoiceIterator bound to the field
            queryset = field_choices.queryset.filter(pk__in=chosen)
            label = field_choices.field.label_from_instance
            choices += [(str(person.pk), label(person)) for person in queryset]
        return [
            (None, [self.create_option(name, v, label, v in value, i, attrs=attrs)], i)
            for i, (v, label) in enumerate(choices)
        ]


class PersonChoiceField(forms.ModelChoiceField):
    widget = PersonSelect

    def label_from_instance(self, obj: Person) -> str:
        # Same label as the options orgs:person_search swaps in.
        return gettext("%(name)s（%(org)s，%(status)s）") % {
            "name": obj.name,
            "org": obj.org,
            "status": obj.get_political_status_display(),
        }


class OrgChoiceField(forms.ModelChoiceField):
    def __init__(self, queryset: QuerySet[Org], *, root_depth: int, **kwargs: Any) -> None:
        self.root_depth = root_depth
        super().__init__(queryset, **kwargs)

    def label_from_instance(self, obj: Org) -> str:
        # Indent by depth below the campaign's org so the tree shape shows in a flat <select>;
        # an ideographic space, because browsers strip leading ASCII spaces in <option>.
        return "\u3000" * max(obj.depth - self.root_depth, 0) + str(obj)


# --------------------------------------------------------------------------- the project


class ProjectForm(forms.Form):
    """Core fields of the ledger row, shared by the create and edit pages."""

    org = OrgChoiceField(
        Org.objects.none(),
        root_depth=1,
        label=_("责任组织"),
        error_messages={
            "required": _("请选择责任组织。"),
            "invalid_choice": _("所选组织不在您可以申报项目的范围内。"),
        },
    )
    code = forms.CharField(label=_("项目编号"), max_length=50, required=False)
    title = forms.CharField(label=_("项目名称"), max_length=300, required=False)
    project_type = forms.ModelChoiceField(
        queryset=None, label=_("项目类型"), error_messages={"required": _("请选择项目类型。")}
    )
    focus_area = forms.ModelChoiceField(
        queryset=None, label=_("中心工作"), error_messages={"required": _("请选择中心工作。")}
    )
    lead = PersonChoiceField(
        queryset=Person.objects.none(),
        label=_("牵头人"),
        help_text=_("须为中共党员或中共预备党员；在下方输入姓名、拼音或工号查找。"),
        error_messages={
            "required": _("请选择牵头人。"),
            "invalid_choice": _("所选牵头人不在您的管理范围内。"),
        },
    )
    start_date = _date_field(_("开始日期"))
    end_date = _date_field(_("完成时限"))
    rationale = forms.CharField(
        label=_("选题依据"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    plan = forms.CharField(
        label=_("实施方案"), required=False, widget=forms.Textarea(attrs={"rows": 8})
    )

    def __init__(self, *args: Any, user, campaign: Campaign, project: Project | None = None,
                 **kwargs: Any) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        orgs = permissions.orgs_for_new_project(user, campaign)
        people = people_visible_to(user)
        if project is not None:
            # The current values stay valid even when the editor could not pick them today
            # (a lead from a sibling branch chosen by the company admin, say).
            orgs = orgs | Org.objects.filter(pk=project.org_id)
            people = people | Person.objects.filter(pk=project.lead_id)
        org_field: OrgChoiceField = self.fields["org"]  # type: ignore[assignment]
        org_field.queryset = orgs.order_by("path")
        org_field.root_depth = campaign.org.depth
        self.fields["project_type"].queryset = campaign.project_types.all()  # type: ignore[attr-defined]
        self.fields["focus_area"].queryset = campaign.focus_areas.all()  # type: ignore[attr-defined]
        self.fields["lead"].queryset = people  # type: ignore[attr-defined]


class ProjectCreateForm(ProjectForm):
    plan_file = forms.FileField(
        label=_("实施方案附件"),
        required=False,
        help_text=_("可选；Word、PDF、Excel 等办公文件。"),
    )


class VersionField(forms.IntegerField):
    """The record's lock_version as the page showed it: the service refuses a save based
    on an older one (optimistic concurrency), so two editors cannot overwrite each other."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, min_value=1, **kwargs)


class ProjectEditForm(ProjectForm):
    version = VersionField()
    reason = forms.CharField(
        label=_("修改说明"),
        required=False,
        max_length=500,
        help_text=_("记入修改历史。"),
        widget=forms.TextInput(),
    )


# --------------------------------------------------------------------------- children


def _parse_number(value: Any, *, field: str, label: str, required: bool) -> Any:
    """Parse with the service's own parser so a row shows the same message the service would."""
    try:
        return to_decimal(value, field=field, label=label, required=required)
    except DomainError as error:
        raise forms.ValidationError(error.message, code=error.code) from error


class GoalForm(forms.Form):
    name = forms.CharField(
        label=_("指标名称"), max_length=200, error_messages={"required": _("请填写指标名称。")}
    )
    unit = forms.CharField(label=_("单位"), max_length=30, required=False)
    baseline = forms.CharField(label=_("基准值"), required=False, initial="0")
    target = forms.CharField(label=_("目标值"), required=False)
    direction = forms.ChoiceField(
        label=_("方向"), choices=Direction.choices, initial=Direction.HIGHER
    )
    weight = forms.CharField(label=_("权重"), required=False, initial="1")

    def __init__(self, *args: Any, user=None, **kwargs: Any) -> None:
        # `user` is accepted (and unused) so every child form takes the same arguments.
        super().__init__(*args, **kwargs)

    def clean_baseline(self) -> Any:
        return _parse_number(
            self.cleaned_data["baseline"] or "0", field="baseline", label=_("基准值"), required=True
        )

    def clean_target(self) -> Any:
        return _parse_number(
            self.cleaned_data["target"], field="target", label=_("目标值"), required=True
        )

    def clean_weight(self) -> Any:
        return _parse_number(
            self.cleaned_data["weight"] or "1", field="weight", label=_("权重"), required=True
        )


class MeasureRowForm(forms.Form):
    """A measure as filed with a new project: it starts not started, at 0 %."""

    description = forms.CharField(
        label=_("具体措施"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("请填写具体措施。")},
    )
    owner = PersonChoiceField(
        queryset=Person.objects.none(),
        label=_("责任人"),
        required=False,
        error_messages={"invalid_choice": _("所选人员不在您的管理范围内。")},
    )
    start_date = _date_field(_("开始日期"), required=False)
    due_date = _date_field(_("完成时限"), required=False)

    def __init__(self, *args: Any, user, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = people_visible_to(user)  # type: ignore[attr-defined]


class MeasureForm(MeasureRowForm):
    status = forms.ChoiceField(
        label=_("状态"), choices=MeasureStatus.choices, initial=MeasureStatus.NOT_STARTED
    )
    percent_complete = forms.IntegerField(
        label=_("完成百分比"),
        initial=0,
        required=False,
        widget=forms.NumberInput(attrs={"min": 0, "max": 100, "step": 1}),
        error_messages={"invalid": _("完成百分比必须是 0 到 100 的整数。")},
    )


class ParticipantForm(forms.Form):
    person = PersonChoiceField(
        queryset=Person.objects.none(),
        label=_("人员"),
        error_messages={
            "required": _("请选择人员。"),
            "invalid_choice": _("所选人员不在您的管理范围内。"),
        },
    )
    role = forms.ChoiceField(
        label=_("角色"), choices=ParticipantRole.choices, initial=ParticipantRole.MEMBER
    )
    duty = forms.CharField(label=_("分工"), max_length=200, required=False)

    def __init__(self, *args: Any, user, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people_visible_to(user)  # type: ignore[attr-defined]


class GoalEditForm(GoalForm):
    version = VersionField()


class MeasureEditForm(MeasureForm):
    version = VersionField()


class ParticipantEditForm(forms.Form):
    """The person of a participation is fixed; replacing someone is delete + add, which the
    history then shows as two clear events."""

    version = VersionField()
    role = forms.ChoiceField(label=_("角色"), choices=ParticipantRole.choices)
    duty = forms.CharField(label=_("分工"), max_length=200, required=False)

    def __init__(self, *args: Any, user=None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("文件"), error_messages={"required": _("请选择要上传的文件。")})

    def __init__(self, *args: Any, user=None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)


GoalFormSet = forms.formset_factory(GoalForm, extra=3)
MeasureRowFormSet = forms.formset_factory(MeasureRowForm, extra=3)


def filled_rows(formset: forms.BaseFormSet) -> Iterable[dict[str, Any]]:
    """Cleaned data of the rows the user actually typed into; untouched blank rows are skipped
    (Django leaves their cleaned_data empty because they did not change from their initial)."""
    return [form.cleaned_data for form in formset.forms if form.has_changed() and form.cleaned_data]


# --------------------------------------------------------------------------- lifecycle


class TransitionForm(forms.Form):
    action = forms.CharField(max_length=20)
    reason = forms.CharField(
        label=_("理由"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class DeleteForm(forms.Form):
    reason = forms.CharField(
        label=_("删除原因"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
