"""Smoke test of the production setup on this machine, loopback only (`make smoke-prod`).

Starts a throwaway PostgreSQL cluster (Debian's initdb/pg_ctl) with an owner role and an application
role, gunicorn with deploy/gunicorn.conf.py and nginx with deploy/nginx/sira.conf (rendered into a
temporary folder, self-signed certificate), the environment taken from deploy/production.env.example
with only paths, ports and host names changed. Then, over HTTPS through nginx: logs in (password, then
authenticator enrolment with a TOTP code computed here), registers a case, fetches pages compressed,
runs the backup job, stops and starts all three services, and finds the case again. Prints each step;
exits non-zero at the first failure. Everything is removed at the end (--keep keeps the folder).

Needs: Debian's postgresql (initdb, pg_ctl), nginx (installed with apt-get if missing and run as
root), openssl, and the project's .venv (gunicorn is in requirements.txt)."""

import argparse
import base64
import glob
import gzip
import hashlib
import hmac
import http.cookiejar
import json
import os
import re
import secrets
import shutil
import signal
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
PG_PORT, APP_PORT, HTTPS_PORT, HTTP_PORT = 55432, 58000, 58443, 58080
HOST = "localhost"
BASE = f"https://{HOST}:{HTTPS_PORT}"
# A synthetic person, distinctive enough to search every log for.
FIRST, LAST, PHONE = "Zanfouli", "Kordiabaté", "+22370009911"
STARTED = time.monotonic()


def step(text: str) -> None:
    print(f"[{time.monotonic() - STARTED:6.1f}s] {text}", flush=True)


def fail(text: str) -> None:
    print(f"SMOKE TEST FAILED: {text}", flush=True)
    raise SystemExit(1)


def check(condition, text: str) -> None:
    if not condition:
        fail(text)


