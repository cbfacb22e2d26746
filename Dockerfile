# liaison-desk: a slim image that runs as a non-root user, migrates the database, then polls
# (or serves the webhook when WEBHOOK_URL is set). SQLite lives in the /data volume by default.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY storage ./storage
COPY jobs ./jobs
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DATABASE_URL=sqlite+aiosqlite:////data/liaison.db \
    WEB_LISTEN=0.0.0.0
RUN useradd --create-home --uid 10001 desk && mkdir /data && chown desk:desk /data
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
COPY examples /app/examples
USER desk
WORKDIR /app
VOLUME ["/data"]
# the dashboard and /healthz when polling (WEB_PORT); in webhook mode the webhook's port serves them
EXPOSE 8080
# `python -m bot` applies pending migrations before it starts.
CMD ["python", "-m", "bot"]
