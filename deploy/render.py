"""Render deploy/nginx/liaison-desk.conf.template: fill its placeholders (${NAME}), exactly as the
nginx Docker image's envsubst does (only ${NAME} with braces; nginx's own $variables stay).

    python deploy/render.py --server-name desk.example.gov.cn --webhook-path /telegram/hook-3f9a \\
        --worker 8001 --worker 8002 --worker 8003 > /etc/nginx/sites-available/liaison-desk.conf

A --worker is PORT (on 127.0.0.1) or HOST:PORT, one per `python -m bot` process. The certificate
defaults to Let's Encrypt's paths for the server name. The test suite calls `render` and
`upstream_servers` with loopback ports and a certificate it makes itself."""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parent / "nginx" / "liaison-desk.conf.template"
ACCESS_LOG_FORMAT = "liaison_desk"  # the template's log_format: which worker answered each request
PLACEHOLDERS = ("LISTEN", "SERVER_NAME", "TLS_CERTIFICATE", "TLS_CERTIFICATE_KEY", "WEBHOOK_PATH",
                "UPSTREAM_SERVERS", "ACCESS_LOG")
_PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_PATH = re.compile(r"/[A-Za-z0-9._~/-]*")
_WORKER = re.compile(r"(?:(?P<host>[A-Za-z0-9.-]+|\[[0-9a-fA-F:]+\]):)?(?P<port>\d{1,5})")


class RenderError(ValueError):
    """A value the configuration cannot take; the message says which, in one line."""


def placeholders(text: str) -> set[str]:
    """The ${NAME}s a template uses."""
    return set(_PLACEHOLDER.findall(text))


def render(values: Mapping[str, str], template: str | None = None) -> str:
    """The template with every placeholder filled; a missing or unknown one is an error."""
    text = TEMPLATE.read_text() if template is None else template
    wanted = placeholders(text)
    missing = sorted(wanted - set(values))
    if missing:
        raise RenderError(f"no value for {', '.join(missing)}")
    unknown = sorted(set(values) - wanted)
    if unknown:
        raise RenderError(f"the template has no placeholder {', '.join(unknown)}")
    path = values.get("WEBHOOK_PATH", "/")
    if not _PATH.fullmatch(path):
        raise RenderError(f"WEBHOOK_PATH must be a path like /telegram/hook, not {path!r}")
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], text)


def worker_address(spec: str) -> str:
    """PORT → 127.0.0.1:PORT; HOST:PORT as given."""
    found = _WORKER.fullmatch(spec.strip())
    if not found or not 0 < int(found["port"]) < 65536:
        raise RenderError(f"a worker is PORT or HOST:PORT, not {spec!r}")
    return f"{found['host'] or '127.0.0.1'}:{found['port']}"


def upstream_servers(workers: Iterable[str], *, fail_timeout: str = "5s") -> str:
    """UPSTREAM_SERVERS for these workers: after one refused or failed request a worker rests for
    `fail_timeout` (then nginx tries it again: a restarted worker is back that fast)."""
    lines = [f"server {worker_address(w)} max_fails=1 fail_timeout={fail_timeout};" for w in workers]
    if not lines:
        raise RenderError("at least one --worker is needed")
    return "\n    ".join(lines)


def values_for(*, server_name: str, webhook_path: str, workers: Iterable[str], listen: str = "443",
               certificate: str | None = None, certificate_key: str | None = None,
               access_log: str = "/var/log/nginx/liaison-desk.access.log") -> dict[str, str]:
    live = f"/etc/letsencrypt/live/{server_name}"
    return {"LISTEN": listen, "SERVER_NAME": server_name,
            "TLS_CERTIFICATE": certificate or f"{live}/fullchain.pem",
            "TLS_CERTIFICATE_KEY": certificate_key or f"{live}/privkey.pem",
            "WEBHOOK_PATH": webhook_path, "UPSTREAM_SERVERS": upstream_servers(workers),
            "ACCESS_LOG": "off" if access_log == "off" else f"{access_log} {ACCESS_LOG_FORMAT}"}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python deploy/render.py", description=__doc__.split("\n\n")[0])
    p.add_argument("--server-name", required=True, help="the public host name, e.g. desk.example.gov.cn")
    p.add_argument("--webhook-path", required=True, help="WEBHOOK_URL's path, e.g. /telegram/hook-3f9a")
    p.add_argument("--worker", action="append", required=True, metavar="[HOST:]PORT",
                   help="a worker's WEBHOOK_PORT (repeat once per worker)")
    p.add_argument("--listen", default="443", help="what nginx listens on (default 443)")
    p.add_argument("--cert", help="certificate chain (default: Let's Encrypt's fullchain.pem for the name)")
    p.add_argument("--key", help="its private key (default: Let's Encrypt's privkey.pem)")
    p.add_argument("--access-log", default="/var/log/nginx/liaison-desk.access.log", help='a path, or "off"')
    p.add_argument("--out", type=Path, help="write here instead of standard output")
    args = p.parse_args(argv)
    try:
        text = render(values_for(server_name=args.server_name, webhook_path=args.webhook_path, workers=args.worker,
                                 listen=args.listen, certificate=args.cert, certificate_key=args.key,
                                 access_log=args.access_log))
    except RenderError as error:
        print(f"render.py: {error}", file=sys.stderr)
        return 2
    if args.out:
        args.out.write_text(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
