from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def status(request):
    return render(request, "applications/status.html", {})
