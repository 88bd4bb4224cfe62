#!/usr/bin/python3
"""Checks that the Kubernetes manifests (deploy/k8s/) agree with the binaries and compose.

Usage: k8s_test.py REPOSITORY_ROOT   (run by ctest as deploy_k8s)

Every YAML file under deploy/k8s/ is parsed (multi-document). For each binary (directory,
meetings, budget, gateway) there must be a Deployment with 2 replicas, a Service selecting its
pods (headless for the three services, which clients reach as
dns:///<service>.<namespace>.svc.cluster.local:<port>), a PodDisruptionBudget with minAvailable 1,
and a migrations Job. Deployments and Jobs must:
  - set every variable the binary reads with Required (and every *_ADDR), only variables it
    reads, the same names as docker-compose.yml, the same ports as compose and as the defaults
    in the binary's sources, MAILLAGE_DATABASE_URL without a password and
    MAILLAGE_DATABASE_PASSWORD_FILE=/run/secrets/ess_<service>_password mounted from a Secret;
  - probe the binary where it answers: native gRPC probes on MAILLAGE_GRPC_PORT, readiness on
    the server's health (follows the database), liveness and start-up on the health of service
    "liveness" (the process runs: a database outage must not restart pods); the gateway:
    /healthz liveness on MAILLAGE_ADMIN_PORT and readiness on its own gRPC health, not /readyz
    (which requires every backend);
  - run as uid 10001, non-root, read-only root filesystem, no privilege escalation, ALL
    capabilities dropped, with resource requests and limits and an emptyDir on /tmp.
No Secret may carry values except in secrets.example.yaml, which no kustomization lists; every
Secret the manifests reference is in that example, and deploy/README.md's first installation
creates each of them (and says nothing is "not implemented yet"). NetworkPolicies must deny by default and let
only the gateway (and meetings, for directory and budget) reach the services' gRPC ports. Each
kustomization.yaml lists every manifest of its folder. When kubectl is installed,
`kubectl kustomize` must render both kustomizations.

Then the same checks run on altered copies (a required variable removed, an inline Secret, one
replica, ...) and must fail there: the test proves it can fail.

Prints one line per problem and exits 1 when there is any.
"""
import copy
import functools
import os
import re
import shutil
import subprocess
import sys
import tempfile
from urllib.parse import urlsplit

import yaml

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import compose_test  # noqa: E402  (shares how the sources are read)

SERVICES = ("directory", "meetings", "budget", "gateway")
UID = 10001
# Who may call whom over gRPC (the gateway calls everyone; meetings calls directory and budget).
CALLERS = {"directory": {"gateway", "meetings"}, "meetings": {"gateway"},
           "budget": {"gateway", "meetings"}}
EXAMPLE = "secrets.example.yaml"
PORT_DEFAULT = re.compile(r'(?:\.|->)\s*(?:Port|Int)\s*\(\s*"(MAILLAGE_[A-Z_]*PORT)"\s*,\s*(\d+)')
SERVICE_DEFAULTS = re.compile(
    r'ReadServiceEnvironment\s*\(\s*\w+\s*,\s*"(\w+)"\s*,\s*(\d+)\s*,\s*(\d+)\s*\)')


class Checker:
    """Collects problems instead of stopping at the first one."""

    def __init__(self, verbose):
        self.problems = []
        self.verbose = verbose

    def fail(self, message):
        self.problems.append(message)
        if self.verbose:
            print("FAIL: " + message)


def load_manifests(k8s_dir, check):
    """{relative path: [documents]} of every *.yaml under k8s_dir."""
    manifests = {}
    for dirpath, _, filenames in os.walk(k8s_dir):
        for name in sorted(filenames):
            if not name.endswith((".yaml", ".yml")):
                continue
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, k8s_dir)
            try:
                with open(path, encoding="utf-8") as f:
                    manifests[rel] = [d for d in yaml.safe_load_all(f) if d is not None]
            except yaml.YAMLError as e:
                check.fail(f"{rel}: not valid YAML: {e}")
    return manifests


@functools.lru_cache(maxsize=None)
def variables_read(root, service):
    """compose_test.variables_read, once per binary (the sources do not change during a run)."""
    return compose_test.variables_read(root, service)


@functools.lru_cache(maxsize=None)
def binary_defaults(root, service):
    """{MAILLAGE_*_PORT: default} from the binary's sources."""
    defaults = {}
    for path in compose_test.source_files(os.path.join(root, "services", service)):
        with open(path, encoding="utf-8", errors="replace") as f:
            code = compose_test.without_comments(f.read())
        for name, grpc, metrics in SERVICE_DEFAULTS.findall(code):
            if name == service:
                defaults["MAILLAGE_GRPC_PORT"] = grpc
                defaults["MAILLAGE_METRICS_PORT"] = metrics
        for var, value in PORT_DEFAULT.findall(code):
            defaults[var] = value
    return defaults


