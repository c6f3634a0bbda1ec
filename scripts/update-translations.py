#!/usr/bin/env python3
"""Keep the English catalog in step with the code.

Chinese is the source language: every msgid in the code is Chinese, and
taizhang/locale/en/LC_MESSAGES/django.po holds its English translation.

    .venv/bin/python scripts/update-translations.py          # `make messages`
        re-run makemessages for `en` (obsolete entries dropped), list what still needs a
        translator (empty or fuzzy msgstr, placeholders that differ), compile the .mo;
        exits 1 while anything is left to translate.
    .venv/bin/python scripts/update-translations.py --check
        write nothing: extract the msgids from a copy of the tree and compare them with the
        committed catalog (what taizhang/core/tests/test_i18n.py asserts); exits 1 on any gap.

Needs GNU gettext (xgettext, msgmerge, msgfmt): `scripts/ensure-services.sh gettext`.
"""

from __future__ import annotations

import argparse
import fnmatch
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import polib

REPO = Path(__file__).resolve().parent.parent
LOCALE = "en"
LOCALE_DIR = REPO / "taizhang" / "locale"
PO_PATH = LOCALE_DIR / LOCALE / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")

# Directories makemessages must not read (dot-directories such as .venv and .git are skipped
# by Django's defaults). Tests are left out on purpose: a string only a test uses is not UI.
IGNORE_PATTERNS = [
    "var",
    "node_modules",
    "build",
    "dist",
    "test-artifacts",
    "*.egg-info",
    "tests",
    "scripts",
]
# The file types makemessages reads for the `django` domain.
SOURCE_SUFFIXES = {".py", ".html", ".txt"}

# %(name)s, %s, %d, %% … and {name} / {0} / {} — what must survive translation unchanged.
PERCENT_PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]")
BRACE_PLACEHOLDER = re.compile(r"(?<!\{)\{[A-Za-z0-9_.\[\]]*(?:![rsa])?(?::[^{}]*)?\}(?!\})")

Key = tuple[str, str]  # (msgctxt, msgid)


def entry_key(entry: polib.POEntry) -> Key:
    return (entry.msgctxt or "", entry.msgid)


def _django_env(settings: str | None) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    if settings:
        env["DJANGO_SETTINGS_MODULE"] = settings
    env.setdefault("TAIZHANG_VAR_DIR", tempfile.gettempdir())
    return env


def _manage(args: list[str], *, cwd: Path, settings: str | None) -> None:
    """Run a Django management command in a subprocess; raise with its output on failure."""
    result = subprocess.run(  # noqa: S603 — fixed argv, no shell
        [sys.executable, "-m", "django", *args],
        cwd=cwd,
        env=_django_env(settings),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"django-admin {' '.join(args)} failed ({result.returncode}):\n"
            f"{result.stdout}\n{result.stderr}"
        )


def _makemessages_args(*, no_obsolete: bool) -> list[str]:
    args = ["makemessages", "-l", LOCALE, "--no-wrap", "--add-location=file", "--verbosity=0"]
    if no_obsolete:
        args.append("--no-obsolete")
    for pattern in IGNORE_PATTERNS:
        args += ["--ignore", pattern]
    return args


def _ignored(path: Path) -> bool:
    return path.name.startswith(".") or any(
        fnmatch.fnmatchcase(path.name, pattern) for pattern in IGNORE_PATTERNS
    )


def code_msgids() -> dict[Key, polib.POEntry]:
    """The msgids makemessages would find in the code, without touching the work tree.

    The translatable files are copied to a temporary tree with empty locale folders and
    makemessages runs there without settings: files under taizhang/ land in
    taizhang/locale, everything else (config/) in the top-level locale/ — the real run puts
    both in taizhang/locale, so the union of the two is what the committed catalog needs.
    """
    with tempfile.TemporaryDirectory(prefix="taizhang-msgids-") as tmp:
        root = Path(tmp)
        for dirpath, dirnames, filenames in os.walk(REPO):
            current = Path(dirpath)
            dirnames[:] = [
                d for d in dirnames if not _ignored(current / d) and (current / d) != LOCALE_DIR
            ]
            for filename in filenames:
                source = current / filename
                if source.suffix in SOURCE_SUFFIXES and not _ignored(source):
                    target = root / source.relative_to(REPO)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(source, target)
        (root / "locale").mkdir()
        (root / LOCALE_DIR.relative_to(REPO)).mkdir(parents=True, exist_ok=True)
        _manage(_makemessages_args(no_obsolete=True), cwd=root, settings=None)
        found: dict[Key, polib.POEntry] = {}
        for po_file in sorted(root.glob(f"**/locale/{LOCALE}/LC_MESSAGES/django.po")):
            for entry in polib.pofile(str(po_file), wrapwidth=0):
                if not entry.obsolete:
                    found.setdefault(entry_key(entry), entry)
        return found


def _placeholders(text: str, *, brace: bool) -> Counter[str]:
    found = Counter(PERCENT_PLACEHOLDER.findall(text))
    if brace:
        found.update(BRACE_PLACEHOLDER.findall(text))
    return found


