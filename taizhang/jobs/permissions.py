"""A job belongs to the user who started it; nobody else sees it, not even an admin."""

from django.db.models import QuerySet
from django.http import Http404

from .models import Job


def jobs_visible_to(user) -> QuerySet[Job]:
    if not user or not user.is_authenticated:
        return Job.objects.none()
    return Job.objects.filter(owner=user)


def access_job(user, job_id) -> Job:
    try:
        return jobs_visible_to(user).get(pk=job_id)
    except (Job.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