def env_of(container, check, where):
    """{name: value} of a container; valueFrom is refused except secretKeyRef (never used)."""
    env = {}
    for item in container.get("env") or []:
        if "valueFrom" in item:
            check.fail(f"{where}: {item.get('name')} uses valueFrom: set values, and secrets "
                       "as *_FILE under /run/secrets/")
            continue
        env[item["name"]] = str(item.get("value", ""))
    if container.get("envFrom"):
        check.fail(f"{where}: envFrom hides which variables are set")
    return env


def pod_spec(obj):
    return ((obj.get("spec") or {}).get("template") or {}).get("spec") or {}


def pod_labels(obj):
    return (((obj.get("spec") or {}).get("template") or {}).get("metadata") or {}).get(
        "labels") or {}


def selects(selector, labels, empty_selects_all=False):
    """Whether a label selector (matchLabels form, or a Service's plain map) picks `labels`. An
    absent selector picks nothing; an empty one picks everything only where Kubernetes says so
    (NetworkPolicy pod selectors)."""
    if selector is None:
        return False
    if "matchExpressions" in selector:
        return False  # not used by our manifests; refuse rather than guess
    match = selector.get("matchLabels", {}) if "matchLabels" in selector else selector
    if not match:
        return empty_selects_all
    return all(labels.get(k) == v for k, v in match.items())


def check_security(spec, where, check):
    pod = spec.get("securityContext") or {}
    if pod.get("runAsNonRoot") is not True or pod.get("runAsUser") != UID:
        check.fail(f"{where}: pod securityContext must have runAsNonRoot: true, runAsUser: {UID}")
    if spec.get("hostNetwork") or spec.get("hostPID") or spec.get("hostIPC"):
        check.fail(f"{where}: must not share the host's network, PIDs or IPC")
    containers = (spec.get("containers") or []) + (spec.get("initContainers") or [])
    if not containers:
        check.fail(f"{where}: no container")
    for c in containers:
        name = f"{where}/{c.get('name')}"
        sc = c.get("securityContext") or {}
        if sc.get("runAsUser", pod.get("runAsUser")) != UID or sc.get("runAsNonRoot") is False:
            check.fail(f"{name}: must run as uid {UID}, non-root")
        if sc.get("allowPrivilegeEscalation") is not False:
            check.fail(f"{name}: allowPrivilegeEscalation must be false")
        if sc.get("readOnlyRootFilesystem") is not True:
            check.fail(f"{name}: readOnlyRootFilesystem must be true")
        if sc.get("privileged"):
            check.fail(f"{name}: must not be privileged")
        caps = sc.get("capabilities") or {}
        if caps.get("drop") != ["ALL"] or caps.get("add"):
            check.fail(f"{name}: capabilities must drop [ALL] and add none")
        resources = c.get("resources") or {}
        for kind in ("requests", "limits"):
            if set((resources.get(kind) or {})) < {"cpu", "memory"}:
                check.fail(f"{name}: resources.{kind} must set cpu and memory")
        if c.get("command"):
            check.fail(f"{name}: sets command, which replaces the image's entrypoint (it turns "
                       "secret files into variables): use args")
        volumes = {v.get("name"): v for v in spec.get("volumes") or []}
        tmp = [m for m in c.get("volumeMounts") or [] if m.get("mountPath") == "/tmp"]
        if not tmp or "emptyDir" not in volumes.get(tmp[0].get("name"), {}):
            check.fail(f"{name}: /tmp must be an emptyDir (the root filesystem is read-only)")


def volume_secrets(volume):
    """[(secret name, items)] of a volume: a `secret` volume, or the secret sources of a
    `projected` one."""
    if "secret" in volume:
        return [(volume["secret"].get("secretName"), volume["secret"].get("items") or [])]
    sources = (volume.get("projected") or {}).get("sources") or []
    return [(source["secret"].get("name"), source["secret"].get("items") or [])
            for source in sources if "secret" in source]


def secret_files(spec, container):
    """{file path: secret name} of the Secret volumes the container mounts."""
    volumes = {v.get("name"): v for v in spec.get("volumes") or []}
    files = {}
    for mount in container.get("volumeMounts") or []:
        volume = volumes.get(mount.get("name")) or {}
        base = mount["mountPath"].rstrip("/")
        sub = mount.get("subPath")
        for secret_name, items in volume_secrets(volume):
            for item in items:
                if sub is None:
                    files[f"{base}/{item['path']}"] = secret_name
                elif sub == item["path"]:
                    files[base] = secret_name
    return files


