from django.shortcuts import render

from .models import Campaign


def home(request):
    return render(request, "home.html", {"campaign": Campaign.objects.current()})
