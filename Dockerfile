# Production image: gunicorn serving the Django app; static files via WhiteNoise.
# Stage 1 installs the pages' npm packages, builds the served copy of ODK Web Forms (minified,
# unused fonts dropped: scripts/build-assets.mjs) and then drops the dev packages (esbuild,
# jsdom, the engine test kit); stage 2 is the runtime, without Node, compilers, tests or test tools.

FROM node:20-bookworm-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
COPY scripts/build-assets.mjs ./scripts/
RUN npm ci --no-audit --no-fund \
 && node scripts/build-assets.mjs \
 && npm prune --omit=dev --no-audit --no-fund

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    VAR_DIR=/var/lib/phulam MEDIA_ROOT=/var/lib/phulam/media PORT=8000
# Java runs ODK Validate on publish; pg_dump/pg_restore make the backups (the worker runs the
# nightly one); gdal/proj come inside the pyogrio/pyproj wheels.
RUN apt-get update \
 && apt-get install -y --no-install-recommends default-jre-headless postgresql-client \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt
COPY --from=assets /build/node_modules ./node_modules
COPY --from=assets /build/build/static ./build/static
COPY . .
# collectstatic copies only the npm files the pages load (backend/web/finders.py) and writes
# their gzip/brotli copies; the tree is owned by root and read-only for the app user. Named
# volumes (media, backups, beat) copy the ownership of their directories when first created.
RUN python manage.py collectstatic --noinput \
 && useradd --system --uid 10001 --home-dir /var/lib/phulam --shell /usr/sbin/nologin phulam \
 && mkdir -p "$MEDIA_ROOT" "$VAR_DIR/backups" "$VAR_DIR/beat" \
 && chown -R phulam:phulam "$MEDIA_ROOT" "$VAR_DIR/backups" "$VAR_DIR/beat"
USER phulam
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 CMD ["python", "deploy/healthcheck.py"]
# Migrations run in their own one-shot service (docker-compose.yml `migrate`), not here.
CMD ["sh", "-c", "exec gunicorn backend.wsgi:application --bind 0.0.0.0:${PORT} --workers ${WEB_WORKERS:-4} --preload --timeout 120 --access-logfile -"]