def check_environment(root, name, env, spec, container, compose_envs, namespace, ports_of, where,
                      check):
    reads = variables_read(root, name)
    names = compose_test.normalized(env)
    required = {v for v, methods in reads.items() if "Required" in methods or "Secret" in methods}
    if "MAILLAGE_DATABASE_URL" not in required:
        check.fail(f"{where}: no env.Required(\"MAILLAGE_DATABASE_URL\") in the sources of "
                   f"maillage-{name}: update ENV_READ in compose_test.py")
    for var in sorted(required | {v for v in reads if v.endswith("_ADDR")}):
        if var not in names:
            check.fail(f"{where}: {var} is read by maillage-{name} but not set")
    for var in sorted((names - compose_test.COMPOSE_ONLY) - set(reads)):
        check.fail(f"{where}: sets {var}, which maillage-{name} does not read")
    compose_env = compose_envs.get(name)
    if compose_env is not None and set(env) != set(compose_env):
        check.fail(f"{where}: sets {sorted(env)}, docker-compose.yml sets {sorted(compose_env)}: "
                   "both must set the same variables")
    defaults = binary_defaults(root, name)
    for var, value in sorted(env.items()):
        if var.endswith("_PORT"):
            if compose_env is not None and compose_env.get(var) != value:
                check.fail(f"{where}: {var}={value}, docker-compose.yml: {compose_env.get(var)}")
            if var in defaults and defaults[var] != value:
                check.fail(f"{where}: {var}={value}, the binary's default is {defaults[var]}")
        if var.endswith("_ADDR"):
            target = var[len("MAILLAGE_"):-len("_ADDR")].lower()
            expected = (f"dns:///{target}.{namespace}.svc.cluster.local:"
                        f"{ports_of.get(target, '?')}")
            if value != expected:
                check.fail(f"{where}: {var}={value}, expected {expected} (the headless Service "
                           f"of {target}, round robin over its pods)")
        if var == "MAILLAGE_LOG_LEVEL" and value not in ("debug", "info", "warn", "error"):
            check.fail(f"{where}: MAILLAGE_LOG_LEVEL={value} is not debug, info, warn or error")
    role = f"ess_{name}"
    url = urlsplit(env.get("MAILLAGE_DATABASE_URL", ""))
    if url.password:
        check.fail(f"{where}: MAILLAGE_DATABASE_URL carries a password inline")
    if url.username != role or url.path != f"/{role}":
        check.fail(f"{where}: MAILLAGE_DATABASE_URL must name role and database {role}")
    password_file = f"/run/secrets/{role}_password"
    if env.get("MAILLAGE_DATABASE_PASSWORD_FILE") != password_file:
        check.fail(f"{where}: MAILLAGE_DATABASE_PASSWORD_FILE must be {password_file} "
                   "(deploy/entrypoint.sh reads only files under /run/secrets/)")
    elif password_file not in secret_files(spec, container):
        check.fail(f"{where}: no Secret volume provides {password_file}")


def check_probes(name, container, env, where, check):
    ports = {p.get("containerPort") for p in container.get("ports") or []}
    grpc = int(env.get("MAILLAGE_GRPC_PORT", "0"))
    probes = {p: container.get(p) or {} for p in ("startupProbe", "livenessProbe",
                                                   "readinessProbe")}
    if name == "gateway":
        admin = int(env.get("MAILLAGE_ADMIN_PORT", "0"))
        get = probes["livenessProbe"].get("httpGet") or {}
        if get.get("path") != "/healthz" or get.get("port") != admin:
            check.fail(f"{where}: livenessProbe must be httpGet /healthz on the admin port {admin}")
        # Readiness: the gateway's own health, not /readyz (every backend).
        ready = probes["readinessProbe"]
        if (ready.get("httpGet") or {}).get("path") == "/readyz":
            check.fail(f"{where}: readinessProbe must not be /readyz: it requires every backend, "
                       "so one backend down would take the whole API out of the Service")
        elif (ready.get("grpc") or {}).get("port") != grpc or (ready.get("grpc") or {}).get(
                "service"):
            check.fail(f"{where}: readinessProbe must be the gateway's own gRPC health on {grpc}")
        expected = {int(env.get(v, "0")) for v in
                    ("MAILLAGE_HTTP_PORT", "MAILLAGE_GRPC_PORT", "MAILLAGE_ADMIN_PORT")}
    else:
        for probe in ("livenessProbe", "readinessProbe"):
            if (probes[probe].get("grpc") or {}).get("port") != grpc:
                check.fail(f"{where}: {probe} must be a native grpc probe on port {grpc}")
        # Readiness follows the database (health ""); liveness and start-up must not, or a long
        # database outage restarts every pod (health "liveness": SERVING while the process runs).
        if (probes["readinessProbe"].get("grpc") or {}).get("service"):
            check.fail(f"{where}: readinessProbe must ask the server's health (service \"\")")
        for probe in ("livenessProbe", "startupProbe"):
            if probe == "startupProbe" and not container.get(probe):
                continue
            if (probes[probe].get("grpc") or {}).get("service") != "liveness":
                check.fail(f"{where}: {probe} must ask the gRPC health of service \"liveness\" "
                           "(the database must not decide a restart)")
        startup = container.get("startupProbe")
        if startup and (startup.get("grpc") or {}).get("port") != grpc:
            check.fail(f"{where}: startupProbe must be a grpc probe on port {grpc}")
        expected = {grpc, int(env.get("MAILLAGE_METRICS_PORT", "0"))}
    if ports != expected:
        check.fail(f"{where}: containerPorts {sorted(ports)}, expected {sorted(expected)}")


