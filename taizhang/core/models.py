"""Abstract bases every domain model shares: timestamps and recoverable deletion."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


class AliveQuerySet(models.QuerySet):
    def alive(self) -> "AliveQuerySet":
        return self.filter(deleted_at__isnull=True)

    def deleted(self) -> "AliveQuerySet":
        return self.filter(deleted_at__isnull=False)


class AliveManager(models.Manager.from_queryset(AliveQuerySet)):  # type: ignore[misc]
    """The default manager hides soft-deleted rows, so every list and reverse relation
    leaves them out without each caller remembering to filter."""

    def get_queryset(self) -> AliveQuerySet:
        return super().get_queryset().filter(deleted_at__isnull=True)


class SoftDeleteModel(TimeStampedModel):
    """Deletion only stamps `deleted_at`; an org admin can restore the row from the trash.

    Who deleted and restored is in the row's history (simple-history), the stamp here only
    keeps the row out of lists.
    """

    # No index: nearly every row has NULL here, and SQLite without statistics takes an index
    # on `deleted_at IS NULL` for a selective one and drives joins from it (P4 in
    # BENCHMARKS.md: every goal probed against every report, 0.9 s instead of 4 ms at
    # company scale). The trash lists rows by project or campaign, which are indexed.
    deleted_at = models.DateTimeField(_("删除时间"), null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("删除人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    # Optimistic concurrency (the name Rails gave it): every write through save_with_history
    # bumps it, and a write naming an older one is refused (core.history.check_version → 409).
    lock_version = models.PositiveIntegerField(_("版本号"), default=1, editable=False)

    objects = AliveManager()
    all_objects = AliveQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    def mark_deleted(self, actor) -> None:
        self.deleted_at = timezone.now()
        self.deleted_by = actor

    def mark_restored(self) -> None:
        self.deleted_at = None
        self.deleted_by = None


# --------------------------------------------------------------------------- audit chain
# The rows are written only by taizhang.core.audit; see its docstring for the rules.


class AuditSchema(models.Model):
    """The field names a historical model had when its records were chained.

    An entry's digest covers exactly these fields, so a later migration that adds a column
    to a tracked model does not make every older entry look edited.
    """

    model = models.CharField(max_length=100)
    fingerprint = models.CharField(max_length=64)
    fields = models.TextField()

    class Meta:
        verbose_name = _("审计字段集")
        verbose_name_plural = _("审计字段集")
        constraints = [
            models.UniqueConstraint(fields=["model", "fingerprint"], name="audit_schema_unique")
        ]

    def __str__(self) -> str:
        return f"{self.model} #{self.pk}"


class AuditEntry(models.Model):
    """One link of the append-only audit chain: one historical (simple-history) record.

    Plain integers, not foreign keys, for the record and the actor: the chain must not change
    when a user is deleted or a table is cleaned, it must only ever grow.
    """

    seq = models.PositiveBigIntegerField(_("序号"), unique=True)
    at = models.DateTimeField(_("记录时间"))
    model = models.CharField(_("历史表"), max_length=100)
    history_id = models.BigIntegerField(_("历史记录编号"))
    actor_id = models.BigIntegerField(_("操作人编号"), null=True, blank=True)
    schema = models.ForeignKey(AuditSchema, on_delete=models.PROTECT, related_name="+")
    digest = models.CharField(_("内容摘要"), max_length=64)
    prev_hash = models.CharField(_("前一条哈希"), max_length=64)
    hash = models.CharField(_("哈希"), max_length=64)

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["seq"]
        constraints = [
            models.UniqueConstraint(fields=["model", "history_id"], name="audit_entry_once")
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.model}:{self.history_id}"


class AuditHead(models.Model):
    """The chain's single head row (pk 1): the last sequence number and hash.

    Appends lock it (select_for_update), so two writers can never link to the same
    predecessor and fork the chain.
    """

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("审计链头")
        verbose_name_plural = _("审计链头")

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash[:12]}"
