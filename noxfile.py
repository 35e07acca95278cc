# SPDX-License-Identifier: GPL-3.0-or-later
"""The ansible-core lanes: one nox session per ansible-core, through antsibull-nox.

    nox -s ansible-test-2.16 -- units [ansible-test units arguments]
    nox -s ansible-test-2.16 -- sanity [--test compile ...]
    nox -s ansible-test-2.19 -- integration [targets, --exclude ...]   (needs a sandbox: hacking/with-sandbox.sh)
    nox -s ansible-test-2.16 -- prepare                                 (virtualenv and collections only)

Each session has its own virtualenv (.nox/<session>, Python and ansible-core of its lane, every
package at the version hacking/locks/<lane>.txt pins) and runs ansible-test in a fresh copy of the
checkout's git files inside a temporary ansible_collections tree beside amazon.aws and community.aws
of that ansible-core: edit where the code is and run again; tests/output is copied back. No container
runtime here, so sanity runs --venv and the units and integration --local (in the session's
virtualenv). `make test` runs these sessions side by side with the other suites (hacking/test.py).
"""

import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import tomllib
import zipfile
from pathlib import Path

import nox

import antsibull_nox
from antsibull_nox.paths.utils import copy_directory_tree_into
from antsibull_nox.sessions.collections import prepare_collections

# lane: (ansible-core, Python). main is also the Python and ansible-core of .venv, where the demo,
# the sandbox and the other suites run (hacking/bootstrap.sh); the lanes' amazon.aws and
# community.aws are named in antsibull-nox.toml. hacking/nox_lanes.py reads this literal.
LANES = {
    "main": ("2.19", "3.11"),
    "newest": ("2.21", "3.13"),
    "floor": ("2.16", "3.12"),
}

ROOT = Path(__file__).resolve().parent
SUITES = ("prepare", "sanity", "units", "integration")

# Collections come only from antsibull-nox.toml's sources for the session's ansible-core, never
# from ANSIBLE_COLLECTIONS_PATH or ~/.ansible (antsibull-nox would list those for every core alike
# and prefer them).
os.environ["ANTSIBULL_NOX_IGNORE_INSTALLED_COLLECTIONS"] = "true"
antsibull_nox.load_antsibull_nox_toml()


def find_python(version):
    """PYTHON_3_12 (say) if set, else a pythonX.Y on PATH that is not pyenv's (nor a virtualenv of it),
    else pyenv's build.
    The system's first: distributions build CPython with PGO and LTO, pyenv by default without, and
    the suites spend ~20% more CPU on pyenv's (whose shims also fail for versions installed but not
    selected, and nox would take the shim). hacking/lane-requirements.sh looks the same way."""
    pyenv = os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv"))
    # Resolved: a virtualenv's python (.venv's is on PATH) or a shim is its base's.
    on_path = (os.path.realpath(os.path.join(folder, "python" + version))
               for folder in os.environ.get("PATH", "").split(os.pathsep))
    candidates = [os.environ.get("PYTHON_" + version.replace(".", "_"))]
    candidates += [path for path in on_path if os.access(path, os.X_OK) and not path.startswith(pyenv + os.sep)]
    candidates += sorted(glob.glob(f"{pyenv}/versions/{version}.*/bin/python{version}"), reverse=True)
    for candidate in filter(None, candidates):
        try:
            found = subprocess.run([candidate, "-c", "import ensurepip, sys; print('%d.%d' % sys.version_info[:2])"],
                                   capture_output=True, text=True, timeout=30, check=False).stdout.strip()
        except OSError:
            continue
        if found == version:
            return candidate
    return version  # nox then says: Python interpreter X.Y not found


def collection_sources(core):
    with open(ROOT / "antsibull-nox.toml", "rb") as config:
        return tomllib.load(config)["collection_sources_per_ansible"][core]


