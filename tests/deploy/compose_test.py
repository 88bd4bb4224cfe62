#!/usr/bin/python3
"""Checks that docker-compose.yml, the local runner and the binaries agree.

Usage: compose_test.py REPOSITORY_ROOT   (run by ctest as deploy_compose)

What a binary reads comes from its sources: every `<env>.Required|Secret|String|Int|Port|Bool|
Duration|OneOf("MAILLAGE_...")` call in services/<service>/ and common/ (tests and
common/testing excluded). Variables read with Required or Secret, and the addresses of other services
(*_ADDR, whose defaults point at localhost), must be set for that service both in
docker-compose.yml and in `deploy/maillage env <service>`; the others are defaulted by design.
Both files must set the same variables with matching ports, none that the binary does not read.
Compose must carry no secret inline, publish ports for the gateway only, probe each binary's
health, run every container as a non-root user on a read-only root filesystem with every
capability dropped and no-new-privileges, name sslmode in every database URL, and
`docker-compose config -q` must accept it (when docker-compose is installed).
`deploy/maillage compose-secrets`, run on a temporary state folder, must write every secret file
mode 600 (as root: owned by the user of each container that mounts it), and deploy/maillage must
never put a secret on a command line.

Prints one line per problem and exits 1 when there is any.
"""
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
from urllib.parse import urlsplit

import yaml

SERVICES = ("directory", "meetings", "budget", "gateway")
ENV_READ = re.compile(
    r'(?:\.|->)\s*(Required|Secret|String|Int|Port|Bool|Duration|OneOf)\s*\(\s*"(MAILLAGE_[A-Z0-9_]+)"')
# Set in compose for the image's entrypoint (it becomes PGPASSWORD), read by no binary.
COMPOSE_ONLY = {"MAILLAGE_DATABASE_PASSWORD"}
SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN|(^|_)KEY($|_)")
RANDOM_LOOKING = re.compile(r"[A-Za-z0-9+/=_-]{24,}")

failures = []


def fail(message):
    failures.append(message)
    print("FAIL: " + message)


def source_files(folder):
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = [d for d in dirnames if d != "testing"]
        for name in filenames:
            if name.endswith((".cc", ".h")) and not name.endswith("_test.cc"):
                yield os.path.join(dirpath, name)


def without_comments(code):
    """C++ source with // and /* */ comments blanked out (string literals kept intact)."""
    out, i, n = [], 0, len(code)
    while i < n:
        if code.startswith("//", i):
            i = code.find("\n", i)
            i = n if i < 0 else i
        elif code.startswith("/*", i):
            end = code.find("*/", i + 2)
            i = n if end < 0 else end + 2
            out.append(" ")
        elif code.startswith('R"', i) and not (i and (code[i - 1].isalnum() or code[i - 1] == "_")):
            open_paren = code.find("(", i)
            delimiter = code[i + 2:open_paren]
            close = code.find(")" + delimiter + '"', open_paren)
            end = n if open_paren < 0 or close < 0 else close + len(delimiter) + 2
            out.append(code[i:end])
            i = end
        elif code[i] == '"' or (code[i] == "'" and not (i and code[i - 1].isalnum())):
            quote, j = code[i], i + 1
            while j < n and code[j] != quote and code[j] != "\n":
                j += 2 if code[j] == "\\" else 1
            out.append(code[i:j + 1])
            i = j + 1
        else:
            out.append(code[i])
            i += 1
    return "".join(out)


def variables_read(root, service):
    """{name: set of Env methods} read by the binary of `service`."""
    reads = {}
    for folder in (os.path.join(root, "services", service), os.path.join(root, "common")):
        for path in source_files(folder):
            with open(path, encoding="utf-8", errors="replace") as f:
                for method, name in ENV_READ.findall(without_comments(f.read())):
                    reads.setdefault(name, set()).add(method)
    return reads


def runner_env(root, service):
    """The environment deploy/maillage starts `service` with, from `deploy/maillage env`."""
    clean = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"}
    out = subprocess.run(["bash", os.path.join(root, "deploy", "maillage"), "env", service],
                         env=clean, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        fail(f"deploy/maillage env {service} exited {out.returncode}: {out.stderr.strip()}")
        return {}
    return dict(line.split("=", 1) for line in out.stdout.splitlines() if "=" in line)


def compose_env(service_def):
    env = service_def.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, None) for item in env)
    return {k: ("" if v is None else str(v)) for k, v in env.items()}


def is_secret_file(name, value):
    """The image's entrypoint turns MAILLAGE_X_FILE=/run/secrets/... into MAILLAGE_X."""
    return name.endswith("_FILE") and value.startswith("/run/secrets/")


