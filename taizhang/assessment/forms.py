"""Forms for the assessment pages. They parse and present input; the rules (weights summing
to 100, bands not overlapping, a reason for every entry …) live in services.py and
results_day.py, whose DomainError is shown on the form.

Numbers stay text here, as in the check-in forms: the services parse them ("1,200", " 3.5 ")
and refuse a bad one with their own message.
"""

import json
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from taizhang.core.exceptions import DomainError
from taizhang.core.forms import add_domain_error

from .models import Criterion, CriterionKind, DeductionKind, EntryKind, RollupRule, Scheme
from .services import (
    BandSpec,
    BonusSpec,
    CriterionSpec,
    DeductionSpec,
    DimensionSpec,
    OrgWeightSpec,
    SchemeSpec,
    VetoSpec,
)

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
NUMBER_ATTRS = {"inputmode": "decimal", "size": 6}


def _number(label: str, **attrs: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={**NUMBER_ATTRS, **attrs}),
    )


def _text(label: str, max_length: int = 200) -> forms.CharField:
    return forms.CharField(label=label, required=False, max_length=max_length)


def _plain_number(value: Any) -> str:
    """Decimal("50.00") → "50": what a person would type, for the editor's inputs."""
    if value is None or value == "":
        return ""
    text = format(value, "f") if not isinstance(value, str) else value
    return text.rstrip("0").rstrip(".") if "." in text else text


def _clean_number(value: str) -> str:
    """Thousands separators out (the services read "1,200" as 1200 too)."""
    return (value or "").strip().replace(",", "").replace("，", "")


# --------------------------------------------------------------------------- scheme editor

# A criterion's one adjustable parameter, by kind: the key in Criterion.params and its label.
CRITERION_PARAMS: dict[str, tuple[str, Any]] = {
    CriterionKind.NON_MEMBER_PARTICIPATION: ("target", _("目标人数（非党员参与人数达到即满分）")),
    CriterionKind.REPORT_TIMELINESS: ("late_share", _("逾期提交的得分比例（0–1）")),
    CriterionKind.INSPECTION_RATING: ("none_share", _("未检查时的得分比例（0–1）")),
}


class SchemeForm(forms.Form):
    """The scheme's own settings; the rows below it are RowForms."""

    name = _text(_("方案名称"))
    regular_weight = _number(_("平时成绩权重（%）"))
    final_weight = _number(_("年终成绩权重（%）"))
    rollup_rule = forms.ChoiceField(label=_("汇总规则"), choices=RollupRule.choices)
    bonus_in_total = forms.BooleanField(label=_("加分计入总分"), required=False)
    excellent_share_cap = _number(_("成果发布优秀比例上限（%）"))


class RowForm(forms.Form):
    """One row of a section. A row left entirely blank is ignored; DELETE drops it."""

    DELETE = forms.BooleanField(label=_("删除"), required=False)
    data_fields: tuple[str, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Rows render as table cells under column headers; the label stays for screen readers.
        for bound in self.visible_fields():
            bound.field.widget.attrs.setdefault("aria-label", str(bound.field.label))

    def is_blank(self) -> bool:
        return all(not str(self.cleaned_data.get(name) or "").strip() for name in self.data_fields)

    def skipped(self) -> bool:
        return bool(self.cleaned_data.get("DELETE")) or self.is_blank()


class DimensionRow(RowForm):
    name = _text(_("考核维度"), 100)
    weight = _number(_("分值"))
    data_fields = ("name", "weight")


class CriterionRow(RowForm):
    name = _text(_("考核内容"))
    kind = forms.ChoiceField(
        label=_("数据来源"),
        required=False,
        choices=[("", _("（请选择）")), *CriterionKind.choices],
    )
    points = _number(_("分值"))
    param = _number(_("参数"))
    # Parameters the editor does not show (e.g. rating shares) survive an edit unchanged.
    params_json = forms.CharField(required=False, widget=forms.HiddenInput)
    data_fields = ("name", "kind", "points", "param")

    def clean(self) -> dict:
        data = super().clean()
        kind, value = data.get("kind"), _clean_number(data.get("param", ""))
        if value and kind in CRITERION_PARAMS:
            key, label = CRITERION_PARAMS[kind]
            try:
                number = float(value)
            except ValueError:
                number = None
            if key == "target":
                if number is None or number < 1 or number != int(number):
                    self.add_error("param", _("%(label)s应为正整数。") % {"label": label})
            elif number is None or not 0 <= number <= 1:
                self.add_error("param", _("%(label)s应在 0 到 1 之间。") % {"label": label})
        return data

    def params(self) -> dict:
        try:
            params = json.loads(self.cleaned_data.get("params_json") or "{}")
        except ValueError:
            params = {}
        if not isinstance(params, dict):
            params = {}
        kind = self.cleaned_data.get("kind")
        value = _clean_number(self.cleaned_data.get("param", ""))
        if kind in CRITERION_PARAMS:
            key = CRITERION_PARAMS[kind][0]
            if value:
                params[key] = int(float(value)) if key == "target" else value
            else:
                params.pop(key, None)
        return params


class DeductionRow(RowForm):
    name = _text(_("扣分项（扣分理由）"))
    kind = forms.ChoiceField(label=_("类型"), choices=DeductionKind.choices)
    points_each = _number(_("每次扣分"))
    cap = _number(_("最多扣分"))
    data_fields = ("name", "points_each", "cap")


class BonusRow(RowForm):
    name = _text(_("加分项"))
    cap = _number(_("最多加分"))
    data_fields = ("name", "cap")


class VetoRow(RowForm):
    name = _text(_("否决项"))
    grade_cap = forms.CharField(
        label=_("最高等次"),
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={"list": "band-labels"}),
    )
    data_fields = ("name", "grade_cap")