def cut_collection_tarballs(session, core):
    """Shim: Galaxy is unreachable and antsibull-nox cannot install a collection from a directory
    (ansible-galaxy wants its galaxy.yml), so the tarballs antsibull-nox.toml names are cut from the
    `ansible` wheel on PyPI that its path names: .cache/ansible-<wheel>/<ns>-<name>-<version>.tar.gz."""
    for name, source in collection_sources(core).items():
        tarball = (ROOT / source).resolve()
        # antsibull-nox keeps what it extracted per ansible-core and never reads the source again:
        # drop an extracted collection of another version than the one named now.
        want = tarball.name.removesuffix(".tar.gz").split("-", 2)[2]
        extracted = Path(session.cache_dir, "extracted", core, name)
        manifest = extracted / "MANIFEST.json"
        if manifest.is_file() and json.loads(manifest.read_text())["collection_info"]["version"] != want:
            shutil.rmtree(extracted)
        if tarball.is_file():
            continue
        wheel_version = tarball.parent.name.removeprefix("ansible-")
        wheels = ROOT / ".cache" / "wheels"
        wheel = wheels / f"ansible-{wheel_version}-py3-none-any.whl"
        if not wheel.is_file():  # the wheel's Python floor need not be that of the tools' Python
            session.run(sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--ignore-requires-python",
                        "-d", str(wheels), f"ansible=={wheel_version}", external=True)
        prefix = "ansible_collections/%s/%s/" % tuple(name.split("."))
        with tempfile.TemporaryDirectory() as tmp, zipfile.ZipFile(wheel) as archive:
            archive.extractall(tmp, [member for member in archive.namelist() if member.startswith(prefix)])
            collection = Path(tmp, prefix)
            found = json.loads((collection / "MANIFEST.json").read_text())["collection_info"]["version"]
            if found != want:
                session.error(f"ansible {wheel_version} has {name} {found}, antsibull-nox.toml says {want}")
            tarball.parent.mkdir(parents=True, exist_ok=True)
            with tarfile.open(tarball, "w:gz") as tar:  # no "./" prefix: ansible-galaxy looks for MANIFEST.json
                for entry in sorted(os.listdir(collection)):
                    tar.add(collection / entry, arcname=entry)
        session.log(f"cut {tarball.relative_to(ROOT)} from ansible {wheel_version}")


def offline_get_pip(session):
    """Shim: ansible-test --venv downloads a get-pip script from a host this machine cannot reach;
    put hacking/get_pip_offline.py where it looks first, for the pip version this ansible-test wants."""
    package = (session.run("python", "-c", "import ansible_test, os; print(os.path.dirname(ansible_test.__file__))",
                           silent=True, log=False) or "").strip()
    requirements = Path(package, "_internal", "python_requirements.py")
    match = re.search(r"pip='([0-9.]+)'", requirements.read_text()) if requirements.is_file() else None
    if not match:
        session.error("cannot tell which pip version ansible-test wants")
    cache = Path.home() / ".ansible" / "test" / "cache"
    cache.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "hacking" / "get_pip_offline.py", cache / ("get_pip_%s.py" % match.group(1).replace(".", "_")))


def ssh_key_pair():
    """Shim: each ansible-test integration run makes ~/.ansible/test/id_rsa when it is missing; on a new
    machine two runs that start together (main's shards) both do, and the second fails on ssh-keygen's
    overwrite prompt. Make it once, before them, as ansible-test does (PEM, as paramiko reads it)."""
    key = Path.home() / ".ansible" / "test" / "id_rsa"
    if key.is_file() and key.with_suffix(".pub").is_file():
        return
    key.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=key.parent) as tmp:
        made = Path(tmp, "id_rsa")
        subprocess.run(["ssh-keygen", "-m", "PEM", "-q", "-t", "rsa", "-N", "", "-f", str(made)], check=True,
                       capture_output=True)
        made.write_text(re.sub(r"(BEGIN|END) PRIVATE KEY", r"\1 RSA PRIVATE KEY", made.read_text()))
        os.replace(made.with_suffix(".pub"), key.with_suffix(".pub"))
        os.replace(made, key)


