"""Forms for the check-in pages: they parse and present input; the rules live in services.

Numbers (actual values, amounts) stay text here and are parsed by the service, so "1,200"
is read the same way everywhere and a bad value gets the service's own message.
"""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from taizhang.campaigns.forms.project import PersonChoiceField, VersionField
from taizhang.campaigns.models import GoalIndicator, Measure, MeasureStatus
from taizhang.core.exceptions import DomainError
from taizhang.core.forms import add_domain_error
from taizhang.orgs.models import Org, Person

from .models import (
    BenefitSource,
    InspectionMethod,
    InspectionRating,
    LightChoices,
    MeasureUpdate,
    Period,
    ProgressReport,
    WebhookKind,
)

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_ERRORS = {"invalid": _("请输入有效的日期。")}


def _date_field(label: str, *, required: bool = True) -> forms.DateField:
    # <input type="date"> only accepts ISO dates, whatever the active language's format is.
    return forms.DateField(
        label=label, required=required, widget=DATE_WIDGET, error_messages=DATE_ERRORS
    )


def _text(label: str, *, rows: int = 3, required: bool = False, **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=label, required=required, widget=forms.Textarea(attrs={"rows": rows}), **kwargs
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one <input multiple>; cleaned to a (possibly empty) list."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class EvidenceMixin(forms.Form):
    file = MultipleFileField(
        label=_("佐证材料"),
        help_text=_("可一次选择多个文件；文件类型和大小在服务器端检查。"),
    )


# --------------------------------------------------------------------------- periods


class PeriodForm(forms.Form):
    name = forms.CharField(label=_("周期名称"), max_length=100)
    start_date = _date_field(_("开始日期"))
    end_date = _date_field(_("结束日期"))
    deadline = _date_field(_("报告截止日期"))

    @classmethod
    def for_period(cls, period: Period, data: Any = None) -> "PeriodForm":
        return cls(
            data,
            initial={
                "name": period.name,
                "start_date": period.start_date,
                "end_date": period.end_date,
                "deadline": period.deadline,
            },
        )


class PeriodClosedForm(forms.Form):
    closed = forms.TypedChoiceField(
        choices=[("1", "1"), ("0", "0")], coerce=lambda value: value == "1"
    )


# --------------------------------------------------------------------------- reports


class ReportForm(EvidenceMixin, forms.Form):
    """The report of one project and period: three texts, an actual per goal, an update per
    measure and new evidence. Goal and measure fields are added per project:
    `actual_<goal id>`, `measure_<id>_status`, `measure_<id>_percent`, `measure_<id>_note`.
    """

    progress = _text(_("进展情况"), rows=5)
    problems = _text(_("存在问题"))
    next_steps = _text(_("下步计划"))
    action = forms.ChoiceField(choices=[("save", "save"), ("submit", "submit")], required=False)
    version = VersionField()

    def __init__(
        self,
        *args: Any,
        goals: list[GoalIndicator],
        measures: list[Measure],
        report: ProgressReport | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.goals = goals
        self.measures = measures
        readings: dict[int, Any] = {}
        updates: dict[int, MeasureUpdate] = {}
        if report is not None:
            self.initial.update(
                progress=report.progress,
                problems=report.problems,
                next_steps=report.next_steps,
                version=report.lock_version,
            )
            readings = {r.goal_id: r.actual for r in report.readings.all()}
            updates = {u.measure_id: u for u in report.measure_updates.all()}
        for goal in goals:
            name = f"actual_{goal.pk}"
            self.fields[name] = forms.CharField(
                label=goal.name, required=False, max_length=40, widget=forms.TextInput()
            )
            if goal.pk in readings:
                self.initial[name] = _plain(readings[goal.pk])
        for measure in measures:
            update = updates.get(measure.pk)
            prefix = f"measure_{measure.pk}"
            self.fields[f"{prefix}_status"] = forms.ChoiceField(
                label=_("状态"), choices=MeasureStatus.choices
            )
            self.fields[f"{prefix}_percent"] = forms.IntegerField(
                label=_("完成百分比"),
                min_value=0,
                max_value=100,
                required=False,
                widget=forms.NumberInput(attrs={"min": 0, "max": 100, "step": 1}),
                error_messages={"invalid": _("完成百分比必须是 0 到 100 的整数。")},
            )
            self.fields[f"{prefix}_note"] = forms.CharField(
                label=_("说明"), required=False, max_length=500
            )
            source = update or measure
            self.initial[f"{prefix}_status"] = source.status
            self.initial[f"{prefix}_percent"] = source.percent_complete
            self.initial[f"{prefix}_note"] = update.note if update else ""

    def goal_rows(self) -> list[tuple[GoalIndicator, forms.BoundField]]:
        return [(goal, self[f"actual_{goal.pk}"]) for goal in self.goals]

    def measure_rows(
        self,
    ) -> list[tuple[Measure, forms.BoundField, forms.BoundField, forms.BoundField]]:
        return [
            (
                m,
                self[f"measure_{m.pk}_status"],
                self[f"measure_{m.pk}_percent"],
                self[f"measure_{m.pk}_note"],
            )
            for m in self.measures
        ]

    def actuals(self) -> dict[int, str]:
        return {goal.pk: self.cleaned_data[f"actual_{goal.pk}"] for goal in self.goals}

    def measure_progress(self) -> dict[int, tuple[str, int, str]]:
        data = self.cleaned_data
        return {
            m.pk: (
                data[f"measure_{m.pk}_status"],
                data[f"measure_{m.pk}_percent"] or 0,
                data[f"measure_{m.pk}_note"],
            )
            for m in self.measures
        }

    def add_domain_error(self, error: DomainError) -> None:
        # The service names a measure's row (`measure_<id>`); its only free-typed input is the
        # percentage, so the message goes there.
        if error.field and f"{error.field}_percent" in self.fields:
            self.add_error(f"{error.field}_percent", error.message)
        else:
            add_domain_error(self, error)


def _plain(value: Any) -> str:
    """500.0000 → "500": how a person typed it."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


class ReviewForm(forms.Form):
    action = forms.ChoiceField(choices=[("accept", "accept"), ("return", "return")])
    comment = _text(_("审核意见"), rows=2, max_length=2000)
    version = VersionField()


class LightOverrideForm(forms.Form):
    light = forms.ChoiceField(
        label=_("调整为"),
        choices=[("", _("（取消调整，按计算灯号）")), *LightChoices.choices],
        required=False,
    )
    reason = _text(_("调整理由"), rows=2, max_length=2000)


class EvidenceForm(EvidenceMixin, forms.Form):
    pass


# --------------------------------------------------------------------------- benefit claims


class ClaimForm(EvidenceMixin, forms.Form):
    period = forms.ModelChoiceField(
        label=_("检查周期"),
        queryset=Period.objects.none(),
        error_messages={"required": _("请选择检查周期。")},
    )
    amount = forms.CharField(label=_("金额（万元）"), max_length=40)
    source = forms.ChoiceField(label=_("来源"), choices=BenefitSource.choices)
    description = _text(_("说明"))

    def __init__(self, *args: Any, periods: QuerySet[Period], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["period"].queryset = periods  # type: ignore[attr-defined]


class ClaimDecisionForm(forms.Form):
    action = forms.ChoiceField(choices=[("verify", "verify"), ("reject", "reject")])
    verified_amount = forms.CharField(label=_("核定金额（万元）"), required=False, max_length=40)
    note = _text(_("核定意见"), rows=2, max_length=2000)
    reason = _text(_("驳回理由"), rows=2, max_length=2000)
    version = VersionField()


# --------------------------------------------------------------------------- inspections


class InspectionForm(forms.Form):
    inspecting_org = forms.ModelChoiceField(
        label=_("检查组织"),
        queryset=Org.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": _("您不能以该组织的名义检查。")},
    )
    date = _date_field(_("检查日期"))
    inspectors = forms.CharField(label=_("检查人员"), max_length=300)
    methods = forms.MultipleChoiceField(
        label=_("检查方式"),
        choices=InspectionMethod.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("请选择检查方式。")},
    )
    findings = _text(_("检查发现"), rows=5, required=True)
    rating = forms.ChoiceField(
        label=_("评价"), choices=[("", "—"), *InspectionRating.choices], required=True
    )

    def __init__(self, *args: Any, inspecting_orgs: QuerySet[Org], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["inspecting_org"].queryset = inspecting_orgs  # type: ignore[attr-defined]


class RectificationRowForm(forms.Form):
    description = forms.CharField(
        label=_("整改事项"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    owner = PersonChoiceField(
        queryset=Person.objects.none(),
        label=_("责任人"),
        required=False,
        error_messages={"invalid_choice": _("整改责任人应属于被检查单位。")},
    )
    due_date = _date_field(_("整改时限"), required=False)

    def __init__(self, *args: Any, people: QuerySet[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = people  # type: ignore[attr-defined]


RectificationFormSet = forms.formset_factory(RectificationRowForm, extra=3)


class RectificationCloseForm(forms.Form):
    closing_note = _text(_("整改情况说明"), rows=2, max_length=2000)
    version = VersionField()


# --------------------------------------------------------------------------- robots


class WebhookForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=WebhookKind.choices)
    # Text, not URLField: the service decides which schemes are allowed (http and https).
    url = forms.CharField(
        label=_("地址"),
        max_length=500,
        widget=forms.TextInput(attrs={"inputmode": "url", "spellcheck": "false"}),
        help_text=_("在群设置中添加机器人后复制其 Webhook 地址。"),
    )
