FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
# libseccomp2 lets the sandbox install its system-call filter; see grader/README.md.
RUN apt-get update && apt-get install -y --no-install-recommends libseccomp2 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
# Dependencies first, so that a code change does not reinstall them.
COPY pyproject.toml README.md ./
RUN pip install --upgrade pip && pip install .
COPY . .
# Under the production settings, so that the manifest of hashed names the running site looks
# up is written. Settings refuse to load without a key; this one exists only during the build.
# tests/mlcourse/test_production.py runs this very line and then serves the result.
RUN DEBUG=false SECRET_KEY=build-time-only-collectstatic-key-not-used-to-sign-anything python manage.py collectstatic --noinput --verbosity 0

RUN useradd --create-home --uid 1000 app && mkdir -p /app/var && chown app /app/var
USER app
EXPOSE 8000
# ASGI workers: a page waiting for its verdict (a long poll) holds a coroutine, not a process.
CMD ["gunicorn", "mlcourse.asgi", "--worker-class", "uvicorn_worker.UvicornWorker", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
