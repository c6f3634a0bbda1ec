"""The English catalog is complete, current and safe to format.

Chinese is the source language (the msgids are the Chinese UI text); English lives in
taizhang/locale/en. The checks share their logic with scripts/update-translations.py, which
is what `make messages` runs to fix whatever fails here.
"""

import importlib.util
import shutil
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation

from taizhang.campaigns.models import Project, ProjectStatus
from taizhang.orgs.models import OrgKind

SCRIPT = Path(settings.BASE_DIR) / "scripts" / "update-translations.py"


@pytest.fixture(scope="module")
def tools():
    """scripts/update-translations.py, imported as a module."""
    spec = importlib.util.spec_from_file_location("update_translations", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop(spec.name, None)


@pytest.fixture(scope="module")
def catalog(tools) -> polib.POFile:
    assert tools.PO_PATH.exists(), f"{tools.PO_PATH} is missing: run `make messages`"
    return tools.load_catalog()


def require_gettext(*programs: str) -> None:
    missing = [p for p in programs if shutil.which(p) is None]
    if missing:
        pytest.fail(
            f"GNU gettext is missing ({', '.join(missing)}): `make install` or "
            "`scripts/ensure-services.sh gettext` installs it."
        )


def _listing(rows) -> str:
    return "\n  ".join(str(row) for row in rows)


def test_catalog_header_is_english_and_not_fuzzy(catalog):
    assert catalog.metadata.get("Language") == "en"
    assert "nplurals=2" in catalog.metadata.get("Plural-Forms", "")
    assert not catalog.metadata_is_fuzzy


def test_every_msgid_has_a_translation(tools, catalog):
    report = tools.check_catalog(catalog)
    if report.untranslated:
        pytest.fail(
            f"{len(report.untranslated)} untranslated in django.po:\n  "
            + _listing(entry.msgid for entry in report.untranslated),
            pytrace=False,
        )
    if report.fuzzy:
        pytest.fail(
            "fuzzy in django.po (review, then drop the fuzzy flag):\n  "
            + _listing(f"{entry.msgid} -> {entry.msgstr}" for entry in report.fuzzy),
            pytrace=False,
        )


def test_catalog_covers_every_msgid_in_the_code(tools, catalog):
    require_gettext("xgettext", "msgmerge")
    report = tools.Report()
    tools.compare_with_code(catalog, report)
    if report.missing:
        pytest.fail(
            f"{len(report.missing)} msgids in the code are not in django.po "
            "(run `make messages`, then translate):\n  "
            + _listing(msgid for _ctx, msgid in report.missing),
            pytrace=False,
        )


def test_placeholders_survive_translation(tools, catalog):
    report = tools.check_catalog(catalog)
    if report.placeholder_mismatch:
        pytest.fail(
            "placeholders differ between msgid and msgstr:\n  "
            + _listing(f"{e.msgid!r}: {detail}" for e, detail in report.placeholder_mismatch),
            pytrace=False,
        )


def test_msgfmt_check_passes(tools):
    require_gettext("msgfmt")
    assert tools.msgfmt_check() == ""


def test_compiled_catalog_matches_the_po(tools, catalog):
    """The committed .mo is what a pip install serves when gettext is absent: it must hold
    exactly the .po's translations (`make messages` or `make install` recompiles it)."""
    assert tools.MO_PATH.exists(), f"{tools.MO_PATH} is missing: run `make messages`"
    compiled = {
        (entry.msgctxt or "", entry.msgid): (entry.msgstr, dict(entry.msgstr_plural))
        for entry in polib.mofile(str(tools.MO_PATH))
        if entry.msgid
    }
    source = {
        (entry.msgctxt or "", entry.msgid): (entry.msgstr, dict(entry.msgstr_plural))
        for entry in catalog.translated_entries()
        if entry.msgid
    }
    assert compiled == source, "django.mo is stale: run `make messages`"


def test_english_translates_and_chinese_stays_source():
    with translation.override("en"):
        assert str(Project._meta.verbose_name) == "Project"
        assert str(OrgKind.BRANCH.label) == "Party branch"
        assert str(ProjectStatus.IN_PROGRESS.label) == "In progress"
        assert translation.gettext("台账") == "Ledger"
    with translation.override("zh-hans"):
        assert str(Project._meta.verbose_name) == "项目"
        assert str(OrgKind.BRANCH.label) == "党支部"
        assert translation.gettext("台账") == "台账"


def test_every_translation_formats_with_the_source_arguments(tools, catalog):
    """What a view does at run time: `gettext(msgid) % {...}` with the names the Chinese
    source uses must work on the English text too (no KeyError, no stray %)."""
    failures = []
    for entry in catalog.translated_entries():
        names = set(tools.PERCENT_PLACEHOLDER.findall(entry.msgid))
        if "python-format" not in entry.flags or not any(n.startswith("%(") for n in names):
            continue
        values = {name[2 : name.index(")")]: 1 for name in names if name.startswith("%(")}
        for translation_text in [entry.msgstr, *entry.msgstr_plural.values()]:
            if not translation_text:
                continue
            try:
                translation_text % values
            except (KeyError, ValueError, TypeError) as exc:
                failures.append(f"{entry.msgid!r} -> {translation_text!r}: {exc!r}")
    if failures:
        pytest.fail("translations that fail to format:\n  " + _listing(failures), pytrace=False)