def check_workloads(root, objects, compose_envs, namespace, check):
    deployments = {o["metadata"]["name"]: o for o in objects if o.get("kind") == "Deployment"}
    jobs = [o for o in objects if o.get("kind") == "Job"]
    ports_of = {}
    for name in SERVICES:
        dep = deployments.get(name)
        if dep is None:
            continue
        for c in pod_spec(dep).get("containers") or []:
            for e in c.get("env") or []:
                if e.get("name") == "MAILLAGE_GRPC_PORT":
                    ports_of[name] = str(e.get("value"))
    for name in SERVICES:
        dep = deployments.get(name)
        if dep is None:
            check.fail(f"no Deployment '{name}'")
            continue
        where = f"Deployment {name}"
        if dep["spec"].get("replicas") != 2:
            check.fail(f"{where}: replicas must be 2, is {dep['spec'].get('replicas')}")
        if not selects(dep["spec"].get("selector"), pod_labels(dep)):
            check.fail(f"{where}: its selector does not match its pod labels")
        spec = pod_spec(dep)
        check_security(spec, where, check)
        containers = spec.get("containers") or []
        if len(containers) != 1:
            check.fail(f"{where}: expected one container, found {len(containers)}")
            continue
        container = containers[0]
        if container.get("args") != [f"maillage-{name}"]:
            check.fail(f"{where}: args must be [\"maillage-{name}\"], is {container.get('args')}")
        env = env_of(container, check, where)
        check_environment(root, name, env, spec, container, compose_envs, namespace, ports_of,
                          where, check)
        check_probes(name, container, env, where, check)
        check_service_object(name, dep, env, objects, check)
        pdbs = [o for o in objects if o.get("kind") == "PodDisruptionBudget"
                and selects((o.get("spec") or {}).get("selector"), pod_labels(dep))]
        if len(pdbs) != 1 or pdbs[0]["spec"].get("minAvailable") != 1:
            check.fail(f"{where}: needs exactly one PodDisruptionBudget with minAvailable: 1")

        job = [j for j in jobs if any(c.get("args") and f"maillage-{name}" in c["args"]
                                      for c in pod_spec(j).get("containers") or [])]
        if len(job) != 1:
            check.fail(f"{where}: needs exactly one migrations Job running maillage-{name}")
            continue
        job_where = f"Job {job[0]['metadata']['name']}"
        check_security(pod_spec(job[0]), job_where, check)
        job_container = pod_spec(job[0])["containers"][0]
        job_env = env_of(job_container, check, job_where)
        if job_env != env:
            check.fail(f"{job_where}: environment differs from Deployment {name}'s")
        check_environment(root, name, job_env, pod_spec(job[0]), job_container, compose_envs,
                          namespace, ports_of, job_where, check)
        if selects(dep["spec"].get("selector"), pod_labels(job[0])):
            check.fail(f"{job_where}: its pods match Deployment {name}'s selector")
        if pod_spec(job[0]).get("restartPolicy") not in ("Never", "OnFailure"):
            check.fail(f"{job_where}: restartPolicy must be Never or OnFailure")
    for extra in sorted(set(deployments) - set(SERVICES)):
        check.fail(f"unexpected Deployment '{extra}'")


def check_service_object(name, dep, env, objects, check):
    services = [o for o in objects if o.get("kind") == "Service"
                and selects((o.get("spec") or {}).get("selector"), pod_labels(dep))]
    if len(services) != 1:
        check.fail(f"Deployment {name}: needs exactly one Service selecting its pods, "
                   f"found {len(services)}")
        return
    svc = services[0]
    where = f"Service {svc['metadata']['name']}"
    if svc["metadata"]["name"] != name:
        check.fail(f"{where}: must be named {name} (the DNS name clients use)")
    headless = svc["spec"].get("clusterIP") == "None"
    if name == "gateway":
        if headless:
            check.fail(f"{where}: the gateway needs a normal (not headless) Service")
        wanted = {int(env.get("MAILLAGE_HTTP_PORT", 0)), int(env.get("MAILLAGE_GRPC_PORT", 0))}
    else:
        if not headless:
            check.fail(f"{where}: must be headless (clusterIP: None) so that clients see every "
                       "pod's address and balance over them")
        wanted = {int(env.get("MAILLAGE_GRPC_PORT", 0))}
    container = pod_spec(dep)["containers"][0]
    named = {p.get("name"): p.get("containerPort") for p in container.get("ports") or []}
    exposed = set()
    for port in svc["spec"].get("ports") or []:
        target = port.get("targetPort", port.get("port"))
        target = named.get(target, target)
        if target != port.get("port"):
            check.fail(f"{where}: port {port.get('port')} targets {target}: keep them equal")
        exposed.add(port.get("port"))
    if not wanted <= exposed:
        check.fail(f"{where}: exposes {sorted(exposed)}, must include {sorted(wanted)}")


