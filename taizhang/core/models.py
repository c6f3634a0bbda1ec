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

    deleted_at = models.DateTimeField(_("删除时间"), null=True, blank=True, db_index=True)
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
