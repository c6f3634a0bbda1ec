"""Chain the historical records written before the audit chain existed (taizhang.core.audit).

Runs once. A new database has no history yet, so this does nothing there; an existing one
(a developer's var/taizhang.sqlite3 with demo data) gets its records chained oldest first.
"""

from django.db import migrations


def chain_existing(apps, schema_editor):
    from taizhang.core.audit import backfill

    backfill(apps, schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("orgs", "0004_historicalperson_lock_version_person_lock_version"),
        ("campaigns", "0004_campaign_lock_version_goalindicator_lock_version_and_more"),
        ("checkins", "0002_benefitclaim_lock_version_evidence_lock_version_and_more"),
        ("assessment", "0003_historicalmanualentry_lock_version_and_more"),
    ]

    operations = [migrations.RunPython(chain_existing, migrations.RunPython.noop)]