def check_network_policies(objects, check):
    policies = [o for o in objects if o.get("kind") == "NetworkPolicy"]
    if not policies:
        check.fail("no NetworkPolicy")
        return
    deny = [p for p in policies if p["spec"].get("podSelector") == {}
            and "Ingress" in (p["spec"].get("policyTypes") or []) and not p["spec"].get("ingress")]
    if not deny:
        check.fail("no default-deny ingress NetworkPolicy (podSelector: {}, no ingress rule)")
    deployments = {o["metadata"]["name"]: o for o in objects if o.get("kind") == "Deployment"}
    app_labels = {n: pod_labels(d) for n, d in deployments.items()}
    for name, callers in CALLERS.items():
        dep = deployments.get(name)
        if dep is None:
            continue
        env = {e["name"]: str(e.get("value")) for e in
               (pod_spec(dep).get("containers") or [{}])[0].get("env") or []}
        grpc = int(env.get("MAILLAGE_GRPC_PORT", 0))
        metrics = int(env.get("MAILLAGE_METRICS_PORT", 0))
        allowed, metrics_open = set(), False
        for p in policies:
            if not selects(p["spec"].get("podSelector"), app_labels[name], True):
                continue
            for rule in p["spec"].get("ingress") or []:
                ports = {port.get("port") for port in rule.get("ports") or []}
                if not rule.get("ports"):
                    ports = {grpc, metrics}  # every port
                peers = rule.get("from")
                if metrics in ports and peers:
                    metrics_open = True
                if grpc not in ports:
                    continue
                if not peers:
                    allowed.add("<anyone>")
                for peer in peers or []:
                    if "ipBlock" in peer or "namespaceSelector" in peer:
                        allowed.add("<outside the namespace>")
                        continue
                    who = [a for a, labels in app_labels.items()
                           if selects(peer.get("podSelector") or {}, labels, True)]
                    allowed.update(who or ["<pods that are no maillage binary>"])
        if allowed != callers:
            check.fail(f"NetworkPolicy: {name}'s gRPC port {grpc} is open to {sorted(allowed)}; "
                       f"expected exactly {sorted(callers)}")
        if not metrics_open:
            check.fail(f"NetworkPolicy: {name}'s metrics port {metrics} is not open to Prometheus")


SECRET_NAME = compose_test.SECRET_NAME
RANDOM_LOOKING = compose_test.RANDOM_LOOKING


def check_secrets(manifests, check):
    example = manifests.get(EXAMPLE)
    if example is None:
        check.fail(f"deploy/k8s/{EXAMPLE} is missing")
        example = []
    example_names = set()
    for doc in example:
        if doc.get("kind") != "Secret":
            check.fail(f"{EXAMPLE}: holds a {doc.get('kind')}: only example Secrets")
            continue
        example_names.add(doc["metadata"]["name"])
        values = list((doc.get("stringData") or {}).values()) + list(
            (doc.get("data") or {}).values())
        if not values or not all("CHANGE-ME" in str(v) for v in values):
            check.fail(f"{EXAMPLE}: Secret {doc['metadata']['name']}: values must be "
                       "CHANGE-ME placeholders")
    referenced = set()
    for rel, docs in manifests.items():
        if rel == EXAMPLE:
            continue
        for doc in docs:
            kind, name = doc.get("kind"), (doc.get("metadata") or {}).get("name")
            if kind == "Secret":
                check.fail(f"{rel}: Secret {name} is defined inline: reference Secrets by name "
                           f"(the example belongs in {EXAMPLE})")
            if kind == "ConfigMap":
                for key, value in (doc.get("data") or {}).items():
                    if SECRET_NAME.search(key.upper()) or RANDOM_LOOKING.search(str(value)):
                        check.fail(f"{rel}: ConfigMap {name}: {key} looks like a secret")
            spec = pod_spec(doc)
            for volume in spec.get("volumes") or []:
                for secret_name, _ in volume_secrets(volume):
                    referenced.add(secret_name)
            for c in spec.get("containers") or []:
                for item in c.get("env") or []:
                    var, value = item.get("name", ""), str(item.get("value", ""))
                    ref = ((item.get("valueFrom") or {}).get("secretKeyRef") or {}).get("name")
                    if ref:
                        referenced.add(ref)
                    if var.endswith("_FILE"):
                        continue
                    if SECRET_NAME.search(var) and value:
                        check.fail(f"{rel}: {name}: {var} has an inline value")
                    if "://" in value and urlsplit(value).password:
                        check.fail(f"{rel}: {name}: {var} carries a password inline")
                    if RANDOM_LOOKING.search(value) and "://" not in value:
                        check.fail(f"{rel}: {name}: {var}={value} looks like an inline secret")
    for missing in sorted(referenced - example_names):
        check.fail(f"Secret {missing} is referenced but not described in {EXAMPLE}")
    return referenced


