"""Container healthcheck for the web service: GET /healthz on the local gunicorn.

Standard library only (the slim image has no curl) and no Django import, so it costs
milliseconds. Sends the Host of PUBLIC_BASE_URL so ALLOWED_HOSTS accepts it.
Exit 0 when /healthz answers 200, 1 otherwise.
"""

import http.client
import os
import sys
from urllib.parse import urlsplit


def main() -> int:
    host = urlsplit(os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:8000")).netloc or "127.0.0.1"
    port = int(os.environ.get("PORT", "8000"))
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", "/healthz", headers={"Host": host})
        response = connection.getresponse()
        body = response.read(2000).decode("utf-8", "replace")
    except OSError as exc:
        print(f"healthz unreachable: {exc}", file=sys.stderr)
        return 1
    finally:
        connection.close()
    if response.status != 200:
        print(f"healthz {response.status}: {body}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