class BandRow(RowForm):
    label = _text(_("等次"), 50)
    min_score = _number(_("最低分"))
    max_score = _number(_("最高分"))
    data_fields = ("label", "min_score", "max_score")


class OrgWeightRow(RowForm):
    """A child org's weight in its parent's score (rule 下级组织按指定权重加权平均)."""

    org = forms.ChoiceField(label=_("组织"), required=False)
    weight = _number(_("权重"))
    data_fields = ("org", "weight")

    def __init__(self, *args: Any, org_choices: list[tuple[str, str]] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = [("", _("（请选择）")), *org_choices]


@dataclass
class Section:
    key: str  # "deductions", …: also the DomainError field that names it
    prefix: str
    form_class: type[RowForm]
    rows: list[RowForm] = field(default_factory=list)
    error: str = ""

    @property
    def count_name(self) -> str:
        return f"{self.prefix}-TOTAL"


@dataclass
class DimensionBlock:
    form: DimensionRow
    criteria: list[CriterionRow]
    index: int

    @property
    def count_name(self) -> str:
        return f"dim-{self.index}-crit-TOTAL"


FLAT_SECTIONS = (
    ("deductions", "ded", DeductionRow),
    ("bonuses", "bon", BonusRow),
    ("vetoes", "veto", VetoRow),
    ("bands", "band", BandRow),
    ("org_weights", "ow", OrgWeightRow),
)
# Row caps: a hand-made post with a huge hidden count must not build a million forms.
MAX_ROWS = 100  # per flat section
MAX_DIMENSIONS = 30
MAX_CRITERIA = 50  # per dimension


def _count(data, name: str, limit: int = MAX_ROWS) -> int:
    try:
        return max(0, min(limit, int(data.get(name, 0))))
    except (TypeError, ValueError):
        return 0


class SchemeEditor:
    """The whole scheme as one page of rows (dimensions with their criteria, deductions,
    bonuses, vetoes, bands), built like Django formsets: `<prefix>-TOTAL` counts the rows,
    each row is a small form named `<prefix>-<n>-<field>`. "Add a row" buttons post back
    with `action` and re-render without saving, so the editor works without JavaScript."""

    adding = False  # the post only asked for another blank row
    dimensions_error = ""

    def __init__(
        self,
        data=None,
        *,
        spec: SchemeSpec | None = None,
        org_choices: list[tuple[str, str]] = (),
    ) -> None:
        self.bound = data is not None
        self.error = ""
        self.org_choices = list(org_choices)
        if data is not None:
            self._from_data(data)
        else:
            self._from_spec(spec)

    # -- building

    def _from_spec(self, spec: SchemeSpec | None) -> None:
        spec = spec or SchemeSpec(name="", dimensions=[], bands=[])
        self.form = SchemeForm(
            initial={
                "name": spec.name,
                "regular_weight": _plain_number(spec.regular_weight),
                "final_weight": _plain_number(spec.final_weight),
                "rollup_rule": spec.rollup_rule,
                "bonus_in_total": spec.bonus_in_total,
                "excellent_share_cap": _plain_number(spec.excellent_share_cap),
            }
        )
        self.dimensions = []
        for i, dim in enumerate([*spec.dimensions, None]):
            criteria_specs = [*dim.criteria, None] if dim else [None]
            criteria = [
                CriterionRow(prefix=f"dim-{i}-crit-{j}", initial=self._criterion_initial(c))
                for j, c in enumerate(criteria_specs)
            ]
            initial = {"name": dim.name, "weight": _plain_number(dim.weight)} if dim else {}
            self.dimensions.append(
                DimensionBlock(DimensionRow(prefix=f"dim-{i}", initial=initial), criteria, i)
            )
        items = {
            "deductions": [
                {
                    "name": d.name,
                    "kind": d.kind,
                    "points_each": _plain_number(d.points_each),
                    "cap": _plain_number(d.cap),
                }
                for d in spec.deductions
            ],
            "bonuses": [{"name": b.name, "cap": _plain_number(b.cap)} for b in spec.bonuses],
            "vetoes": [{"name": v.name, "grade_cap": v.grade_cap} for v in spec.vetoes],
            "bands": [
                {
                    "label": b.label,
                    "min_score": _plain_number(b.min_score),
                    "max_score": _plain_number(b.max_score),
                }
                for b in spec.bands
            ],
            "org_weights": [
                {"org": str(w.org_id), "weight": _plain_number(w.weight)} for w in spec.org_weights
            ],
        }
        self.sections = []
        for key, prefix, form_class in FLAT_SECTIONS:
            rows = [
                self._row(form_class, prefix=f"{prefix}-{n}", initial=initial)
                for n, initial in enumerate([*items[key], {}])
            ]
            self.sections.append(Section(key, prefix, form_class, rows))

    def _row(self, form_class: type[RowForm], *args: Any, **kwargs: Any) -> RowForm:
        if form_class is OrgWeightRow:
            kwargs["org_choices"] = self.org_choices
        return form_class(*args, **kwargs)

    @staticmethod
    def _criterion_initial(criterion: CriterionSpec | None) -> dict:
        if criterion is None:
            return {}
        params = dict(criterion.params or {})
        key = CRITERION_PARAMS.get(criterion.kind, (None,))[0]
        return {
            "name": criterion.name,
            "kind": criterion.kind,
            "points": _plain_number(criterion.points),
            "param": _plain_number(params.get(key, "")) if key else "",
            "params_json": json.dumps(params, ensure_ascii=False) if params else "",
        }

    def _from_data(self, data) -> None:
        action = str(data.get("action", ""))
        self.form = SchemeForm(data)
        self.dimensions = []
        dim_total = _count(data, "dim-TOTAL", MAX_DIMENSIONS) + (action == "add-dimension")
        for i in range(dim_total):
            crit_total = _count(data, f"dim-{i}-crit-TOTAL", MAX_CRITERIA) + (
                action == f"add-criterion-{i}"
            )
            criteria = [CriterionRow(data, prefix=f"dim-{i}-crit-{j}") for j in range(crit_total)]
            self.dimensions.append(
                DimensionBlock(DimensionRow(data, prefix=f"dim-{i}"), criteria, i)
            )
        self.sections = []
        for key, prefix, form_class in FLAT_SECTIONS:
            total = _count(data, f"{prefix}-TOTAL") + (action == f"add-{key}")
            rows = [self._row(form_class, data, prefix=f"{prefix}-{n}") for n in range(total)]
            self.sections.append(Section(key, prefix, form_class, rows))
        self.adding = action.startswith("add-")

    # -- reading

    def band_labels(self) -> list[str]:
        """The grade labels typed so far, offered for the vetoes' 最高等次."""
        labels = []
        for row in self.section("bands").rows:
            value = row["label"].value()
            if value and str(value).strip() and str(value).strip() not in labels:
                labels.append(str(value).strip())
        return labels

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)

    def all_forms(self) -> list[forms.Form]:
        forms_: list[forms.Form] = [self.form]
        for block in self.dimensions:
            forms_.append(block.form)
            forms_.extend(block.criteria)
        for section in self.sections:
            forms_.extend(section.rows)
        return forms_

    def is_valid(self) -> bool:
        # Every form is validated (not `all()` on a generator) so each shows its errors.
        results = [form.is_valid() for form in self.all_forms()]
        return self.bound and all(results)

    def to_spec(self) -> SchemeSpec:
        top = self.form.cleaned_data
        dimensions = []
        for block in self.dimensions:
            criteria = [
                CriterionSpec(
                    row.cleaned_data["name"].strip(),
                    row.cleaned_data["kind"],
                    _clean_number(row.cleaned_data["points"]),
                    row.params(),
                )
                for row in block.criteria
                if not row.skipped()
            ]
            if block.form.cleaned_data.get("DELETE") or (block.form.is_blank() and not criteria):
                continue
            dimensions.append(
                DimensionSpec(
                    block.form.cleaned_data["name"].strip(),
                    _clean_number(block.form.cleaned_data["weight"]),
                    criteria,
                )
            )

        def kept(key: str) -> list[dict]:
            return [row.cleaned_data for row in self.section(key).rows if not row.skipped()]

        return SchemeSpec(
            name=top["name"].strip(),
            dimensions=dimensions,
            deductions=[
                DeductionSpec(
                    d["name"].strip(),
                    d["kind"],
                    _clean_number(d["points_each"]),
                    _clean_number(d["cap"]),
                )
                for d in kept("deductions")
            ],
            bonuses=[
                BonusSpec(b["name"].strip(), _clean_number(b["cap"])) for b in kept("bonuses")
            ],
            vetoes=[VetoSpec(v["name"].strip(), v["grade_cap"].strip()) for v in kept("vetoes")],
            bands=[
                BandSpec(
                    b["label"].strip(), _clean_number(b["min_score"]), _clean_number(b["max_score"])
                )
                for b in kept("bands")
            ],
            regular_weight=_clean_number(top["regular_weight"]),
            final_weight=_clean_number(top["final_weight"]),
            rollup_rule=top["rollup_rule"],
            bonus_in_total=top["bonus_in_total"],
            excellent_share_cap=_clean_number(top["excellent_share_cap"]),
            org_weights=[
                OrgWeightSpec(w["org"], _clean_number(w["weight"])) for w in kept("org_weights")
            ],
        )

    def add_domain_error(self, error: DomainError) -> None:
        """Show the service's refusal at the top and next to the section it concerns."""
        self.error = error.message
        if error.field in self.form.fields:
            add_domain_error(self.form, error)
        elif error.field == "dimensions":
            self.dimensions_error = error.message
        elif error.field in {s.key for s in self.sections}:
            self.section(error.field).error = error.message