# Said of a feature in deploy/README.md, each once true and no longer.
STALE_PHRASES = ("not implemented yet", "to come)", "not read by the binaries yet",
                 "will come as")


def check_readme(root, referenced, check):
    """deploy/README.md's first installation creates every Secret the manifests reference."""
    with open(os.path.join(root, "deploy", "README.md"), encoding="utf-8") as f:
        readme = f.read()
    block = re.search(r"\*\*First installation\*\*.*?```sh\n(.*?)```", readme, re.S)
    if block is None:
        check.fail("deploy/README.md: no **First installation** shell block")
        return
    steps = block.group(1)
    created = set()
    loops = dict(re.findall(r"for (\w+) in ([^;]+);", steps))
    for name in re.findall(r"create secret generic (\S+)", steps):
        variable = re.search(r"\$\{?(\w+)\}?", name)
        if variable and variable.group(1) in loops:
            for word in loops[variable.group(1)].split():
                created.add(re.sub(r"\$\{?" + variable.group(1) + r"\}?", word, name))
        else:
            created.add(name)
    for missing in sorted(referenced - created):
        check.fail(f"deploy/README.md: the first installation does not create Secret {missing}, "
                   "which the manifests mount")
    lower = readme.lower()
    for phrase in STALE_PHRASES:
        if phrase in lower:
            check.fail(f"deploy/README.md says \"{phrase}\": check it is still true")


def check_kustomizations(k8s_dir, manifests, check):
    folders = {os.path.dirname(rel) for rel in manifests}
    for folder in sorted(folders):
        rel = os.path.join(folder, "kustomization.yaml")
        docs = manifests.get(rel)
        if not docs:
            check.fail(f"deploy/k8s/{folder or '.'}: no kustomization.yaml")
            continue
        kustomization = docs[0]
        resources = set(kustomization.get("resources") or [])
        present = {os.path.basename(r) for r in manifests if os.path.dirname(r) == folder}
        present -= {"kustomization.yaml"}
        if EXAMPLE in resources:
            check.fail(f"{rel}: lists {EXAMPLE}: the example Secrets must never be applied")
        for missing in sorted(present - resources - {EXAMPLE}):
            check.fail(f"{rel}: does not list {missing}")
        for extra in sorted(r for r in resources - present if not r.endswith("/")):
            if not os.path.isdir(os.path.join(k8s_dir, folder, extra)):
                check.fail(f"{rel}: lists {extra}, which does not exist")
        if kustomization.get("namespace") != "maillage":
            check.fail(f"{rel}: namespace must be maillage")
        for generator in kustomization.get("configMapGenerator") or []:
            for f in generator.get("files") or []:
                if not os.path.isfile(os.path.join(k8s_dir, folder, f.split("=")[-1])):
                    check.fail(f"{rel}: configMapGenerator file {f} does not exist")


def check_liveness_name(root, check):
    """The liveness probes ask for health service "liveness": the servers must answer it."""
    header = os.path.join(root, "common", "server", "server.h")
    with open(header, encoding="utf-8") as f:
        if 'kLivenessService[] = "liveness"' not in f.read():
            check.fail("common/server/server.h no longer defines the health service \"liveness\" "
                       "that the liveness probes ask for")


def check_migrate_script(root, k8s_dir, check):
    """The gateway's Job waits for "gateway":"SERVING" in /readyz: the gateway must say it."""
    script = os.path.join(k8s_dir, "migrate", "migrate.sh")
    if not os.path.isfile(script):
        check.fail("deploy/k8s/migrate/migrate.sh is missing")
        return
    with open(script, encoding="utf-8") as f:
        text = f.read()
    admin = os.path.join(root, "services", "gateway", "http", "admin_server.cc")
    if os.path.isfile(admin):
        with open(admin, encoding="utf-8") as f:
            source = f.read()
        if '\\"gateway\\":' not in source or '\\"SERVING\\"' not in source:
            check.fail("services/gateway/http/admin_server.cc no longer writes "
                       "\"gateway\":\"SERVING\" in /readyz, which deploy/k8s/migrate/migrate.sh "
                       "waits for")
    if '\\"gateway\\":\\"SERVING\\"' not in text:
        check.fail("deploy/k8s/migrate/migrate.sh does not wait for \"gateway\":\"SERVING\"")


