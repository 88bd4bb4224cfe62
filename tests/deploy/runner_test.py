#!/usr/bin/env python3
"""deploy/maillage and CMakePresets.json agree, and ctest holds every test.

- The build preset `up` builds exactly what `up` runs: the binary of each service of the
  runner's SERVICES, maillage-probe and maillage-seed.
- The runner builds and tests through the presets only (no cmake -S/-B of its own, no cluster of
  its own: the test cluster is made by common/testing, through maillage-test-cluster).
- `ctest` in this build lists the fuzz ctests: fuzz_build (a fixture) and one ctest per target of
  fuzz/CMakeLists.txt, each requiring it.
- .ci/run runs exactly ./deploy/maillage test.

Usage: runner_test.py SOURCE_DIR BUILD_DIR
"""
import json
import os
import re
import subprocess
import sys


def fail(message):
    print(f"FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def main():
    root, build = sys.argv[1], sys.argv[2]
    with open(os.path.join(root, "CMakePresets.json"), encoding="utf-8") as f:
        presets = json.load(f)
    with open(os.path.join(root, "deploy", "maillage"), encoding="utf-8") as f:
        runner = f.read()

    services = re.search(r"^SERVICES=\(([^)]*)\)", runner, re.M)
    if not services:
        fail("deploy/maillage has no SERVICES=(...)")
    wanted = {f"maillage_{s}" for s in services.group(1).split()} | {"maillage-probe",
                                                                       "maillage-seed"}
    up = next((p for p in presets["buildPresets"] if p["name"] == "up"), None)
    if up is None:
        fail("CMakePresets.json has no build preset up")
    if up.get("targets") != ["maillage_up"]:
        fail(f"build preset up builds {up.get('targets')}, not the target maillage_up")
    with open(os.path.join(root, "CMakeLists.txt"), encoding="utf-8") as f:
        deps = re.search(r"add_dependencies\(maillage_up\s([^)]*)\)", f.read())
    built = set(deps.group(1).split()) if deps else set()
    if built != wanted:
        fail(f"maillage_up (build preset up) builds {sorted(built)}, up runs {sorted(wanted)}")
    for name in ("release", "asan", "fuzz"):
        for kind in ("configurePresets", "buildPresets", "testPresets"):
            if not any(p["name"] == name for p in presets[kind]):
                fail(f"CMakePresets.json: no {kind[:-7]} preset {name}")

    for pattern, what in ((r"cmake\s+-S", "a cmake configure of its own (use a preset)"),
                          (r"initdb[^\n]*(-A|--auth=)\s*trust|maillage-test-pg",
                           "a test cluster of its own (common/testing makes it)"),
                          (r"ctest\s+--test-dir", "ctest outside the presets")):
        if re.search(pattern, runner):
            fail(f"deploy/maillage runs {what}")
    for needed in ("cmake --preset", "cmake --build --preset", "ctest --preset",
                   "maillage-test-cluster"):
        if needed not in runner:
            fail(f"deploy/maillage does not use {needed}")

    with open(os.path.join(root, "fuzz", "CMakeLists.txt"), encoding="utf-8") as f:
        targets = re.findall(r"^maillage_fuzz_target\((\w+)", f.read(), re.M)
    if not targets:
        fail("fuzz/CMakeLists.txt declares no fuzz target")
    listed = subprocess.run(["ctest", "--test-dir", build, "-N", "-L", "fuzz"],
                            capture_output=True, text=True, check=True).stdout
    names = set(re.findall(r"Test\s+#\d+: (\S+)", listed))
    for name in ["fuzz_build"] + targets:
        if name not in names:
            fail(f"ctest in {build} does not list {name} (label fuzz)")
    shown = subprocess.run(["ctest", "--test-dir", build, "--show-only=json-v1", "-R",
                            "^(" + "|".join(targets) + ")$"],
                           capture_output=True, text=True, check=True).stdout
    for test in json.loads(shown)["tests"]:
        if test["name"] == "fuzz_build":  # ctest adds the fixture's setup to the selection
            continue
        props = {p["name"]: p["value"] for p in test.get("properties", [])}
        if "maillage_fuzz_tree" not in (props.get("FIXTURES_REQUIRED") or []):
            fail(f"{test['name']} does not require the fixture of fuzz_build")

    with open(os.path.join(root, ".ci", "run"), encoding="utf-8") as f:
        commands = [l for l in f.read().splitlines() if l.strip() and not l.startswith("#")]
    if commands[-1].strip() != "exec ./deploy/maillage test":
        fail(f".ci/run ends with {commands[-1]!r}, not exec ./deploy/maillage test")

    print(f"presets: up builds {len(wanted)} binaries; ctest lists fuzz_build and "
          f"{len(targets)} fuzz targets; .ci/run runs ./deploy/maillage test")


if __name__ == "__main__":
    main()
