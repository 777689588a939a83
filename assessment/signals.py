"""Cache invalidation only (docs/architecture.md: signals carry side effects only): a saved or deleted grant
drops the cached answer of ``permissions.holds_assessor_grant`` for its user, however the row was written."""
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Assessor
from .permissions import grant_cache_key


@receiver([post_save, post_delete], sender=Assessor)
def forget_grant(sender, instance, **kwargs):
    cache.delete(grant_cache_key(instance.user_id))