FAKE_SERVICE = """#!/bin/bash
# Stands in for a service binary: "migrates" for 1 s, then is SERVING until SIGTERM.
trap 'echo stopped >"$MARKS/stopped"; exit 0' TERM
[[ $FAKE_MODE == crash ]] && exit 3
sleep 1
echo up >"$MARKS/serving"
while :; do sleep 0.1; done
"""
FAKE_PROBE = """#!/bin/bash
[[ -f $MARKS/serving && $* == *127.0.0.1:$MAILLAGE_GRPC_PORT* ]] && echo SERVING && exit 0
echo NOT_SERVING; exit 1
"""
FAKE_GATEWAY = """#!/usr/bin/python3
# Stands in for the gateway: /readyz answers 503 (backends unreachable) with the gateway SERVING.
import http.server, os, signal, sys
class Admin(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b'{"ready":false,"gateway":"SERVING","backends":{"directory":"UNREACHABLE: x"}}'
        self.send_response(503 if self.path == "/readyz" else 200)
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
def stop(*_):
    open(os.path.join(os.environ["MARKS"], "stopped"), "w").write("stopped")
    os._exit(0)
signal.signal(signal.SIGTERM, stop)
http.server.HTTPServer(("127.0.0.1", int(os.environ["MAILLAGE_ADMIN_PORT"])), Admin).serve_forever()
"""


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def check_migrate_script_runs(k8s_dir, check):
    """migrate.sh, with stand-ins for the binaries: exits 0 once the binary reports its start-up
    done and after stopping it; exits 1 when the binary exits first."""
    script = os.path.join(k8s_dir, "migrate", "migrate.sh")
    cases = [("maillage-directory", "ok", 0), ("maillage-directory", "crash", 1),
             ("maillage-gateway", "ok", 0)]
    for binary, mode, expected in cases:
        with tempfile.TemporaryDirectory() as tmp:
            bin_dir, marks = os.path.join(tmp, "bin"), os.path.join(tmp, "marks")
            os.makedirs(bin_dir)
            os.makedirs(marks)
            fakes = {"maillage-probe": FAKE_PROBE,
                     binary: FAKE_GATEWAY if binary == "maillage-gateway" else FAKE_SERVICE}
            for name, text in fakes.items():
                path = os.path.join(bin_dir, name)
                with open(path, "w", encoding="utf-8") as f:
                    f.write(text)
                os.chmod(path, 0o755)
            env = {"PATH": bin_dir + ":/usr/bin:/bin", "MARKS": marks, "FAKE_MODE": mode,
                   "MAILLAGE_GRPC_PORT": str(free_port()),
                   "MAILLAGE_ADMIN_PORT": str(free_port()), "MAILLAGE_MIGRATE_TIMEOUT": "30"}
            out = subprocess.run(["bash", script, binary], env=env, capture_output=True,
                                 text=True, timeout=60, check=False)
            stopped = os.path.exists(os.path.join(marks, "stopped"))
            if out.returncode != expected or (expected == 0 and not stopped):
                check.fail(f"migrate.sh {binary} ({mode}): exit {out.returncode}, expected "
                           f"{expected}; binary stopped: {stopped}; stderr: {out.stderr.strip()}")


def run_checks(root, k8s_dir, compose_envs, verbose):
    check = Checker(verbose)
    manifests = load_manifests(k8s_dir, check)
    objects = []
    for rel, docs in manifests.items():
        for doc in docs:
            named = (doc.get("metadata") or {}).get("name") if isinstance(doc, dict) else None
            if not isinstance(doc, dict) or not doc.get("kind") or \
                    (not named and doc.get("kind") != "Kustomization"):
                check.fail(f"{rel}: a document without kind or metadata.name")
                continue
            if rel != EXAMPLE and doc.get("kind") != "Kustomization":
                objects.append(doc)
    namespaces = [o["metadata"]["name"] for o in objects if o.get("kind") == "Namespace"]
    if namespaces != ["maillage"]:
        check.fail(f"expected one Namespace maillage, found {namespaces}")
    for o in objects:
        if o.get("kind") != "Namespace" and o["metadata"].get("namespace") != "maillage":
            check.fail(f"{o['kind']} {o['metadata']['name']}: metadata.namespace must be maillage")
    check_workloads(root, objects, compose_envs, "maillage", check)
    check_network_policies(objects, check)
    referenced = check_secrets(manifests, check)
    check_readme(root, referenced, check)
    check_kustomizations(k8s_dir, manifests, check)
    check_migrate_script(root, k8s_dir, check)
    check_liveness_name(root, check)
    return check.problems


def check_kubectl(k8s_dir, check):
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        print("note: kubectl is not installed: `kubectl kustomize` skipped")
        return
    for folder in (k8s_dir, os.path.join(k8s_dir, "migrate")):
        out = subprocess.run([kubectl, "kustomize", folder], capture_output=True, text=True,
                             check=False)
        if out.returncode != 0:
            check.fail(f"kubectl kustomize {folder}: {out.stderr.strip()}")
        elif "CHANGE-ME" in out.stdout or "kind: Secret" in out.stdout:
            check.fail(f"kubectl kustomize {folder}: renders a Secret")


# Alterations that a sound check must catch: (description, file, change, expected words).
def drop_env(var, kind="Deployment", name="directory"):
    def change(docs):
        for d in docs:
            if d.get("kind") == kind and d["metadata"]["name"] == name:
                c = pod_spec(d)["containers"][0]
                c["env"] = [e for e in c["env"] if e["name"] != var]
    return change