def write_integration_config():
    """ansible-test passes no environment to the targets: hand the sandbox's addresses (exported by
    hacking/with-sandbox.sh), the ASK CLI (hacking/npm-deps.sh) and the sandbox's Python over in
    integration_config.yml."""
    names = {"smapi_url": "ASK_SMAPI_SERVER_BASE_URL", "lwa_url": "ASK_LWA_TOKEN_HOST",
             "aws_url": "AWS_URL", "aws_region": "AWS_REGION"}
    missing = [var for var in names.values() if var not in os.environ]
    if missing:
        raise SystemExit("integration needs a sandbox (%s unset): run it through hacking/with-sandbox.sh "
                         "tests/sandbox/seeds/test.yml, as make integration does" % ", ".join(missing))
    config = {key: os.environ[var] for key, var in names.items()}
    config["ask_cli"] = str(ROOT / ".cache" / "npm" / "node_modules" / ".bin" / "ask")
    # The Python of the tools that run nox (.venv): a target that starts a sandbox of its own needs moto.
    config["sandbox_python"] = sys.executable
    Path("tests/integration/integration_config.yml").write_text(
        "".join(f"{key}: {json.dumps(value)}\n" for key, value in config.items()))


def add_lane_session(lane, core, python):
    lock = ROOT / "hacking" / "locks" / f"{lane}.txt"

    @nox.session(name=f"ansible-test-{core}", python=find_python(python), default=False)
    def ansible_test(session):
        suite, *args = session.posargs or ["prepare"]
        if suite not in SUITES:
            session.error(f"first argument: one of {', '.join(SUITES)}, not {suite!r}")
        # The same requirements as hacking/lane-requirements.sh, at the lock's versions (PIP_CONSTRAINT
        # reaches the build environments of source packages too), or the newest with
        # SKILLOPS_UNPINNED=1 (make test-latest, in a nox --envdir of its own). Skipped by nox -R.
        unpinned = os.environ.get("SKILLOPS_UNPINNED") == "1"
        session.install(*(["--upgrade", "--upgrade-strategy", "eager"] if unpinned else []),
                        f"ansible-core=={core}.*", "-r", str(ROOT / "requirements.txt"),
                        "-r", str(ROOT / "hacking" / "units-requirements.txt"),
                        "-r", str(ROOT / "tests" / "integration" / "requirements.txt"),
                        env={"PIP_CONSTRAINT": None if unpinned else str(lock)})
        offline_get_pip(session)
        ssh_key_pair()
        cut_collection_tarballs(session, core)
        setup = prepare_collections(session, ansible_core_version=core, install_in_site_packages=False,
                                    install_out_of_tree=True)
        if setup is None:
            session.error("no virtualenv to prepare the collections in")
        with session.chdir(setup.current_path):
            if suite == "prepare":
                installed = session.run("python", "-c", "import ansible.release, platform; print("
                                        "ansible.release.__version__, platform.python_version())",
                                        silent=True, log=False) or f"{core} {python}"
                versions = ["ansible-core %s, Python %s" % tuple(installed.split())]
                for name in collection_sources(core):
                    manifest = setup.collections_root / name.replace(".", "/") / "MANIFEST.json"
                    versions.append("%s %s" % (name, json.loads(manifest.read_text())["collection_info"]["version"]))
                session.log(", ".join(versions))
                return
            if suite == "integration":
                write_integration_config()
            command = {
                "sanity": ["sanity", "--venv", "--python", python],
                "units": ["units", "--local", "--python", python],
                # Every target to the end, so that the count says which failed.
                "integration": ["integration", "--local", "--continue-on-error"],
            }[suite]
            try:
                # The tree prepared here is the only collection root; the targets' modules run on
                # the session's Python (make exports .venv's for the demo).
                python_path = str(Path(session.virtualenv.location, "bin", "python"))
                session.run("ansible-test", *command, "--color", "no", *args,
                            env={"ANSIBLE_COLLECTIONS_PATH": None, "ANSIBLE_PYTHON_INTERPRETER": python_path})
            finally:
                # Shim: --venv leaves its virtualenv in tests/output/.tmp, and antsibull-nox 1.10.0's
                # copy fails on it (FileNotFoundError: bottom-up walk, mkdir without parents).
                shutil.rmtree("tests/output/.tmp", ignore_errors=True)
                copy_directory_tree_into(setup.current_path / "tests" / "output", ROOT / "tests" / "output")

    ansible_test.__doc__ = f"lane {lane}: ansible-test on ansible-core {core}, Python {python} (posargs: {'|'.join(SUITES)} ...)"


for lane_name, (lane_core, lane_python) in LANES.items():
    add_lane_session(lane_name, lane_core, lane_python)
