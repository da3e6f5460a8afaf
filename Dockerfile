# The ordergate image: the server on a slim Python, run as an unprivileged user, with a health check.
#
#   docker build -t ordergate .
#   docker run -p 8000:8000 -e ORDERGATE_ADMIN_KEY=... ordergate
#
# BASE_IMAGE is any Debian-like image with Python 3.11+ and its venv module (python3 on PATH); the default
# is the official slim Python. Behind a TLS-intercepting proxy, put its CA bundle in deploy/certs/
# as ca-certificates.crt before building: pip uses it. See docs/deployment.md.
ARG BASE_IMAGE=python:3.11-slim-bookworm

FROM ${BASE_IMAGE} AS build
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PYTHONDONTWRITEBYTECODE=1
COPY deploy/certs/ /tmp/certs/
COPY pyproject.toml README.md setup.py /src/
# The dependencies (and the build backend) first, in a layer of their own: a change to the code alone
# fetches nothing again. The order book's hot modules are compiled with mypyc (setup.py): mypy goes to a
# folder of its own and a C compiler to this stage only, so the image holds neither. Without a compiler
# (no package mirror) the build still succeeds, with those modules as pure Python and a warning.
RUN set -e; \
    if [ -s /tmp/certs/ca-certificates.crt ]; then export PIP_CERT=/tmp/certs/ca-certificates.crt; fi; \
    tools=""; \
    command -v gcc >/dev/null 2>&1 || tools="gcc libc6-dev"; \
    python3 -c "import os, sys, sysconfig; sys.exit(not os.path.exists(sysconfig.get_path('include') + '/Python.h'))" \
        || tools="$tools python3-dev"; \
    if [ -n "$tools" ]; then \
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $tools \
            >/dev/null && rm -rf /var/lib/apt/lists/*; } \
        || echo "WARNING: could not install $tools: the order book will run as pure Python"; \
    fi; \
    python3 -m venv /opt/ordergate; \
    python3 -c "import tomllib; print('\n'.join(tomllib.load(open('/src/pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt; \
    /opt/ordergate/bin/pip install --quiet --upgrade pip "setuptools>=77" wheel; \
    /opt/ordergate/bin/pip install --quiet -r /tmp/requirements.txt; \
    mypy=$(python3 -c "import tomllib; print(next(r for r in tomllib.load(open('/src/pyproject.toml', 'rb'))['build-system']['requires'] if r.startswith('mypy')))"); \
    /opt/ordergate/bin/pip install --quiet --target /opt/mypyc "$mypy"
COPY src /src/src
RUN set -e; \
    if [ -s /tmp/certs/ca-certificates.crt ]; then export PIP_CERT=/tmp/certs/ca-certificates.crt; fi; \
    PYTHONPATH=/opt/mypyc /opt/ordergate/bin/pip install --quiet --no-deps --no-build-isolation /src; \
    cd / && /opt/ordergate/bin/python -c 'from ordergate.compiled import main; main()'

FROM ${BASE_IMAGE}
ENV PATH=/opt/ordergate/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 \
    ORDERGATE_HOST=0.0.0.0 ORDERGATE_PORT=8000 ORDERGATE_DATA_DIR=/var/lib/ordergate ORDERGATE_LOG_JSON=true
RUN useradd --uid 10001 --user-group --no-log-init --no-create-home --home-dir /var/lib/ordergate \
        --shell /usr/sbin/nologin ordergate \
    && install -d -o ordergate -g ordergate -m 700 /var/lib/ordergate
COPY --from=build /opt/ordergate /opt/ordergate
COPY deploy/healthcheck.py /opt/ordergate/healthcheck.py
USER ordergate
WORKDIR /var/lib/ordergate
VOLUME ["/var/lib/ordergate"]
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python3", "/opt/ordergate/healthcheck.py"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["ordergate"]
CMD ["serve"]