def run(args, *, env=None, user=None, quiet=False, **kwargs) -> subprocess.CompletedProcess:
    if user:
        args = ["runuser", "-u", user, "--", *args]
    result = subprocess.run([str(a) for a in args], env=env, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        fail(f"{' '.join(map(str, args))}\n{result.stdout}\n{result.stderr}")
    if not quiet and result.stdout.strip():
        for line in result.stdout.strip().splitlines():
            print(f"    {line}")
    return result


def wait_port(port: int, *, up: bool, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as s:
            s.settimeout(0.5)
            is_up = s.connect_ex(("127.0.0.1", port)) == 0
        if is_up == up:
            return
        time.sleep(0.2)
    fail(f"port {port} still {'closed' if up else 'open'} after {seconds} s")


# ---------------------------------------------------------------------------------------------------
# Tools


def ensure_tools() -> tuple[Path, str | None]:
    if not shutil.which("nginx") and not Path("/usr/sbin/nginx").exists():
        if os.geteuid() != 0:
            fail("nginx is not installed (apt-get install nginx)")
        step("nginx missing: apt-get install -y nginx-light")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        run(["apt-get", "install", "-y", "-qq", "nginx-light"], env=env, quiet=True)
    check(GUNICORN.exists(), f"{GUNICORN} missing: make install (gunicorn is in requirements.txt)")
    bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    check(bins, "PostgreSQL server binaries missing (apt-get install postgresql)")
    # initdb refuses to run as root: the cluster then belongs to Debian's postgres user.
    pg_user = "postgres" if os.geteuid() == 0 else None
    return Path(bins[-1]).parent, pg_user


def nginx_bin() -> str:
    return shutil.which("nginx") or "/usr/sbin/nginx"


# ---------------------------------------------------------------------------------------------------
# PostgreSQL: a throwaway cluster, an owner role and an application role


class Postgres:
    def __init__(self, bindir: Path, tmp: Path, user: str | None):
        self.bindir, self.user = bindir, user
        self.data, self.socket = tmp / "pgdata", tmp / "pgsocket"

    def create(self) -> None:
        self.socket.mkdir()
        if self.user:
            shutil.chown(self.socket, self.user)
            self.data.mkdir()
            shutil.chown(self.data, self.user)
        run(
            [
                self.bindir / "initdb",
                "-D",
                self.data,
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ],
            user=self.user,
            quiet=True,
        )
        hba = self.data / "pg_hba.conf"
        # The superuser by the local socket only; the roles Sira uses by TCP with a password.
        hba.write_text("local all postgres trust\nhost all sira_owner,sira_app 127.0.0.1/32 scram-sha-256\n")

    def start(self) -> None:
        options = f"-c listen_addresses=127.0.0.1 -c port={PG_PORT} -c unix_socket_directories={self.socket}"
        run(
            [self.bindir / "pg_ctl", "-D", self.data, "-o", options, "-l", self.data / "log", "-w", "start"],
            user=self.user,
            quiet=True,
        )

    def stop(self) -> None:
        run([self.bindir / "pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop"], user=self.user, quiet=True)

    def sql(self, statement: str, database: str = "postgres") -> None:
        run(
            [
                self.bindir / "psql",
                "-h",
                self.socket,
                "-p",
                PG_PORT,
                "-U",
                "postgres",
                "-d",
                database,
                "-v",
                "ON_ERROR_STOP=1",
                "-qc",
                statement,
            ],
            user=self.user,
            quiet=True,
        )


# ---------------------------------------------------------------------------------------------------
# Configuration rendered from the shipped files


def production_env(tmp: Path, secrets_dir: Path) -> dict[str, str]:
    """deploy/production.env.example with only what differs on this machine changed."""
    values = {}
    for line in (ROOT / "deploy" / "production.env.example").read_text().splitlines():
        # Read as systemd's EnvironmentFile does: a comment only on its own line; the rest is the value.
        if line.strip() and not line.lstrip().startswith(("#", ";")):
            key, sep, value = line.partition("=")
            check(sep and key == key.strip() and key.isupper(), f"env example: not KEY=VALUE: {line!r}")
            check(value == value.strip() and "#" not in value, f"env example: comment in a value: {line!r}")
            values[key] = value
    values.pop("DATABASE_URL", None)
    local = {
        "DATABASE_URL_FILE": secrets_dir / "app_database_url",
        "SIRA_ALLOWED_HOSTS": HOST,
        "SIRA_CSRF_TRUSTED_ORIGINS": BASE,
        "SIRA_BIND": f"127.0.0.1:{APP_PORT}",
        "SIRA_WORKERS": "2",
        "SIRA_VAR_DIR": tmp / "var",
        "SIRA_STATIC_ROOT": tmp / "static",
        "SIRA_MEDIA_DIR": tmp / "media",
        "SIRA_BACKUP_DIR": tmp / "backups",
    }
    for key in values:
        if key.endswith("_FILE") and key != "DATABASE_URL_FILE":
            local[key] = secrets_dir / Path(values[key]).name
    values |= {k: str(v) for k, v in local.items()}
    check(values.get("SIRA_DEBUG") == "0" and values.get("SIRA_BEHIND_PROXY") == "1", "env example changed")
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "HOME", "TERM")}
    return keep | values


