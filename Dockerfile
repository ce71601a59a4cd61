# CrowdSafe production image: one image for web (gunicorn), Celery worker and Celery beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
# WeasyPrint needs Pango and HarfBuzz subsetting (without libharfbuzz-subset0 Chinese PDFs render ~40x slower);
# documents name the Noto CJK fonts; gettext compiles the translation catalogues.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
      fonts-noto-cjk gettext \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml ./
COPY . .
RUN pip install --no-cache-dir . \
 && DEBUG=true python manage.py compilemessages -v0 \
 && DEBUG=true STATIC_ROOT=/app/static-root python manage.py collectstatic --no-input -v0 \
 && useradd --system --uid 1000 crowdsafe && mkdir -p /app/var && chown crowdsafe /app/var
ENV STATIC_ROOT=/app/static-root CROWDSAFE_VAR_DIR=/app/var DEBUG=false
USER crowdsafe
EXPOSE 8000
CMD ["gunicorn", "crowdsafe.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
