"""gunicorn's configuration for Sira (deploy/systemd/sira.service runs `gunicorn -c` this file).

Every value can be changed from the environment (the unit's EnvironmentFile, /etc/sira/sira.env)."""

import os

# TCP on the loopback: nginx connects here, and the audit log and the lockout see nginx's address
# as REMOTE_ADDR, the client's in X-Forwarded-For (SIRA_TRUSTED_PROXIES=127.0.0.1,::1).
bind = os.environ.get("SIRA_BIND", "127.0.0.1:8000")
# 2 cores: 2 × cores + 1 workers serve 20 concurrent users at p95 ≈ 0.5 s (docs/performance.md).
workers = int(os.environ.get("SIRA_WORKERS", str(2 * (os.cpu_count() or 1) + 1)))
worker_class = "sync"
# An export streams for as long as it needs; other requests finish in well under a second.
timeout = int(os.environ.get("SIRA_WORKER_TIMEOUT", "120"))
graceful_timeout = 30
keepalive = 5
# A worker is replaced after this many requests (bounds slow leaks), at staggered times.
max_requests = 2000
max_requests_jitter = 200
# Sira writes its own request line without identities (sira/core/logs.py): gunicorn's access log,
# which holds the query string, stays off. Errors go to standard error (the journal).
accesslog = None
errorlog = "-"
loglevel = os.environ.get("SIRA_GUNICORN_LOG_LEVEL", "info")
# Behind nginx on the same host: believe its X-Forwarded-Proto only from the loopback.
forwarded_allow_ips = os.environ.get("SIRA_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
proc_name = "sira"
# Each worker loads the application itself (no database connection can be shared across a fork); a
# broken configuration (a missing key) makes the workers fail to boot and gunicorn stop, which systemd
# shows and retries.
preload_app = False
