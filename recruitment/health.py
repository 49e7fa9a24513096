"""Liveness/readiness probe for load balancers and docker-compose healthchecks.

It is a middleware placed first so that the probe answers on ``http://127.0.0.1:8000/healthz/``
from inside the container: before the HTTPS redirect and before ``ALLOWED_HOSTS`` is consulted.
"""

from django.db import connection
from django.http import JsonResponse

HEALTH_PATH = "/healthz/"


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path != HEALTH_PATH or request.method != "GET":
            return self.get_response(request)
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
        except Exception:  # any database failure means "not ready"
            response = JsonResponse({"status": "unavailable"}, status=503)
        else:
            response = JsonResponse({"status": "ok"})
        response["Cache-Control"] = "no-store"
        return response