# --------------------------------------------------------------------------- copy


class SchemeCopyForm(forms.Form):
    source = forms.ModelChoiceField(
        label=_("复制自"), queryset=Scheme.objects.none(), empty_label=_("（请选择方案）")
    )

    def __init__(self, *args: Any, sources: QuerySet[Scheme], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = sources
        self.fields["source"].label_from_instance = lambda s: (
            f"{s.campaign.name} · {s.name} v{s.version}"
        )


# --------------------------------------------------------------------------- manual entries

ENTRY_VALUE_HELP = _(
    "评分填得分比例（0–1，如 0.9 表示得该项分值的 90%）；扣分、加分填分数；否决不用填。"
)


def entry_items(scheme: Scheme) -> dict[str, list[tuple[str, str]]]:
    """The scheme's items an assessor may enter, by entry kind, as ("kind:id", label).
    The ids of different item tables overlap, so the kind is part of the value."""
    criteria = [
        (
            f"{EntryKind.CRITERION}:{c.pk}",
            _("%(dimension)s · %(name)s（%(points)s 分）")
            % {"dimension": c.dimension.name, "name": c.name, "points": _plain_number(c.points)},
        )
        for c in Criterion.objects.filter(
            dimension__scheme=scheme, kind=CriterionKind.MANUAL
        ).select_related("dimension")
    ]
    deductions = [
        (
            f"{EntryKind.DEDUCTION}:{d.pk}",
            _("%(name)s（最多 %(cap)s 分）") % {"name": d.name, "cap": _plain_number(d.cap)},
        )
        for d in scheme.deductions.filter(kind=DeductionKind.MANUAL)
    ]
    bonuses = [
        (
            f"{EntryKind.BONUS}:{b.pk}",
            _("%(name)s（最多 %(cap)s 分）") % {"name": b.name, "cap": _plain_number(b.cap)},
        )
        for b in scheme.bonuses.all()
    ]
    vetoes = [
        (
            f"{EntryKind.VETO}:{v.pk}",
            _("%(name)s（最高 %(grade)s）") % {"name": v.name, "grade": v.grade_cap},
        )
        for v in scheme.vetoes.all()
    ]
    return {
        EntryKind.CRITERION: criteria,
        EntryKind.DEDUCTION: deductions,
        EntryKind.BONUS: bonuses,
        EntryKind.VETO: vetoes,
    }


class EntryForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=EntryKind.choices)
    item = forms.ChoiceField(label=_("考核项目"))
    value = _number(_("分值"))
    note = forms.CharField(
        label=_("理由"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("必填：说明评分、扣分、加分或否决的依据。"),
    )
    evidence = forms.FileField(label=_("佐证材料"), required=False)

    def __init__(
        self,
        *args: Any,
        items: dict[str, list[tuple[str, str]]],
        only_kind: str | None = None,
        **kwargs: Any,
    ):
        """`only_kind` narrows the items to one kind (the htmx refresh when the kind changes);
        otherwise every item is offered, grouped by kind, so the form works without
        JavaScript and a mismatched pair is refused by clean()."""
        super().__init__(*args, **kwargs)
        self.fields["value"].help_text = ENTRY_VALUE_HELP
        labels = dict(EntryKind.choices)
        if only_kind in items:
            choices: list = list(items[only_kind])
        else:
            choices = [(labels[k], rows) for k, rows in items.items() if rows]
        self.fields["item"].choices = [("", _("（请选择）")), *choices]

    def clean(self) -> dict:
        data = super().clean()
        item, kind = data.get("item"), data.get("kind")
        if item and kind and not item.startswith(f"{kind}:"):
            self.add_error("item", _("所选项目不属于所选类型。"))
        return data

    def item_id(self) -> int:
        return int(self.cleaned_data["item"].split(":", 1)[1])


class SubjectLookupForm(forms.Form):
    """Find the project to assess by its code."""

    code = forms.CharField(label=_("项目编号"), max_length=50)


# --------------------------------------------------------------------------- results day

CRITERIA_ROWS = 5  # rows offered for review criteria (the default three plus two blank)


class ResultsDayForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=200, required=False)
    date = forms.DateField(label=_("发布日期"), required=False, widget=DATE_WIDGET)
    excellent_share_cap = _number(_("优秀比例上限（%）"))
    excellent_min = _number(_("优秀最低分"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for n in range(CRITERIA_ROWS):
            self.fields[f"criterion_{n}_name"] = _text(_("评审指标"), 100)
            self.fields[f"criterion_{n}_points"] = _number(_("分值"))

    def criteria_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [
            (self[f"criterion_{n}_name"], self[f"criterion_{n}_points"])
            for n in range(CRITERIA_ROWS)
        ]

    def criteria(self) -> list[dict]:
        rows = []
        for n in range(CRITERIA_ROWS):
            name = self.cleaned_data.get(f"criterion_{n}_name", "").strip()
            points = _clean_number(self.cleaned_data.get(f"criterion_{n}_points", ""))
            if name or points:
                rows.append({"name": name, "points": points})
        return rows


class CandidateForm(forms.Form):
    code = forms.CharField(label=_("项目编号"), max_length=50)


class ReviewForm(forms.Form):
    """One number per review criterion of the day, plus a comment."""

    comment = forms.CharField(
        label=_("评语"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, criteria: list[dict], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        scores = {}
        for n, criterion in enumerate(criteria):
            name = f"score_{n}"
            scores[name] = _number(
                _("%(name)s（满分 %(points)s）")
                % {"name": criterion["name"], "points": _plain_number(criterion["points"])}
            )
        # The scores come first on the page, the comment last.
        self.fields = {**scores, "comment": self.fields["comment"]}

    def scores(self) -> dict[str, str]:
        return {
            criterion["name"]: _clean_number(self.cleaned_data.get(f"score_{n}", ""))
            for n, criterion in enumerate(self.criteria)
        }

    def add_domain_error(self, error: DomainError) -> None:
        for n, criterion in enumerate(self.criteria):
            if error.field == f"score_{criterion['name']}":
                self.add_error(f"score_{n}", error.message)
                return
        add_domain_error(self, error)
