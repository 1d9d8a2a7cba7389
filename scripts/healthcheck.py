"""The container's health probe: GET /healthz on this machine and exit 0 only on a 200.

    python scripts/healthcheck.py [PORT]      (default 8000)

Django answers only to the names in ALLOWED_HOSTS, so the probe sends the first of them as its
Host header rather than 127.0.0.1, which an operator's list need not hold. /healthz is exempt
from the HTTPS redirect, so plain HTTP inside the container is enough. Standard library only.
"""

import os
import sys
import urllib.error
import urllib.request


def host_header() -> str:
    for host in os.environ.get("ALLOWED_HOSTS", "").split(","):
        host = host.strip().lstrip(".")  # ".example.org" allows example.org and its subdomains
        if host and host != "*":
            return host
    return "localhost"


def main() -> int:
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8000
    request = urllib.request.Request(f"http://127.0.0.1:{port}/healthz", headers={"Host": host_header()})
    try:
        with urllib.request.urlopen(request, timeout=8) as response:
            body, status = response.read().decode(errors="replace"), response.status
    except urllib.error.HTTPError as error:
        body, status = error.read().decode(errors="replace"), error.code
    except OSError as error:
        print(f"unhealthy: {error}")
        return 1
    print(body.strip())
    return 0 if status == 200 else 1


if __name__ == "__main__":
    sys.exit(main())
