"""The shipped production configuration: check --deploy clean with deploy/production.env.example, the
systemd units and timers, nginx's site (valid, limits and headers matching the settings)."""

import configparser
import importlib.util
import os
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
DEPLOY = ROOT / "deploy"


def smoke_module():
    spec = importlib.util.spec_from_file_location("smoke_prod", DEPLOY / "smoke_prod.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(DEPLOY / "systemd" / name)
    return parser


@pytest.mark.slow
def test_check_deploy_is_clean_with_the_documented_environment(tmp_path):
    """deploy/production.env.example as shipped (only paths and the host changed), secrets from files."""
    secrets_dir = tmp_path / "secrets"
    secrets_dir.mkdir()
    env = smoke_module().production_env(tmp_path, secrets_dir)
    from cryptography.fernet import Fernet

    for name, value in {
        "sira_secret_key": secrets.token_urlsafe(50),
        "sira_field_keys": Fernet.generate_key().decode(),
        "sira_blind_index_key": secrets.token_hex(32),
        "sira_backup_key": Fernet.generate_key().decode(),
        "app_database_url": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }.items():
        (secrets_dir / name).write_text(value)
    env["DJANGO_SETTINGS_MODULE"] = "sira.settings"
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues (0 silenced)." in result.stdout
    # And no secret came from the environment itself, nor was a development key created.
    assert not any(k in env for k in ("SIRA_SECRET_KEY", "SIRA_FIELD_ENCRYPTION_KEYS", "DATABASE_URL"))
    assert not (tmp_path / "var" / "secrets").exists()


def test_application_service_comes_back_by_itself():
    service = unit("sira.service")
    assert service["Service"]["Restart"] == "always"
    assert service["Unit"]["StartLimitIntervalSec"] == "0"  # never gives up restarting
    assert service["Install"]["WantedBy"] == "multi-user.target"
    assert service["Service"]["EnvironmentFile"] == "/etc/sira/sira.env"
    assert "gunicorn.conf.py" in service["Service"]["ExecStart"]
    assert service["Service"]["User"] == "sira"


@pytest.mark.slow
def test_systemd_accepts_the_units(tmp_path):
    """systemd-analyze verify on the units, paths pointed at this checkout (as root, user sira absent)."""
    if not shutil.which("systemd-analyze"):
        pytest.skip("systemd-analyze not installed")
    for path in (DEPLOY / "systemd").iterdir():
        text = path.read_text().replace("/srv/sira", str(ROOT))
        text = text.replace("/etc/sira/sira.env", str(DEPLOY / "production.env.example"))
        (tmp_path / path.name).write_text(
            text.replace("User=sira", "User=root").replace("Group=sira", "Group=root")
        )
    names = sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".timer" or p.name == "sira.service")
    result = subprocess.run(
        [shutil.which("systemd-analyze"), "verify", "--man=no", *names],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr


def test_every_timer_runs_an_existing_job_and_catches_up_after_a_power_cut():
    from django.core.management import get_commands

    timers = sorted((DEPLOY / "systemd").glob("*.timer"))
    jobs = set()
    for path in timers:
        timer = unit(path.name)
        assert timer["Timer"]["Persistent"] == "true", path.name
        assert timer["Install"]["WantedBy"] == "timers.target"
        target = re.fullmatch(r"sira-job@(\w+)\.service", timer["Timer"]["Unit"])
        assert target, path.name
        jobs.add(target.group(1))
    assert jobs == {"backup", "audit_anchor", "verify_audit", "referral_deadlines", "refresh_statistics"}
    commands = get_commands()
    # backup is the sira-job script's own (backup + verify_backup); referral_deadlines may come later.
    assert {"backup", "verify_backup", "audit_anchor", "verify_audit", "refresh_statistics"} <= set(commands)
    script = (DEPLOY / "bin" / "sira-job").read_text()
    assert "manage backup --output" in script and "manage verify_backup" in script


def test_nginx_limits_and_headers_match_the_settings(settings):
    site = (DEPLOY / "nginx" / "sira.conf").read_text()
    limit_mb = int(re.search(r"client_max_body_size (\d+)m;", site).group(1))
    assert limit_mb * 1024 * 1024 > settings.SIRA_UPLOAD_MAX_BYTES  # Sira's own message shows first
    assert limit_mb <= settings.SIRA_UPLOAD_MAX_BYTES / 1_000_000 + 2
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in site  # appended, not replaced
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in site
    upstream = re.search(r"server (127\.0\.0\.1):(\d+)", site)
    example = (DEPLOY / "production.env.example").read_text()
    trusted = re.search(r"^SIRA_TRUSTED_PROXIES=(\S+)", example, re.M).group(1).split(",")
    assert upstream.group(1) in trusted  # nginx's address is the trusted proxy
    assert f"SIRA_BIND={upstream.group(1)}:{upstream.group(2)}" in example
    assert "$request_uri" not in site.split("log_format")[1].split(";")[0]  # no query string in the log
    assert "gzip on;" in site and "ssl_protocols TLSv1.2 TLSv1.3;" in site


@pytest.mark.slow
def test_nginx_accepts_the_shipped_site(tmp_path):
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if not nginx or not shutil.which("openssl"):
        pytest.skip("nginx or openssl not installed")
    smoke = smoke_module()
    smoke.self_signed(tmp_path / "certs")
    (tmp_path / "static").mkdir()
    conf = smoke.render_nginx(tmp_path, tmp_path / "certs")
    result = subprocess.run(
        [nginx, "-e", str(tmp_path / "nginx" / "error.log"), "-t", "-c", str(conf)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def test_no_secret_in_the_repository():
    """The shipped files name secret files, never hold a value."""
    for path in [*DEPLOY.rglob("*"), ROOT / "docs" / "deploy.md"]:
        if path.is_file() and path.suffix != ".pyc":
            text = path.read_text()
            assert not re.search(
                r"^(SIRA_SECRET_KEY|SIRA_FIELD_ENCRYPTION_KEYS|SIRA_BLIND_INDEX_KEY|"
                r"SIRA_BACKUP_KEY)=\S",
                text,
                re.M,
            ), path
            # Placeholders in capitals (APP_PASSWORD) or built by code ({app_pw}) only.
            assert not re.search(r"postgres://\w+:(?![A-Z_]+@|\{)[^@\s]+@", text), path


def test_scripts_are_executable():
    for path in (DEPLOY / "bin").iterdir():
        assert os.access(path, os.X_OK), path
