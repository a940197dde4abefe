"""Structured logs without identities.

`JsonFormatter` writes one JSON object a line: time, level, logger, message, and only the request
fields named in FIELDS (never a record's other attributes: Django attaches the whole request to its
error records). `RequestLogMiddleware` writes the request line: method, path without its query string
(a search is carried by an encrypted token, but an old link may still hold `?q=<name>`), status,
duration, the user's numeric id (not their name) and the proxy's request id. Nothing from the body,
the headers or the query string is logged."""

import datetime as dt
import json
import logging
import time

FIELDS = ("method", "path", "status", "ms", "user", "request_id")
request_logger = logging.getLogger("sira.request")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for field in FIELDS:
            if hasattr(record, field):
                entry[field] = getattr(record, field)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.monotonic()
        response = self.get_response(request)
        if request_logger.isEnabledFor(logging.INFO):
            user = getattr(request, "user", None)
            request_logger.info(
                "request",
                extra={
                    "method": request.method,
                    "path": request.path[:200],
                    "status": response.status_code,
                    "ms": round((time.monotonic() - started) * 1000, 1),
                    "user": user.pk if user is not None and user.is_authenticated else None,
                    "request_id": request.META.get("HTTP_X_REQUEST_ID", "")[:64] or None,
                },
            )
        return response
