from django.db import models


class Visit(models.Model):
    """One request to the home page."""

    created = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f'visit {self.pk} at {self.created:%Y-%m-%d %H:%M:%S}'


class Job(models.Model):
    """A job a web request queued (`POST /jobs/`) and a celery worker ran: which host took it, which ran it."""

    queued_by = models.CharField(max_length=200)
    queued_at = models.DateTimeField(auto_now_add=True)
    processed_by = models.CharField(max_length=200, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)