def normalized(env):
    """Names as the binary sees them, after the entrypoint."""
    return {(k[:-len("_FILE")] if is_secret_file(k, v) else k) for k, v in env.items()}


def port_of(address):
    return address.rsplit(":", 1)[-1]


def check_service(root, compose, name, runner):
    service_def = compose["services"].get(name)
    if service_def is None:
        fail(f"docker-compose.yml has no service '{name}'")
        return
    binary = f"maillage-{name}"
    if service_def.get("command") != [binary]:
        fail(f"{name}: command must be [\"{binary}\"], is {service_def.get('command')!r}")
    env = compose_env(service_def)
    names = normalized(env)
    reads = variables_read(root, name)
    required = {v for v, methods in reads.items() if "Required" in methods or "Secret" in methods}
    if "MAILLAGE_DATABASE_URL" not in required:
        fail(f"{name}: no env.Required(\"MAILLAGE_DATABASE_URL\") found in services/{name}/ or "
             "common/: the binary is not written yet, or reads its configuration another way "
             "(update ENV_READ in this test)")
    must_set = required | {v for v in reads if v.endswith("_ADDR")}
    for var in sorted(must_set):
        if var not in names:
            fail(f"{name}: {var} is read by {binary} but not set in docker-compose.yml")
        if var not in runner:
            fail(f"{name}: {var} is read by {binary} but not set by deploy/maillage")
    if reads:
        for var in sorted((names - COMPOSE_ONLY) - set(reads)):
            fail(f"{name}: docker-compose.yml sets {var}, which {binary} does not read")
        for var in sorted(set(runner) - set(reads)):
            fail(f"{name}: deploy/maillage sets {var}, which {binary} does not read")
    for var in sorted((names - COMPOSE_ONLY) ^ set(runner)):
        where = "docker-compose.yml" if var in names else "deploy/maillage"
        fail(f"{name}: {var} is set only in {where}: both must set the same variables")

    for var in sorted(set(env) & set(runner)):
        compose_value, runner_value = env[var], runner[var]
        if var.endswith("_PORT") and compose_value != runner_value:
            fail(f"{name}: {var} is {compose_value} in compose, {runner_value} in deploy/maillage")
        if var.endswith("_ADDR"):
            target = var[len("MAILLAGE_"):-len("_ADDR")].lower()
            if compose_value != f"{target}:{port_of(runner_value)}":
                fail(f"{name}: {var}={compose_value} in compose; expected "
                     f"{target}:{port_of(runner_value)} (deploy/maillage: {runner_value})")
            dependency = (service_def.get("depends_on") or {}).get(target) or {}
            if dependency.get("condition") != "service_healthy":
                fail(f"{name}: calls {target} but lacks depends_on {target}: "
                     "condition: service_healthy")
        if var == "MAILLAGE_LOG_LEVEL" and compose_value != runner_value:
            fail(f"{name}: MAILLAGE_LOG_LEVEL differs ({compose_value} vs {runner_value})")

    check_database(compose, name, service_def, env, runner)
    check_health_and_ports(name, service_def, env)


def attached(service_def):
    """{file name under /run/secrets/: secret} of the secrets a service mounts."""
    out = {}
    for item in service_def.get("secrets") or []:
        if isinstance(item, dict):
            out[item.get("target") or item.get("source")] = item.get("source")
        else:
            out[item] = item
    return out


def check_database(compose, name, service_def, env, runner):
    url = env.get("MAILLAGE_DATABASE_URL")
    if not url:
        return
    role = f"ess_{name}"
    parts = urlsplit(url)
    if parts.password:
        fail(f"{name}: MAILLAGE_DATABASE_URL carries a password inline")
    if parts.username != role or parts.path != f"/{role}" or parts.hostname != "postgres":
        fail(f"{name}: MAILLAGE_DATABASE_URL={url}: expected postgresql://{role}@postgres:5432/{role}")
    local = urlsplit(runner.get("MAILLAGE_DATABASE_URL", ""))
    if local.username != role or local.path != f"/{role}":
        fail(f"{name}: deploy/maillage's MAILLAGE_DATABASE_URL is not role/database {role}")
    secret = f"{role}_password"
    if env.get("MAILLAGE_DATABASE_PASSWORD_FILE") != f"/run/secrets/{secret}":
        fail(f"{name}: MAILLAGE_DATABASE_PASSWORD_FILE must be /run/secrets/{secret}")
    if secret not in attached(service_def):
        fail(f"{name}: secret {secret} is not attached to the service")
    postgres_env = compose_env(compose["services"].get("postgres", {}))
    if postgres_env.get(f"{role.upper()}_PASSWORD_FILE") != f"/run/secrets/{secret}":
        fail(f"postgres: {role.upper()}_PASSWORD_FILE=/run/secrets/{secret} missing "
             "(deploy/postgres/init.sh creates the role with it)")
    if secret not in attached(compose["services"].get("postgres", {})):
        fail(f"postgres: secret {secret} is not attached")
    for where, value in (("docker-compose.yml", url), ("deploy/maillage",
                                                     runner.get("MAILLAGE_DATABASE_URL", ""))):
        if not re.search(r"[?&]sslmode=(disable|allow|prefer|require|verify-ca|verify-full)(&|$)",
                         value):
            fail(f"{name}: MAILLAGE_DATABASE_URL in {where} must set sslmode explicitly")
    if not depends_on_healthy(compose, name, "postgres"):
        fail(f"{name}: does not wait for postgres (depends_on ... condition: service_healthy)")


