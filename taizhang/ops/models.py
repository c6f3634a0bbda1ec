from django.db import models


class CacheEntry(models.Model):
    """The table of Django's database cache backend (production's CACHES, which keeps login
    throttling counts shared by all app workers).

    Declared as a model so `migrate` creates it everywhere; the columns are the ones
    `createcachetable` would make, so Django's DatabaseCache uses it as it is.
    """

    cache_key = models.CharField(max_length=255, primary_key=True)
    value = models.TextField()
    expires = models.DateTimeField(db_index=True)

    class Meta:
        db_table = "taizhang_cache"
        verbose_name = "cache entry"

    def __str__(self) -> str:
        return self.cache_key
