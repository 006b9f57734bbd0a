# syntax=docker/dockerfile:1
# Airflow image with smarketing and its locked dependencies, for docker-compose.yml.
# The tag must match the apache-airflow pin in pyproject.toml (tests/unit/test_docker_compose.py checks).
FROM apache/airflow:3.3.2-python3.11

# Directories that named volumes are mounted over: a new volume copies the image's
# ownership, so they must exist here, owned by airflow and group-0 writable (image convention).
USER root
RUN mkdir -p /opt/smarketing/.smarketing /opt/airflow/auth \
 && chown -R airflow:0 /opt/smarketing /opt/airflow/auth \
 && chmod -R g+rwX /opt/smarketing /opt/airflow/auth
USER airflow
WORKDIR /opt/smarketing

# Dependencies in their own layer, so code edits do not reinstall them.
# uv only turns uv.lock into a requirements file; it is mounted, not left in the image.
# Pinning apache-airflow to the image's version makes pip fail, rather than swap Airflow,
# if the lock ever disagrees with the base image (the Airflow docs' extension pattern).
COPY --chown=airflow:0 pyproject.toml uv.lock ./
RUN --mount=from=ghcr.io/astral-sh/uv:0.13.9,source=/uv,target=/tmp/uv \
    UV_PYTHON_DOWNLOADS=never /tmp/uv export --frozen --no-dev --no-emit-project --no-hashes \
        --no-cache -o /tmp/requirements.txt \
 && pip install --no-cache-dir "apache-airflow==${AIRFLOW_VERSION}" -r /tmp/requirements.txt \
 && rm /tmp/requirements.txt

COPY --chown=airflow:0 README.md smarketing.yml ./
COPY --chown=airflow:0 smarketing/ smarketing/
COPY --chown=airflow:0 dags/ dags/
COPY --chown=airflow:0 dbt_project/ dbt_project/
COPY --chown=airflow:0 expectations/ expectations/
COPY --chown=airflow:0 reports/ reports/

# Editable, so `import smarketing` resolves to /opt/smarketing/smarketing and the compose
# bind mount of ./smarketing takes effect without a rebuild (a plain install would shadow it).
RUN pip install --no-cache-dir --no-deps -e /opt/smarketing

ENV SMARKETING_CONFIG=/opt/smarketing/smarketing.yml \
    SMARKETING_HOME=/opt/smarketing/.smarketing
