"""deploy/ as written: the nginx template renders into a configuration nginx accepts, docker compose
and systemd run what the cluster test runs (migrations once, N workers on their own ports behind
the same template). Docker cannot run here, so the compose file is checked as data."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.cluster.harness import HOOK_PATH, ROOT, main_conf, make_certificate, missing_tools, nginx_binary
from deploy import render

DEPLOY = ROOT / "deploy"


def nginx_accepts(site_text: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    (tmp_path / "tmp").mkdir(exist_ok=True)
    site = tmp_path / "liaison-desk.conf"
    site.write_text(site_text)
    (tmp_path / "nginx.conf").write_text(main_conf(tmp_path, site))
    return subprocess.run([nginx_binary() or "nginx", "-t", "-e", "stderr", "-p", str(tmp_path), "-c",
                           str(tmp_path / "nginx.conf")], capture_output=True, text=True, timeout=30)


@pytest.fixture
def tls(tmp_path: Path) -> tuple[str, str]:
    if missing_tools():
        pytest.skip(missing_tools() or "")
    cert, key = make_certificate(tmp_path)
    return str(cert), str(key)


@pytest.mark.parametrize("access_log", ["/ACCESS", "off"])
def test_the_rendered_template_is_accepted_by_nginx(tmp_path: Path, tls: tuple[str, str], access_log: str) -> None:
    values = render.values_for(server_name="desk.example.gov.cn", webhook_path="/telegram/hook-3f9a",
                               workers=["8001", "8002", "10.0.0.7:8443"], listen="127.0.0.1:8443",
                               certificate=tls[0], certificate_key=tls[1],
                               access_log=str(tmp_path / "access.log") if access_log == "/ACCESS" else "off")
    text = render.render(values)
    checked = nginx_accepts(text, tmp_path)
    assert checked.returncode == 0, checked.stderr
    assert "${" not in text and "location = /telegram/hook-3f9a {" in text
    assert re.findall(r"server (\S+) max_fails=1", text) == ["127.0.0.1:8001", "127.0.0.1:8002", "10.0.0.7:8443"]


def test_the_template_has_exactly_the_documented_placeholders() -> None:
    assert render.placeholders(render.TEMPLATE.read_text()) == set(render.PLACEHOLDERS)
    template = render.TEMPLATE.read_text()
    assert "proxy_next_upstream error timeout http_502 http_503" in template and "least_conn;" in template
    assert "listen ${LISTEN} ssl;" in template and "keepalive 32;" in template  # TLS on in the tests too


def test_render_refuses_what_nginx_could_not_take_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(render.RenderError, match="no value for ACCESS_LOG"):
        render.render({k: "x" for k in render.PLACEHOLDERS if k != "ACCESS_LOG"})
    with pytest.raises(render.RenderError, match="a worker is PORT or HOST:PORT"):
        render.upstream_servers(["8001", "bot:http"])
    code = render.main(["--server-name", "d.example.org", "--webhook-path", "tg hook", "--worker", "8001"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "WEBHOOK_PATH must be a path" in err


def test_render_as_a_script_writes_the_configuration(tmp_path: Path) -> None:
    out = tmp_path / "site.conf"
    done = subprocess.run([sys.executable, str(DEPLOY / "render.py"), "--server-name", "d.example.org",
                           "--webhook-path", "/tg/h", "--worker", "8001", "--worker", "8002", "--out", str(out)],
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    text = out.read_text()
    assert "ssl_certificate     /etc/letsencrypt/live/d.example.org/fullchain.pem;" in text
    assert "server 127.0.0.1:8002 max_fails=1 fail_timeout=5s;" in text


def compose() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())


def test_compose_runs_migrations_once_then_the_workers_then_nginx_on_the_same_template() -> None:
    services = compose()["services"]
    assert set(services) == {"postgres", "migrate", "bot", "nginx"}
    migrate, bot, nginx = services["migrate"], services["bot"], services["nginx"]
    assert migrate["command"] == ["python", "-m", "bot", "migrate"] and migrate["restart"] == "no"
    assert migrate["build"]["dockerfile"] == "Dockerfile" and (DEPLOY / migrate["build"]["context"] / "Dockerfile").exists()
    assert bot["command"] == ["python", "-m", "bot"] and bot["restart"] == "always"
    assert bot["depends_on"] == {"migrate": {"condition": "service_completed_successfully"}}
    assert nginx["depends_on"] == {"bot": {"condition": "service_healthy"}}
    replicas = re.fullmatch(r"\$\{WORKERS:-(\d+)\}", str(bot["deploy"]["replicas"]))
    assert replicas and int(replicas.group(1)) >= 2
    # every worker: the same database, webhook URL and secret; its own container, so one port
    environment = bot["environment"]
    assert environment["DATABASE_URL"].startswith("postgresql+asyncpg://") and "@postgres:5432/" in environment["DATABASE_URL"]
    assert environment["WEBHOOK_URL"].startswith("https://${SERVER_NAME") and "${WEBHOOK_PATH" in environment["WEBHOOK_URL"]
    assert bot["env_file"] == ".env" and migrate["environment"]["DATABASE_URL"] == environment["DATABASE_URL"]
    # nginx: deploy/'s template, mounted where the image renders templates, with every placeholder
    mounted = [v.split(":")[0] for v in nginx["volumes"]]
    template = (DEPLOY / mounted[0]).resolve()
    assert template == render.TEMPLATE and nginx["volumes"][0].endswith(
        ":/etc/nginx/templates/liaison-desk.conf.template:ro")
    nginx_env = nginx["environment"]
    assert set(render.PLACEHOLDERS) <= set(nginx_env)
    assert re.fullmatch(nginx_env["NGINX_ENVSUBST_FILTER"].replace("$$", "$"), "UPSTREAM_SERVERS")
    assert nginx_env["UPSTREAM_SERVERS"] == f"server bot:{environment['WEBHOOK_PORT']} max_fails=1 fail_timeout=5s;"
    assert nginx_env["WEBHOOK_PATH"] == "${WEBHOOK_PATH}"
    assert str(nginx_env["LISTEN"]) == "443" and nginx["ports"] == ["443:443"]


def test_compose_values_render_like_the_nginx_image_would() -> None:
    """What the image's envsubst makes of the template with compose's values (render's rules are
    envsubst's: ${NAME} only)."""
    nginx_env = compose()["services"]["nginx"]["environment"]
    values = {name: str(nginx_env[name]).replace("${SERVER_NAME}", "d.example.org").replace("${WEBHOOK_PATH}", HOOK_PATH)
              for name in render.PLACEHOLDERS}
    text = render.render(values)
    assert "server bot:8443 max_fails=1 fail_timeout=5s;" in text and f"location = {HOOK_PATH} {{" in text
    assert "ssl_certificate     /etc/nginx/tls/fullchain.pem;" in text


def unit(name: str) -> dict[str, dict[str, str]]:
    sections: dict[str, dict[str, str]] = {}
    current = ""
    for line in (DEPLOY / "systemd" / name).read_text().splitlines():
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1]
            sections[current] = {}
        elif "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            assert key not in sections[current], f"{name}: {key} twice"
            sections[current][key] = value
    return sections


def test_the_systemd_template_runs_one_worker_per_port_after_the_migration_unit() -> None:
    worker, migration = unit("liaison-desk@.service"), unit("liaison-desk-migrate.service")
    service = worker["Service"]
    assert service["ExecStart"].startswith("/usr/bin/env WEBHOOK_LISTEN=127.0.0.1 WEBHOOK_PORT=%i ")
    assert service["ExecStart"].endswith(" -m bot") and service["Restart"] == "always"
    assert service["EnvironmentFile"] == migration["Service"]["EnvironmentFile"]
    assert service["KillSignal"] == "SIGTERM"
    assert "liaison-desk-migrate.service" in worker["Unit"]["Requires"] and \
        "liaison-desk-migrate.service" in worker["Unit"]["After"]
    assert migration["Service"]["Type"] == "oneshot" and migration["Service"]["ExecStart"].endswith(" -m bot migrate")
    env_example = (DEPLOY / "liaison-desk.env.example").read_text()
    assert not re.search(r"^WEBHOOK_PORT=", env_example, re.M) and re.search(r"^WEBHOOK_URL=https://", env_example, re.M)
