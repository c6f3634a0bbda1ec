"""Forms of the import pages: they parse input; the rules are in services and planning."""

from django import forms
from django.utils.translation import gettext_lazy as _

from taizhang.campaigns.models import Campaign
from taizhang.campaigns.permissions import orgs_for_new_project

from .headers import PROJECT_FIELDS
from .models import LedgerImport


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("台账文件（.xlsx，最大 20 MB）"),
        required=False,  # the service says what is missing, in one place
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )


class ApplyForm(forms.Form):
    """The import button on the dry-run page, with the opt-in to register the people the
    file names who are not in the system yet (the dry run lists them)."""

    register_unknown = forms.BooleanField(label=_("登记未登记的人员"), required=False)


FIELD_CHOICES = [("ignore", _("不导入"))] + [
    (spec.key, spec.label) for spec in PROJECT_FIELDS if spec.key != "seq"
]


class MappingForm(forms.Form):
    """One select per column of the project sheet, plus defaults for columns a ledger
    may not have (责任组织, 项目类型, 中心工作)."""

    default_org = forms.ModelChoiceField(
        label=_("默认责任组织"), required=False, queryset=None, empty_label=_("（不设默认）")
    )
    default_type = forms.ModelChoiceField(
        label=_("默认项目类型"), required=False, queryset=None, empty_label=_("（不设默认）")
    )
    default_area = forms.ModelChoiceField(
        label=_("默认中心工作"), required=False, queryset=None, empty_label=_("（不设默认）")
    )

    def __init__(self, *args, user, ledger_import: LedgerImport, **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        campaign: Campaign = ledger_import.campaign
        self.fields["default_org"].queryset = orgs_for_new_project(user, campaign).order_by("path")
        self.fields["default_type"].queryset = campaign.project_types.all()
        self.fields["default_area"].queryset = campaign.focus_areas.all()
        mapping = ledger_import.mapping or {}
        current = {int(k): v for k, v in (mapping.get("columns") or {}).items()}
        self.initial.setdefault("default_org", mapping.get("default_org"))
        self.initial.setdefault("default_type", mapping.get("default_type"))
        self.initial.setdefault("default_area", mapping.get("default_area"))
        layout = ledger_import.layout.get("projects") or {}
        labels = layout.get("labels") or []
        samples = layout.get("samples") or []
        width = max([len(labels), *(len(row) for row in samples)], default=0)
        self.columns = []
        for col in range(width):
            label = labels[col] if col < len(labels) else ""
            examples = [row[col] for row in samples if col < len(row) and row[col]]
            if not label and not examples:
                continue
            name = f"col_{col}"
            self.fields[name] = forms.ChoiceField(
                label=label or _("（无表头）"), choices=FIELD_CHOICES, required=False
            )
            self.initial.setdefault(name, current.get(col, "ignore"))
            self.columns.append(
                {
                    "index": col,
                    "letter": _letter(col),
                    "label": label,
                    "field": self[name],
                    "examples": examples,
                }
            )

    def column_mapping(self) -> dict[int, str]:
        return {
            column["index"]: self.cleaned_data.get(f"col_{column['index']}") or "ignore"
            for column in self.columns
        }


def _letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