def depends_on_healthy(compose, name, target, seen=None):
    seen = seen or set()
    for dependency, how in ((compose["services"].get(name) or {}).get("depends_on") or {}).items():
        if (how or {}).get("condition") != "service_healthy" or dependency in seen:
            continue
        seen.add(dependency)
        if dependency == target or depends_on_healthy(compose, dependency, target, seen):
            return True
    return False


def check_health_and_ports(name, service_def, env):
    test = (service_def.get("healthcheck") or {}).get("test")
    if name == "gateway":
        grpc = env.get("MAILLAGE_GRPC_PORT", "")
        if test != ["CMD", "maillage-probe", f"127.0.0.1:{grpc}"]:
            fail(f"gateway: healthcheck must run maillage-probe on its gRPC port {grpc}: {test!r}")
        published = sorted(str(p) for p in service_def.get("ports") or [])
        expected = sorted([f"{env.get(v)}:{env.get(v)}" for v in
                           ("MAILLAGE_HTTP_PORT", "MAILLAGE_GRPC_PORT")] +
                          [f"127.0.0.1:{env.get('MAILLAGE_ADMIN_PORT')}:"
                           f"{env.get('MAILLAGE_ADMIN_PORT')}"])
        if published != expected:
            fail(f"gateway: published ports {published}, expected {expected}")
    else:
        expected = ["CMD", "maillage-probe", f"127.0.0.1:{env.get('MAILLAGE_GRPC_PORT')}"]
        if test != expected:
            fail(f"{name}: healthcheck must be {expected}, is {test!r}")
        if service_def.get("ports"):
            fail(f"{name}: publishes ports; only the gateway may")


def check_no_inline_secret(compose, root):
    for service, service_def in compose["services"].items():
        for var, value in compose_env(service_def).items():
            if var.endswith("_FILE") and SECRET_NAME.search(var):
                if not value.startswith("/run/secrets/"):
                    fail(f"{service}: {var}={value}: secrets come from /run/secrets/")
                continue
            if SECRET_NAME.search(var) and value:
                fail(f"{service}: {var} has an inline value; use {var}_FILE and a secret")
            if urlsplit(value).password if "://" in value else False:
                fail(f"{service}: {var} carries a password inline")
            if RANDOM_LOOKING.search(value) and "://" not in value and not value.startswith("/"):
                fail(f"{service}: {var}={value} looks like an inline key or password")
    defined = set(compose.get("secrets") or {})
    for service, service_def in compose["services"].items():
        for used in service_def.get("secrets") or []:
            used = used.get("source") if isinstance(used, dict) else used
            if used not in defined:
                fail(f"{service}: uses secret {used}, which the top-level secrets: do not define")
    with open(os.path.join(root, ".gitignore"), encoding="utf-8") as f:
        ignored = {line.strip() for line in f}
    for secret, definition in (compose.get("secrets") or {}).items():
        path = (definition or {}).get("file", "")
        if not path.startswith("./.maillage/") or "/.maillage/" not in ignored:
            fail(f"secret {secret}: must be a file under ./.maillage/ (git-ignored), is {path!r}")
        if set(definition) - {"file"}:
            fail(f"secret {secret}: only `file:` sources are allowed, got {sorted(definition)}")