def render_nginx(tmp: Path, certs: Path) -> Path:
    """deploy/nginx/sira.conf with its paths and ports replaced (each must be found: a change to the
    shipped file that this misses fails here), inside a minimal nginx.conf run as this user."""
    site = (ROOT / "deploy" / "nginx" / "sira.conf").read_text()
    replacements = {
        "server 127.0.0.1:8000 ": f"server 127.0.0.1:{APP_PORT} ",
        "listen 80;": f"listen 127.0.0.1:{HTTP_PORT};",
        "listen [::]:80;": "",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{HTTPS_PORT} ssl http2;",
        "listen [::]:443 ssl http2;": "",
        "server_name sira.example.ml;": f"server_name {HOST};",
        "/etc/ssl/sira/": f"{certs}/",
        "/var/lib/sira/static/": f"{tmp}/static/",
        "/var/log/nginx/": f"{tmp}/nginx/",
    }
    for old, new in replacements.items():
        check(old in site, f"deploy/nginx/sira.conf no longer contains {old!r}")
        site = site.replace(old, new)
    (tmp / "nginx").mkdir(exist_ok=True)
    (tmp / "nginx" / "sira.conf").write_text(site)
    main = tmp / "nginx" / "nginx.conf"
    user = "user root;\n" if os.geteuid() == 0 else ""
    main.write_text(
        f"{user}worker_processes 1;\npid {tmp}/nginx/nginx.pid;\nerror_log {tmp}/nginx/error.log warn;\n"
        "events { worker_connections 256; }\n"
        "http {\n  include /etc/nginx/mime.types;\n  default_type application/octet-stream;\n"
        f"  client_body_temp_path {tmp}/nginx/body;\n  proxy_temp_path {tmp}/nginx/proxy;\n"
        f"  fastcgi_temp_path {tmp}/nginx/fcgi;\n  uwsgi_temp_path {tmp}/nginx/uwsgi;\n"
        f"  scgi_temp_path {tmp}/nginx/scgi;\n  include {tmp}/nginx/sira.conf;\n}}\n"
    )
    return main


def self_signed(certs: Path) -> None:
    certs.mkdir()
    run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            f"/CN={HOST}",
            "-addext",
            f"subjectAltName=DNS:{HOST},IP:127.0.0.1",
            "-keyout",
            certs / "privkey.pem",
            "-out",
            certs / "fullchain.pem",
        ],
        quiet=True,
    )


# ---------------------------------------------------------------------------------------------------
# An HTTPS client with cookies that trusts only the self-signed certificate


class Browser:
    def __init__(self, cafile: Path):
        context = ssl.create_default_context(cafile=str(cafile))
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPSHandler(context=context), urllib.request.HTTPCookieProcessor(self.cookies)
        )

    def cookie(self, name: str) -> str:
        return next((c.value for c in self.cookies if c.name == name), "")

    def request(self, path: str, *, data=None, json_body=None, headers=None, method=None):
        headers = {"Referer": f"{BASE}/", "User-Agent": "sira-smoke", **(headers or {})}
        body = None
        if json_body is not None:
            body = json.dumps(json_body).encode()
            headers |= {"Content-Type": "application/json", "X-CSRFToken": self.cookie("csrftoken")}
        elif data is not None:
            body = urllib.parse.urlencode(data, doseq=True).encode()
        req = urllib.request.Request(BASE + path, data=body, headers=headers, method=method)
        try:
            response = self.opener.open(req, timeout=30)
        except urllib.error.HTTPError as exc:
            response = exc
        raw = response.read()
        text = gzip.decompress(raw) if response.headers.get("Content-Encoding") == "gzip" else raw
        return response, text.decode("utf-8", "replace")

    def form_token(self, page: str) -> str:
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        check(found, "no CSRF token in the form")
        return found.group(1)