def set_path(kind, name, path, value):
    def change(docs):
        for d in docs:
            if d.get("kind") == kind and d["metadata"]["name"] == name:
                target = d
                for key in path[:-1]:
                    target = target[key] if not isinstance(target, list) else target[int(key)]
                target[path[-1]] = value
    return change


def add_doc(doc):
    return lambda docs: docs.append(doc)


MUTATIONS = [
    ("MAILLAGE_DATABASE_URL removed from directory", "directory.yaml",
     drop_env("MAILLAGE_DATABASE_URL"), "MAILLAGE_DATABASE_URL is read by maillage-directory"),
    ("MAILLAGE_DIRECTORY_ADDR removed from meetings' Job", "migrate/jobs.yaml",
     drop_env("MAILLAGE_DIRECTORY_ADDR", "Job", "migrate-meetings"), "MAILLAGE_DIRECTORY_ADDR"),
    ("one replica of budget", "budget.yaml",
     set_path("Deployment", "budget", ["spec", "replicas"], 1), "replicas must be 2"),
    ("an inline Secret", "gateway.yaml",
     add_doc({"apiVersion": "v1", "kind": "Secret",
              "metadata": {"name": "maillage-db-gateway", "namespace": "maillage"},
              "stringData": {"password": "hunter2"}}), "defined inline"),
    ("a wrong gRPC probe port", "meetings.yaml",
     set_path("Deployment", "meetings",
              ["spec", "template", "spec", "containers", "0", "readinessProbe", "grpc", "port"],
              9999), "readinessProbe must be a native grpc probe"),
    ("directory liveness following the database", "directory.yaml",
     set_path("Deployment", "directory",
              ["spec", "template", "spec", "containers", "0", "livenessProbe", "grpc"],
              {"port": 9101}), "livenessProbe must ask the gRPC health of service"),
    ("gateway readiness on /readyz", "gateway.yaml",
     set_path("Deployment", "gateway",
              ["spec", "template", "spec", "containers", "0", "readinessProbe"],
              {"httpGet": {"path": "/readyz", "port": 8081}}), "must not be /readyz"),
    ("root filesystem writable", "gateway.yaml",
     set_path("Deployment", "gateway", ["spec", "template", "spec", "containers", "0",
                                        "securityContext", "readOnlyRootFilesystem"], False),
     "readOnlyRootFilesystem"),
    ("a password inside MAILLAGE_DATABASE_URL", "budget.yaml",
     set_path("Deployment", "budget", ["spec", "template", "spec", "containers", "0", "env", "0",
                                       "value"],
              "postgresql://ess_budget:s3cret@postgres:5432/ess_budget"), "password inline"),
    ("the example Secrets listed for kustomize", "kustomization.yaml",
     lambda docs: docs[0]["resources"].append(EXAMPLE), "must never be applied"),
    ("directory gRPC open to everyone", "network-policy.yaml",
     set_path("NetworkPolicy", "directory", ["spec", "ingress", "0", "from"], []),
     "<anyone>"),
]


def check_mutations(root, k8s_dir, compose_envs):
    """Each alteration, applied to a copy of deploy/k8s, must be reported."""
    problems = []
    for description, rel, change, expected in MUTATIONS:
        with tempfile.TemporaryDirectory() as tmp:
            copy_dir = os.path.join(tmp, "k8s")
            shutil.copytree(k8s_dir, copy_dir)
            path = os.path.join(copy_dir, rel)
            with open(path, encoding="utf-8") as f:
                docs = [d for d in yaml.safe_load_all(f) if d is not None]
            docs = copy.deepcopy(docs)
            change(docs)
            with open(path, "w", encoding="utf-8") as f:
                yaml.safe_dump_all(docs, f, sort_keys=False)
            found = run_checks(root, copy_dir, compose_envs, verbose=False)
            if not any(expected in p for p in found):
                problems.append(f"self-check: with {description} in a copy, no problem mentions "
                                f"'{expected}' (found: {found})")
            else:
                print(f"self-check: {description}: caught")
    return problems


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: k8s_test.py REPOSITORY_ROOT")
    root = os.path.abspath(sys.argv[1])
    k8s_dir = os.path.join(root, "deploy", "k8s")
    with open(os.path.join(root, "docker-compose.yml"), encoding="utf-8") as f:
        compose = yaml.safe_load(f)
    compose_envs = {name: compose_test.compose_env(compose["services"][name])
                    for name in SERVICES if name in (compose.get("services") or {})}
    problems = run_checks(root, k8s_dir, compose_envs, verbose=True)
    check = Checker(verbose=True)
    check_kubectl(k8s_dir, check)
    check_migrate_script_runs(k8s_dir, check)
    problems += check.problems
    if not problems:
        for p in check_mutations(root, k8s_dir, compose_envs):
            print("FAIL: " + p)
            problems.append(p)
    if problems:
        print(f"{len(problems)} problem(s) between deploy/k8s/, docker-compose.yml and the "
              "binaries")
        sys.exit(1)
    print("deploy/k8s/, docker-compose.yml and the binaries agree")


if __name__ == "__main__":
    main()