def check_topology(compose):
    volumes = list((compose.get("volumes") or {}).keys())
    if len(volumes) != 1:
        fail(f"expected one named volume (PostgreSQL data), found {volumes}")
    postgres = compose["services"].get("postgres")
    if postgres is None:
        fail("docker-compose.yml has no service 'postgres'")
        return
    mounts = [str(v) for v in postgres.get("volumes") or []]
    if volumes and not any(m.startswith(f"{volumes[0]}:/var/lib/postgresql/data") for m in mounts):
        fail(f"postgres: the named volume {volumes} must hold /var/lib/postgresql/data")
    if not any(m.startswith("./deploy/postgres/init.sh:/docker-entrypoint-initdb.d/")
               for m in mounts):
        fail("postgres: deploy/postgres/init.sh must be mounted in /docker-entrypoint-initdb.d/")
    if not (postgres.get("healthcheck") or {}).get("test"):
        fail("postgres: no healthcheck")
    extra = set(compose["services"]) - set(SERVICES) - {"postgres", "seed"}
    if extra:
        fail(f"unexpected compose services {sorted(extra)}")


def check_dockerfile(root):
    """The image builds every source folder of the build, with the runner's packages."""
    with open(os.path.join(root, "deploy", "Dockerfile"), encoding="utf-8") as f:
        dockerfile = f.read()
    with open(os.path.join(root, "deploy", "maillage"), encoding="utf-8") as f:
        runner = f.read()
    with open(os.path.join(root, "CMakeLists.txt"), encoding="utf-8") as f:
        subdirs = re.findall(r"add_subdirectory\(\s*([\w/]+)", f.read())
    with open(os.path.join(root, "deploy", "Dockerfile.dockerignore"), encoding="utf-8") as f:
        context = f.read()
    copied = re.findall(r"^COPY\s+(?!--)(\S+)\s+\S+\s*$", dockerfile, re.M)
    allowed = re.findall(r"^!(\S+?)/?\s*$", context, re.M)
    for subdir in subdirs:
        if subdir.split("/")[0] in ("tests", "bench"):
            continue
        if not any(subdir == c or subdir.startswith(c + "/") for c in copied):
            fail(f"deploy/Dockerfile does not COPY {subdir}/ (a folder of CMakeLists.txt)")
        if not any(subdir == a or subdir.startswith(a + "/") for a in allowed):
            fail(f"deploy/Dockerfile.dockerignore does not let {subdir}/ into the context")
    packages = re.search(r"^PACKAGES=\((.*?)^\)", runner, re.M | re.S)
    runner_packages = set(packages.group(1).split()) if packages else set()
    build_stage = dockerfile.split("FROM debian:bookworm-slim")[0]
    install = re.search(r"apt-get install -y --no-install-recommends(.*?)&&", build_stage, re.S)
    for package in sorted(set(install.group(1).replace("\\", " ").split()) if install else ()):
        if package not in runner_packages:
            fail(f"deploy/Dockerfile installs {package}, which deploy/maillage does not")
    runtime = dockerfile.split("FROM debian:bookworm-slim")[-1]
    user = re.findall(r"^USER\s+(\S+)", runtime, re.M)
    if not user or user[-1].split(":")[0] in ("root", "0"):
        fail("deploy/Dockerfile: the runtime stage must run as a non-root USER")
    if re.search(r"^(ENV|ARG)\s+\S*(PASSWORD|SECRET|KEY)", dockerfile, re.M):
        fail("deploy/Dockerfile: a secret in ENV/ARG ends up in the image")


def maillage_uid(root):
    with open(os.path.join(root, "deploy", "Dockerfile"), encoding="utf-8") as f:
        runtime = f.read().split("FROM debian:bookworm-slim")[-1]
    user = re.findall(r"^USER\s+(\d+)", runtime, re.M)
    return int(user[-1]) if user else None


def service_uid(root, service_def):
    """The uid a container runs as: its `user:`, else the maillage image's USER."""
    user = service_def.get("user")
    if user is not None:
        first = str(user).split(":")[0]
        return int(first) if first.isdigit() else None
    return maillage_uid(root) if service_def.get("image") == "maillage:local" else None


def check_hardening(root, compose):
    for name, service_def in compose["services"].items():
        if service_def.get("read_only") is not True:
            fail(f"{name}: read_only: true missing (a read-only root filesystem, tmpfs to write)")
        if [str(c).upper() for c in service_def.get("cap_drop") or []] != ["ALL"]:
            fail(f"{name}: cap_drop: [ALL] missing")
        if service_def.get("cap_add"):
            fail(f"{name}: cap_add gives capabilities back: {service_def.get('cap_add')}")
        if "no-new-privileges:true" not in (service_def.get("security_opt") or []):
            fail(f"{name}: security_opt: [no-new-privileges:true] missing")
        uid = service_uid(root, service_def)
        if uid is None or uid == 0:
            fail(f"{name}: must run as a known non-root uid (user: or the image's USER), is {uid}")
        if not service_def.get("mem_limit") or not service_def.get("cpus"):
            fail(f"{name}: mem_limit and cpus (resource limits) missing")


