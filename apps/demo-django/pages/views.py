import socket

from django.conf import settings
from django.http import HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import render

from .models import Job, Visit


def home(request):
    Visit.objects.create()
    return render(request, 'pages/home.html', {
        'release': settings.RELEASE,
        'visits': Visit.objects.count(),
    })


def health(request):
    # no database write: load balancers and deploys call this often
    return HttpResponse('ok', content_type='text/plain')


def jobs(request):
    """POST: queue a job for the celery workers (202 and its id). GET: every job, newest first, with who processed it."""
    if request.method == 'POST':
        # imported here: only hosts that queue jobs need celery and a broker
        from .tasks import process_job

        job = Job.objects.create(queued_by=socket.gethostname())
        process_job.delay(job.pk)
        return JsonResponse({'id': job.pk, 'queued_by': job.queued_by}, status=202)
    if request.method != 'GET':
        return HttpResponseNotAllowed(['GET', 'POST'])
    rows = Job.objects.order_by('-pk').values('id', 'queued_by', 'processed_by', 'queued_at', 'processed_at')
    return JsonResponse({'jobs': list(rows)})
