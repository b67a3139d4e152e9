from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render

from .models import Visit


def home(request):
    Visit.objects.create()
    return render(request, 'pages/home.html', {
        'release': settings.RELEASE,
        'visits': Visit.objects.count(),
    })


def health(request):
    # no database write: load balancers and deploys call this often
    return HttpResponse('ok', content_type='text/plain')