def check_secret_files(root, compose):
    """compose-secrets writes private files, each owned by the container user that reads it."""
    with tempfile.TemporaryDirectory() as state:
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8",
               "MAILLAGE_STATE_DIR": state}
        out = subprocess.run(["bash", os.path.join(root, "deploy", "maillage"), "compose-secrets"],
                             env=env, capture_output=True, text=True, check=False)
        if out.returncode != 0:
            fail(f"deploy/maillage compose-secrets exited {out.returncode}: {out.stderr.strip()}")
            return
        folder = os.path.join(state, "compose-secrets")
        if stat.S_IMODE(os.stat(folder).st_mode) != 0o700:
            fail(f"compose-secrets folder is mode {oct(stat.S_IMODE(os.stat(folder).st_mode))}, "
                 "expected 0o700")
        local = os.path.join(state, "secrets.env")
        if stat.S_IMODE(os.stat(local).st_mode) != 0o600:
            fail(f"secrets.env is mode {oct(stat.S_IMODE(os.stat(local).st_mode))}, expected 0o600")
        readers = {}
        for name, service_def in compose["services"].items():
            for source in attached(service_def).values():
                readers.setdefault(source, set()).add(service_uid(root, service_def))
        for secret, definition in (compose.get("secrets") or {}).items():
            path = os.path.join(folder, os.path.basename((definition or {}).get("file", "")))
            if not os.path.isfile(path):
                fail(f"secret {secret}: compose-secrets did not write {os.path.basename(path)}")
                continue
            info = os.stat(path)
            if stat.S_IMODE(info.st_mode) != 0o600:
                fail(f"secret {secret}: mode {oct(stat.S_IMODE(info.st_mode))}, expected 0o600")
            uids = readers.get(secret, set())
            if len(uids) > 1:
                fail(f"secret {secret}: mounted by containers of different users {sorted(uids, key=str)}: "
                     "a mode-600 file can have one reader only (give each user its copy)")
            if os.geteuid() == 0 and len(uids) == 1 and info.st_uid not in uids:
                fail(f"secret {secret}: owned by uid {info.st_uid}, read by uid {next(iter(uids))}")


# A command line that carries a secret: `env NAME=value` (ps shows every argument), a password
# option, or a database URL (it holds the password) given as an argument.
ARGV_SECRET = re.compile(
    r"(^|[;&|(]\s*|\s)(env|setsid|sudo|nohup)\s+(-i\s+)?[^#]*(\$\(secret|\$\{?vars|\$\{?envs|"
    r"PASSWORD=|SECRET=|db_url)"
    r"|--password[= ]|--secret[= ]|\s'?\$\(db_url")


def check_runner_argv(root):
    with open(os.path.join(root, "deploy", "maillage"), encoding="utf-8") as f:
        lines = f.read().splitlines()
    for number, line in enumerate(lines, 1):
        code = line.split(" #")[0]
        if code.lstrip().startswith("#"):
            continue
        if ARGV_SECRET.search(code):
            fail(f"deploy/maillage:{number}: a secret on a command line (use the environment of "
                 f"a subshell): {line.strip()}")


def check_compose_config(root):
    tool = shutil.which("docker-compose")
    if tool is None:
        print("note: docker-compose is not installed: `docker-compose config` skipped")
        return
    out = subprocess.run([tool, "-f", os.path.join(root, "docker-compose.yml"), "config", "-q"],
                         capture_output=True, text=True, check=False, cwd=root)
    if out.returncode != 0:
        fail(f"docker-compose config -q rejected the file: {out.stderr.strip()}")


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: compose_test.py REPOSITORY_ROOT")
    root = os.path.abspath(sys.argv[1])
    with open(os.path.join(root, "docker-compose.yml"), encoding="utf-8") as f:
        compose = yaml.safe_load(f)
    if not isinstance(compose, dict) or not isinstance(compose.get("services"), dict):
        fail("docker-compose.yml has no services")
    else:
        for name in SERVICES:
            check_service(root, compose, name, runner_env(root, name))
        check_no_inline_secret(compose, root)
        check_topology(compose)
        check_hardening(root, compose)
        check_secret_files(root, compose)
    check_runner_argv(root)
    check_dockerfile(root)
    check_compose_config(root)
    if failures:
        print(f"{len(failures)} problem(s) between docker-compose.yml, deploy/ and the binaries")
        sys.exit(1)
    print("docker-compose.yml, deploy/maillage and the binaries agree")


if __name__ == "__main__":
    main()