def totp(key_b32: str, *, at: float | None = None) -> str:
    key = base64.b32decode(key_b32.replace(" ", "") + "=" * (-len(key_b32.replace(" ", "")) % 8))
    counter = int((at or time.time()) // 30)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


# ---------------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    options = parser.parse_args()

    bindir, pg_user = ensure_tools()
    tmp = Path(tempfile.mkdtemp(prefix="sira-smoke-"))
    tmp.chmod(0o755)  # nginx's and PostgreSQL's users read their own parts
    step(
        f"folder {tmp}; PostgreSQL {bindir.parent.name} at 127.0.0.1:{PG_PORT}, gunicorn {APP_PORT}, "
        f"nginx https {HTTPS_PORT} / http {HTTP_PORT}"
    )
    processes: dict[str, subprocess.Popen] = {}
    pg = Postgres(bindir, tmp, pg_user)
    nginx_conf = None
    try:
        # 1. Secrets, as files only their owner reads
        secrets_dir = tmp / "secrets"
        secrets_dir.mkdir(mode=0o700)
        from_venv = run(
            [
                PYTHON,
                "-c",
                "from cryptography.fernet import Fernet as F; "
                "print(F.generate_key().decode()); print(F.generate_key().decode())",
            ],
            quiet=True,
        )
        field_key, backup_key = from_venv.stdout.split()
        owner_pw, app_pw = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
        files = {
            "sira_secret_key": secrets.token_urlsafe(50),
            "sira_field_keys": field_key,
            "sira_blind_index_key": secrets.token_hex(32),
            "sira_backup_key": backup_key,
            "app_database_url": f"postgres://sira_app:{app_pw}@127.0.0.1:{PG_PORT}/sira",
            "owner_database_url": f"postgres://sira_owner:{owner_pw}@127.0.0.1:{PG_PORT}/sira",
        }
        for name, value in files.items():
            path = secrets_dir / name
            path.write_text(value + "\n")
            path.chmod(0o600)
        step("1. secrets written as files (mode 600), none in the environment or the repository")

        # 2. PostgreSQL
        pg.create()
        pg.start()
        pg.sql(f"CREATE ROLE sira_owner LOGIN PASSWORD '{owner_pw}'")
        pg.sql(f"CREATE ROLE sira_app LOGIN PASSWORD '{app_pw}'")
        pg.sql("CREATE DATABASE sira OWNER sira_owner")
        pg.sql("REVOKE ALL ON DATABASE sira FROM PUBLIC; GRANT CONNECT ON DATABASE sira TO sira_app")
        pg.sql("REVOKE CREATE ON SCHEMA public FROM PUBLIC; ALTER SCHEMA public OWNER TO sira_owner", "sira")
        step("2. PostgreSQL cluster started; database sira owned by sira_owner; sira_app may only connect")

        # 3. Migrations and grants as the owner; static files
        env = production_env(tmp, secrets_dir)
        owner_env = {**env, "DATABASE_URL": files["owner_database_url"]}
        owner_env.pop("DATABASE_URL_FILE")
        run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], env=owner_env, cwd=ROOT)
        run(
            [PYTHON, "manage.py", "audit_grants", "--app-role", "sira_app", "--apply"],
            env=owner_env,
            cwd=ROOT,
            quiet=True,
        )
        run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], env=env, cwd=ROOT)
        step("3. migrate and audit_grants as sira_owner; collectstatic")

        # 4. check --deploy under these settings
        result = run(
            [PYTHON, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
            env=env,
            cwd=ROOT,
            quiet=True,
        )
        step(f"4. check --deploy: {(result.stdout + result.stderr).strip()}")

        # 5. A user to log in with (no authenticator yet: enrolment at first login, as in production)
        password = "smoke-" + secrets.token_urlsafe(12)
        run(
            [
                PYTHON,
                "manage.py",
                "shell",
                "-c",
                "from sira.accounts.models import Organisation, User\n"
                "org = Organisation.objects.create(name='ONG Smoke', acronym='SMK', org_type='NGO',\n"
                "    region_id='ML09')\n"
                f"User.objects.create_user('smoke.manager', password='{password}', organisation=org, "
                "role='case_manager')",
            ],
            env=env,
            cwd=ROOT,
        )
        step("5. organisation and case manager created, as the application role sira_app")

        # 6. gunicorn and nginx
        certs = tmp / "certs"
        self_signed(certs)
        nginx_conf = render_nginx(tmp, certs)
        run([nginx_bin(), "-e", tmp / "nginx" / "error.log", "-t", "-c", nginx_conf], quiet=True)

        def start_services() -> None:
            log = (tmp / "gunicorn.log").open("a")
            processes["gunicorn"] = subprocess.Popen(
                [str(GUNICORN), "--config", str(ROOT / "deploy" / "gunicorn.conf.py"), "sira.wsgi"],
                env=env,
                cwd=ROOT,
                stdout=log,
                stderr=log,
            )
            wait_port(APP_PORT, up=True)
            run([nginx_bin(), "-e", tmp / "nginx" / "error.log", "-c", nginx_conf], quiet=True)
            wait_port(HTTPS_PORT, up=True)

        def stop_services() -> None:
            run([nginx_bin(), "-e", tmp / "nginx" / "error.log", "-c", nginx_conf, "-s", "quit"], quiet=True)
            gunicorn = processes.pop("gunicorn")
            gunicorn.send_signal(signal.SIGTERM)
            gunicorn.wait(timeout=40)
            pg.stop()
            for port in (HTTPS_PORT, APP_PORT, PG_PORT):
                wait_port(port, up=False)

        start_services()
        step("6. gunicorn (deploy/gunicorn.conf.py) and nginx (deploy/nginx/sira.conf, self-signed) started")

        browser = Browser(certs / "fullchain.pem")
        response, body = browser.request("/healthz")
        check(response.status == 200 and json.loads(body) == {"status": "ok"}, f"/healthz: {body}")
        plain = urllib.request.build_opener(NoRedirect).open
        try:
            redirect = plain(f"http://127.0.0.1:{HTTP_PORT}/cases/", timeout=10)
        except urllib.error.HTTPError as exc:
            redirect = exc
        check(
            redirect.status == 301 and redirect.headers["Location"].startswith("https://"),
            "no HTTPS redirect",
        )
        step(f"7. /healthz over HTTPS: {body}; http:// answers 301 to {redirect.headers['Location']}")

        # 8. Log in: password, then authenticator enrolment
        _r, page = browser.request("/accounts/login/")
        response, page = browser.request(
            "/accounts/login/",
            data={
                "csrfmiddlewaretoken": browser.form_token(page),
                "username": "smoke.manager",
                "password": password,
            },
        )
        check("/accounts/two-factor/setup/" in response.url, f"after the password: {response.url}")
        key = re.search(r'data-testid="manual-key">([^<]+)<', page)
        check(key, "no authenticator key on the enrolment page")
        response, page = browser.request(
            "/accounts/two-factor/setup/",
            data={"csrfmiddlewaretoken": browser.form_token(page), "code": totp(key.group(1))},
        )
        check(response.status == 200 and browser.cookie("sessionid"), "enrolment refused")
        response, page = browser.request("/accounts/dashboard/")
        check(response.status == 200 and "/accounts/dashboard/" in response.url, f"dashboard: {response.url}")
        step("8. logged in over HTTPS: password, authenticator enrolled with a TOTP code, dashboard shown")
        headers = response.headers
        for name in (
            "Strict-Transport-Security",
            "Content-Security-Policy",
            "X-Frame-Options",
            "Referrer-Policy",
            "X-Content-Type-Options",
        ):
            check(headers.get(name), f"header {name} missing")
        check(
            all(c.secure for c in browser.cookies if c.name in ("sessionid", "csrftoken")),
            "cookie not Secure",
        )
        print(
            f"    HSTS: {headers['Strict-Transport-Security']}; "
            f"X-Frame-Options: {headers['X-Frame-Options']}; Referrer-Policy: {headers['Referrer-Policy']}"
        )
        print(f"    CSP: {headers['Content-Security-Policy']}")

        # 9. Register a case (API, with the two-factor session and its CSRF token)
        today = time.strftime("%Y-%m-%d")
        response, body = browser.request(
            "/api/v1/cases/",
            json_body={
                "identification_date": today,
                "identification_context": "Outreach",
                "identification_region": "ML09",
                "person": {
                    "first_name": FIRST,
                    "last_name": LAST,
                    "gender": "Feminine",
                    "estimated_age": 15,
                    "phone": PHONE,
                    "citizenships": ["ML"],
                },
                "exploitations": [{"form": "DomesticServitude"}],
                "route": [{"kind": "Origin", "country": "ML", "region": "ML04"}],
                "consents": [{"purpose": "Registration", "given": True}],
            },
        )
        check(response.status == 201, f"registration answered {response.status}: {body[:500]}")
        case = json.loads(body)
        case_id, number = case["id"], case["case_number"]
        step(f"9. case registered through nginx → gunicorn → PostgreSQL: {number} (id {case_id})")

        # 10. Compressed pages and static files
        response, page = browser.request(f"/cases/{case_id}/", headers={"Accept-Encoding": "gzip"})
        check(response.headers.get("Content-Encoding") == "gzip", "case page not compressed")
        check(number in page and LAST in page, "case page without the case")
        size = response.headers.get("Content-Length") or "?"
        response, _css = browser.request("/static/css/sira.css", headers={"Accept-Encoding": "gzip"})
        static_gzip = response.headers.get("Content-Encoding")
        step(
            f"10. case page: Content-Encoding gzip ({size} bytes compressed, {len(page.encode())} bytes of "
            f"HTML); static CSS from nginx: {response.status}, Content-Encoding {static_gzip}"
        )
        check(response.status == 200 and static_gzip == "gzip", "static file not served compressed by nginx")

        # 11. The backup job and the status command, as the timers run them
        run(
            [ROOT / "deploy" / "bin" / "sira-job", "backup"],
            env={**env, "SIRA_PYTHON": str(PYTHON)},
            cwd=ROOT,
        )
        result = subprocess.run(
            [str(PYTHON), "manage.py", "status"], env=env, cwd=ROOT, capture_output=True, text=True
        )
        for line in (result.stdout + result.stderr).strip().splitlines():
            print(f"    {line}")
        check(result.returncode == 0, "status reports a problem")
        step("11. sira-job backup (backup + verify_backup) and manage.py status: all well")

        # 12. Stop and start everything
        stop_services()
        step("12. nginx, gunicorn and PostgreSQL stopped (ports closed)")
        pg.start()
        start_services()
        step("13. PostgreSQL, gunicorn and nginx started again")

        # 14. Find the case again: same session (stored in the database), search by number, the page
        response, body = browser.request("/api/v1/cases/search/", json_body={"q": number})
        check(response.status == 200, f"search answered {response.status}: {body[:300]}")
        found = json.loads(body)["results"]
        check([c["case_number"] for c in found] == [number], f"search found {found}")
        response, page = browser.request(f"/cases/{case_id}/", headers={"Accept-Encoding": "gzip"})
        check(response.status == 200 and f"{FIRST} {LAST}" in page, "case page after the restart")
        step(
            f"14. after the restart: the session still works, search by number finds {number}, its page "
            f"shows the person"
        )

        # 15. Logs: JSON lines, and no identity anywhere
        lines = [
            json.loads(line)
            for line in (tmp / "gunicorn.log").read_text().splitlines()
            if line.startswith("{")
        ]
        requests_logged = [line for line in lines if line.get("logger") == "sira.request"]
        check(requests_logged, "no request line in gunicorn's log")
        everything = (tmp / "gunicorn.log").read_text() + (tmp / "nginx" / "sira.access.log").read_text()
        for secret in (FIRST, LAST, PHONE, password):
            check(secret.lower() not in everything.lower(), f"{secret!r} found in a log")
        print(f"    e.g. {json.dumps(requests_logged[-1], ensure_ascii=False)}")
        step(
            f"15. {len(requests_logged)} JSON request lines; no name, phone or password in the "
            f"application's or nginx's logs"
        )
        stop_services()
        step(f"SMOKE TEST PASSED in {time.monotonic() - STARTED:.0f} s")
    finally:
        if "gunicorn" in processes:
            processes["gunicorn"].terminate()
            processes["gunicorn"].wait(timeout=40)
        if nginx_conf and (tmp / "nginx" / "nginx.pid").exists():
            subprocess.run(
                [nginx_bin(), "-e", str(tmp / "nginx" / "error.log"), "-c", str(nginx_conf), "-s", "stop"],
                capture_output=True,
            )
        if (pg.data / "postmaster.pid").exists():
            subprocess.run(
                [
                    *(["runuser", "-u", pg_user, "--"] if pg_user else []),
                    str(bindir / "pg_ctl"),
                    "-D",
                    str(pg.data),
                    "-m",
                    "immediate",
                    "stop",
                ],
                capture_output=True,
            )
        if options.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


if __name__ == "__main__":
    sys.exit(main())
