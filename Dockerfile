# Production image: gunicorn serves the site, whitenoise the static files; the same image runs the
# migrations step, the Celery worker and the single beat scheduler (docker-compose.yml,
# docs/deployment.md). Secrets come from the environment at run time, never from the image
# (.dockerignore keeps .env, the virtualenv and local data out).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

COPY pyproject.toml ./
RUN pip install --upgrade pip && pip install .

COPY . .
RUN DJANGO_DEBUG=false DJANGO_SECRET_KEY=collectstatic-only DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    python manage.py collectstatic --noinput \
 && useradd --system --uid 1000 app && mkdir -p /app/media && chown -R app /app/media

USER app
EXPOSE 8000
CMD ["gunicorn", "recruitment.wsgi:application", "--config", "deploy/gunicorn.conf.py"]