@dataclass
class Report:
    untranslated: list[polib.POEntry] = field(default_factory=list)
    fuzzy: list[polib.POEntry] = field(default_factory=list)
    placeholder_mismatch: list[tuple[polib.POEntry, str]] = field(default_factory=list)
    missing: list[Key] = field(default_factory=list)  # in the code, not in the catalog
    stale: list[Key] = field(default_factory=list)  # in the catalog, no longer in the code

    @property
    def clean(self) -> bool:
        return not (self.untranslated or self.fuzzy or self.placeholder_mismatch or self.missing)


def load_catalog(path: Path = PO_PATH) -> polib.POFile:
    return polib.pofile(str(path), wrapwidth=0)


def _translations(entry: polib.POEntry) -> list[tuple[str, str]]:
    """(source, translation) pairs: singular, or each plural form against its source form."""
    if entry.msgid_plural:
        forms = entry.msgstr_plural or {}
        pairs = []
        for index in sorted(forms):
            source = entry.msgid if index == 0 else entry.msgid_plural
            pairs.append((source, forms[index]))
        return pairs or [(entry.msgid, "")]
    return [(entry.msgid, entry.msgstr)]


def check_catalog(po: polib.POFile) -> Report:
    report = Report()
    for entry in po:
        if entry.obsolete:
            continue
        if "fuzzy" in entry.flags:
            report.fuzzy.append(entry)
            continue
        pairs = _translations(entry)
        if any(not translation.strip() for _, translation in pairs):
            report.untranslated.append(entry)
            continue
        # A literal "{" is common in Chinese prose only by accident; check braces only when
        # the string is flagged as brace-formatted or already contains a brace placeholder.
        for source, translation in pairs:
            brace = "python-brace-format" in entry.flags or bool(BRACE_PLACEHOLDER.search(source))
            percent = "python-format" in entry.flags or "%(" in source
            want = _placeholders(source, brace=brace)
            got = _placeholders(translation, brace=brace)
            if not percent:
                want = Counter({k: v for k, v in want.items() if not k.startswith("%")})
                got = Counter({k: v for k, v in got.items() if not k.startswith("%")})
            if want != got:
                detail = f"source {sorted(want.elements())} vs translation {sorted(got.elements())}"
                report.placeholder_mismatch.append((entry, detail))
    return report


def compare_with_code(po: polib.POFile, report: Report) -> None:
    in_catalog = {entry_key(e) for e in po if not e.obsolete}
    in_code = set(code_msgids())
    report.missing = sorted(in_code - in_catalog)
    report.stale = sorted(in_catalog - in_code)


def msgfmt_check(path: Path = PO_PATH) -> str:
    """Run `msgfmt --check` (header, format strings, plural forms); return its complaints."""
    result = subprocess.run(  # noqa: S603 — fixed argv, no shell
        ["msgfmt", "--check", "--output-file=/dev/null", str(path)],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    )
    return "" if result.returncode == 0 else (result.stderr or result.stdout or "msgfmt failed")


def _where(entry: polib.POEntry) -> str:
    if not entry.occurrences:
        return ""
    path, line = entry.occurrences[0]
    return f"  ({path}:{line})" if line else f"  ({path})"


def print_report(report: Report) -> None:
    def show(title: str, rows: list[str]) -> None:
        if rows:
            print(f"\n{title} ({len(rows)}):")
            for row in rows:
                print(f"  {row}")

    show(
        "in the code but missing from django.po — run `make messages`",
        [f"{ctx + ' | ' if ctx else ''}{msgid}" for ctx, msgid in report.missing],
    )
    show("untranslated", [f"{e.msgid!r}{_where(e)}" for e in report.untranslated])
    show(
        "fuzzy (check the msgstr, then delete the fuzzy flag)",
        [f"{e.msgid!r} -> {e.msgstr!r}{_where(e)}" for e in report.fuzzy],
    )
    show(
        "placeholders differ between msgid and msgstr",
        [f"{e.msgid!r}: {detail}" for e, detail in report.placeholder_mismatch],
    )
    show(
        "no longer in the code (dropped by the next `make messages`)",
        [f"{ctx + ' | ' if ctx else ''}{msgid}" for ctx, msgid in report.stale],
    )


def compile_catalog() -> None:
    _manage(
        ["compilemessages", "-l", LOCALE, "--ignore", ".*", "--ignore", "var", "--verbosity=0"],
        cwd=REPO,
        settings="config.settings.base",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="write nothing; report gaps")
    args = parser.parse_args(argv)

    if args.check:
        po = load_catalog()
        report = check_catalog(po)
        compare_with_code(po, report)
    else:
        _manage(_makemessages_args(no_obsolete=True), cwd=REPO, settings="config.settings.base")
        po = load_catalog()
        report = check_catalog(po)
        compile_catalog()
    print_report(report)
    complaints = msgfmt_check()
    if complaints:
        print(f"\nmsgfmt --check:\n{complaints}")
    entries = [e for e in po if not e.obsolete]
    print(
        f"\n{PO_PATH.relative_to(REPO)}: {len(entries)} entries, "
        f"{len(report.untranslated)} untranslated, {len(report.fuzzy)} fuzzy, "
        f"{len(report.missing)} missing, {len(report.placeholder_mismatch)} placeholder problems"
    )
    return 0 if report.clean and not complaints else 1


if __name__ == "__main__":
    sys.exit(main())
