"""The image's health check: exit 0 when the server in this container answers GET /health with 200.

It reads the port (ORDERGATE_PORT) and whether the server speaks TLS (ORDERGATE_SSL_CERTFILE) from the
same environment as the server, so it follows whatever the container was started with.
"""

import os
import ssl
import sys
import urllib.request


def main() -> int:
    """Ask the local server for /health; 0 if it answered 200, 1 otherwise."""
    tls = bool(os.environ.get("ORDERGATE_SSL_CERTFILE"))
    url = f"{'https' if tls else 'http'}://127.0.0.1:{os.environ.get('ORDERGATE_PORT', '8000')}/health"
    context = None
    if tls:  # the server's own certificate, asked for on loopback: its name is not 127.0.0.1
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    try:
        with urllib.request.urlopen(url, timeout=4, context=context) as answer:
            return 0 if answer.status == 200 else 1
    except OSError as e:
        print(f"unhealthy: {url}: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
