# Production image: gunicorn serving the Django app; static files via WhiteNoise.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 VAR_DIR=/var/lib/phulam MEDIA_ROOT=/var/lib/phulam/media
# Java runs ODK Validate on publish; gdal/proj come inside the pyogrio/pyproj wheels; Node installs page assets.
RUN apt-get update \
 && apt-get install -y --no-install-recommends default-jre-headless nodejs npm gettext \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.txt package*.json ./
RUN pip install --no-cache-dir -r requirements.txt \
 && if [ -f package.json ]; then npm ci --omit=dev --no-audit --no-fund; fi
COPY . .
RUN mkdir -p "$MEDIA_ROOT" && python manage.py collectstatic --noinput
EXPOSE 8000
CMD ["sh", "-c", "python manage.py migrate --noinput && gunicorn backend.wsgi:application --bind 0.0.0.0:8000 --workers ${WEB_WORKERS:-4} --preload --timeout 120 --access-logfile -"]
