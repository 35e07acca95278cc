# SPDX-License-Identifier: GPL-3.0-or-later
"""The collection as users get it: the tarball `ansible-galaxy collection build` makes of this
checkout, installed from that tarball, and the execution environment built around it.

- The tarball holds the checkout's files minus what users must not get (LEFT_OUT below, which
  states galaxy.yml's build_ignore once more on purpose) and nothing git does not know about:
  no caches, test outputs or local environment.
- It installs with `ansible-galaxy collection install --offline` into an empty collections path
  beside amazon.aws and community.aws, taken from the ansible wheel as hacking/bootstrap.sh takes
  them. From that copy alone, with nothing else on the collections path, run make demo's workflow
  (hacking/demo.sh on a sandbox); every task of the collection must come from the installed copy.
- meta/extensions.yml in the tarball names, for Galaxy, folders of extensions/ that hold every EDA
  plugin.
- `ansible-builder create` on execution-environment.yml and on extensions/eda/decision-environment.yml
  writes a build context that holds the tarball and requirements.yml; the build's galaxy stage
  (ansible-galaxy install of requirements.yml from the context) and introspection, run here on their
  own, find the Python and system requirements of the three collections and of the definition. No
  container engine is needed.

Run by hacking/run-tests.sh package (make package-tests), which gives ANSIBLE_COLLECTIONS_PATH: the
build tree with the wheel's amazon.aws and community.aws.
"""

import json
import os
import re
import shutil
import subprocess
import tarfile

import pytest
import yaml

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD_COLLECTIONS = os.path.join(os.environ.get("ANSIBLE_COLLECTIONS_PATH", ""), "ansible_collections")

# Files of the checkout that users must not get (a trailing / stands for a whole folder).
LEFT_OUT = (
    # developer scripts and configuration, CI
    "hacking/", "Makefile", ".ci/", ".gitignore", ".ansible-lint", "noxfile.py", "antsibull-nox.toml",
    "benchmarks/",
    # tests that need this repository's sandbox, scripts or npm packages
    "tests/sandbox/", "tests/contract/", "tests/cli/", "tests/integration/", "tests/package/", "tests/eda/",
    "tests/hostile/", "tests/docs/", "tests/awx/",
    # make demo's and make demo-eda's sandbox-only playbooks and their variables
    "playbooks/demo.yml", "playbooks/tasks/demo_inbox.yml", "playbooks/vars/demo.yml",
    "playbooks/demo_eda.yml", "playbooks/vars/demo_eda.yml",
    # the execution and decision environments built from this checkout
    "execution-environment.yml", "extensions/eda/decision-environment.yml", "ee/",
    # ansible-galaxy writes MANIFEST.json and FILES.json instead
    "galaxy.yml",
)
# What the demo runs from this checkout: its sandbox-only playbook, not part of the collection.
DEMO_DRIVER = ("playbooks/demo.yml", "playbooks/tasks/demo_inbox.yml")
# The ansible-builder definitions of this checkout: the execution environment for AWX and the decision
# environment for EDA controller, both with the collections of ee/requirements.yml.
ENVIRONMENTS = ("execution-environment.yml", "extensions/eda/decision-environment.yml")
# The ext_dir values galaxy-importer lists as content (its constants.ALLOWED_EXTENSION_DIRS).
GALAXY_EXTENSION_DIRS = {"eda/plugins/event_source", "eda/plugins/event_filter"}


def run(*command, cwd=REPO, env=None, timeout=300):
    """Run a command; fail the test with its output unless it succeeds. Returns its stdout and
    stderr together, as a person reads them."""
    done = subprocess.run(command, cwd=cwd, env=env, timeout=timeout, check=False, text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert done.returncode == 0, "%s failed (%d):\n%s" % (" ".join(command), done.returncode, done.stdout)
    return done.stdout


def run_json(*command, env=None):
    """The JSON a command prints on stdout. Its stderr is kept apart: a warning there (such as a
    new cryptography's deprecation warnings, which ansible-core prints at every start) is no part
    of the answer."""
    done = subprocess.run(command, cwd=REPO, env=env, timeout=300, check=False, text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    output = done.stdout + done.stderr
    assert done.returncode == 0, "%s failed (%d):\n%s" % (" ".join(command), done.returncode, output)
    return json.loads(done.stdout)


def left_out(path):
    return any(path.startswith(entry) if entry.endswith("/") else path == entry for entry in LEFT_OUT)


def galaxy_yml():
    with open(os.path.join(REPO, "galaxy.yml")) as galaxy:
        return yaml.safe_load(galaxy)


def definition(name):
    with open(os.path.join(REPO, name)) as ee:
        return yaml.safe_load(ee)


def wheel_collections_beside(path):
    """An empty collections path with only amazon.aws and community.aws, from the ansible wheel."""
    assert os.path.isdir(os.path.join(BUILD_COLLECTIONS, "amazon", "aws")), "run this through make"
    for namespace in ("amazon", "community"):
        shutil.copytree(os.path.join(BUILD_COLLECTIONS, namespace),
                        os.path.join(path, "ansible_collections", namespace))
    return path


def only(collections_path):
    """The environment with nothing on the collections path but collections_path."""
    return dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections_path, ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="False")


@pytest.fixture(scope="module")
def tarball(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    run("ansible-galaxy", "collection", "build", "--output-path", str(out), REPO)
    built = sorted(os.listdir(out))
    assert len(built) == 1, built
    return os.path.join(out, built[0])


@pytest.fixture(scope="module")
def tarball_files(tarball):
    with tarfile.open(tarball) as archive:
        return {member.name for member in archive.getmembers() if not member.isdir()}


@pytest.fixture(scope="module")
def checkout_files():
    """The files git knows here: tracked ones and untracked ones it does not ignore (as hacking/sync.sh)."""
    listed = run("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard").split("\0")
    return {path for path in listed if path and os.path.isfile(os.path.join(REPO, path))}


@pytest.fixture(scope="module")
def installed(tarball, tmp_path_factory):
    """A collections path holding amazon.aws, community.aws and skillops.alexa from the tarball."""
    path = wheel_collections_beside(str(tmp_path_factory.mktemp("installed")))
    run("ansible-galaxy", "collection", "install", "--offline", "-p", path, tarball, env=only(path))
    return path


@pytest.fixture(scope="module", params=ENVIRONMENTS)
def ee_context(request, tarball, tmp_path_factory):
    """ansible-builder create on a copy of a definition (ENVIRONMENTS) where it is in the checkout, with
    ee/ and the built tarball where `ansible-galaxy collection build` leaves it: the definition's
    name and its build context."""
    here = tmp_path_factory.mktemp("ee")
    (here / request.param).parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(os.path.join(REPO, request.param), here / request.param)
    shutil.copytree(os.path.join(REPO, "ee"), here / "ee")
    shutil.copy(tarball, here)
    run("ansible-builder", "create", "--file", str(here / request.param),
        "--context", str(here / "context"), "--output-filename", "Containerfile", cwd=str(here))
    return request.param, here / "context"


@pytest.mark.parametrize("name", ENVIRONMENTS)
def test_tarball_is_named_for_the_version_the_ee_definitions_name(tarball, name):
    built = "skillops-alexa-%s.tar.gz" % galaxy_yml()["version"]
    assert os.path.basename(tarball) == built
    with open(os.path.join(REPO, "ee", "requirements.yml")) as requirements:
        files = [c["name"] for c in yaml.safe_load(requirements)["collections"] if c.get("type") == "file"]
    # Relative to the definition, as ansible-builder reads them: the tarball at the top of the checkout.
    ee = definition(name)
    copied = [os.path.normpath(os.path.join(os.path.dirname(name), entry["src"])) for entry in ee["additional_build_files"]]
    galaxy = os.path.normpath(os.path.join(os.path.dirname(name), ee["dependencies"]["galaxy"]))
    assert files == [built] and built in copied, "ee/requirements.yml and %s must name %s" % (name, built)
    assert galaxy == os.path.join("ee", "requirements.yml"), galaxy


def test_tarball_holds_the_checkout_less_what_users_must_not_get(tarball_files, checkout_files):
    expected = {path for path in checkout_files if not left_out(path)} | {"MANIFEST.json", "FILES.json"}
    extra, missing = sorted(tarball_files - expected), sorted(expected - tarball_files)
    assert not extra, "in the tarball, but left out or unknown to git (a cache, an output?): %s" % extra
    assert not missing, "in the checkout, missing from the tarball: %s" % missing


def test_tarball_keeps_of_tests_the_unit_tests_and_their_config(tarball_files, checkout_files):
    tests = {path for path in tarball_files if path.startswith("tests/")}
    unit = {path for path in checkout_files if path.startswith("tests/unit/")}
    assert unit and tests == unit | {"tests/config.yml"}, sorted(tests ^ (unit | {"tests/config.yml"}))


def test_tarball_keeps_what_execution_environments_read(tarball_files):
    assert {"meta/execution-environment.yml", "requirements.txt", "bindep.txt", "meta/runtime.yml"} <= tarball_files


def test_tarball_lists_every_eda_plugin_for_galaxy(tarball, tarball_files, checkout_files):
    # galaxy-importer reads meta/extensions.yml of the tarball: extensions[].args.ext_dir, a folder of
    # extensions/, whose .py files (but __init__.py) it lists as plugins of that type.
    with tarfile.open(tarball) as archive:
        extensions = yaml.safe_load(archive.extractfile("meta/extensions.yml"))
    ext_dirs = [entry["args"]["ext_dir"] for entry in extensions["extensions"]]
    assert len(set(ext_dirs)) == len(ext_dirs) and set(ext_dirs) <= GALAXY_EXTENSION_DIRS, ext_dirs

    def plugins(files, folder):
        return {path for path in files if path.startswith(folder + "/") and path.endswith(".py")
                and os.path.basename(path) != "__init__.py"}

    listed = set()
    for ext_dir in ext_dirs:
        found = plugins(tarball_files, "extensions/" + ext_dir)
        assert found, "meta/extensions.yml names %s, which holds no plugin in the tarball" % ext_dir
        listed |= found
    assert listed == plugins(checkout_files, "extensions/eda/plugins"), "EDA plugins Galaxy would not list"


def test_installs_offline_beside_the_wheel_aws_collections_only(installed):
    listed = run_json("ansible-galaxy", "collection", "list", "--format", "json", env=only(installed))
    ours = {path: info["skillops.alexa"]["version"] for path, info in listed.items() if "skillops.alexa" in info}
    assert ours == {os.path.join(installed, "ansible_collections"): galaxy_yml()["version"]}
    # The installed files are those the tarball's FILES.json lists, checksums included.
    run("ansible-galaxy", "collection", "verify", "--offline", "skillops.alexa", env=only(installed))


def test_plugins_resolve_from_the_installed_copy_only(installed):
    collection = os.path.join(installed, "ansible_collections", "skillops", "alexa") + os.sep
    for kind, name in (("module", "sdns_subscriber"), ("module", "sns_topic_encryption"),
                       ("lookup", "lwa_access_token"), ("filter", "sdns_events")):
        fqcn = "skillops.alexa." + name
        doc = run_json("ansible-doc", "-t", kind, fqcn, "--json", env=only(installed))
        assert doc[fqcn]["doc"]["filename"].startswith(collection), (kind, name)


def test_demo_workflow_runs_from_the_installed_copy(installed, tmp_path):
    collection = os.path.join(installed, "ansible_collections", "skillops", "alexa")
    # As make demo runs it, with the demo seed's credentials; -vv makes ansible name each task's file.
    env = dict(only(installed), DEMO_LOGS=str(tmp_path), ANSIBLE_VERBOSITY="2")
    output = run("bash", "-c", "set -a && . tests/sandbox/seeds/demo.env && set +a && "
                 "exec hacking/with-sandbox.sh tests/sandbox/seeds/demo.yml hacking/demo.sh", env=env)
    assert "skillops.alexa %s from %s\n" % (galaxy_yml()["version"], collection) in output, output
    assert "nothing left on the sandbox" in output, output

    task_files = set()
    for log in sorted(tmp_path.iterdir()):
        task_files |= set(re.findall(r"^task path: (.+?):\d+$", log.read_text(), re.MULTILINE))
    ours = {path for path in task_files if path.startswith(collection + os.sep)}
    others = task_files - ours - {os.path.join(REPO, path) for path in DEMO_DRIVER}
    assert len(os.listdir(tmp_path)) == 4
    assert not others, "tasks run neither from the installed copy nor from the demo's own playbook: %s" % sorted(others)
    assert os.path.join(collection, "playbooks", "independent_developer.yml") in ours
    assert os.path.join(collection, "playbooks", "teardown.yml") in ours
    roles = {os.path.relpath(path, collection).split(os.sep)[1] for path in ours
             if os.path.relpath(path, collection).startswith("roles" + os.sep)}
    assert roles >= {"sdns_endpoint", "sdns_independent_developer"}, roles


def test_ee_build_context_holds_the_tarball_and_the_galaxy_requirements(ee_context, tarball):
    build = ee_context[1] / "_build"
    with open(tarball, "rb") as built, open(build / os.path.basename(tarball), "rb") as copied:
        assert built.read() == copied.read()
    with open(os.path.join(REPO, "ee", "requirements.yml")) as ours:
        assert yaml.safe_load((build / "requirements.yml").read_text()) == yaml.safe_load(ours)
    assert {"introspect.py", "assemble", "install-from-bindep"} <= set(os.listdir(build / "scripts"))


def test_ee_containerfile_installs_the_collections_and_their_requirements(ee_context):
    name, context = ee_context
    ee = definition(name)
    containerfile = (context / "Containerfile").read_text()
    steps = [
        'ARG EE_BASE_IMAGE="%s"' % ee["images"]["base_image"]["name"],
        'ARG PYCMD="%s"' % ee["dependencies"]["python_interpreter"]["python_path"],
        "ansible-core==2.19.*", "ansible-runner==2.4.*",
        # galaxy stage: the context, the tarball included, then requirements.yml from there
        "COPY _build /build\nWORKDIR /build",
        'ansible-galaxy collection install $ANSIBLE_GALAXY_CLI_COLLECTION_OPTS -r requirements.yml '
        '--collections-path "/usr/share/ansible/collections"',
        # builder stage: introspection of the installed collections, pip and bindep
        "RUN $PYCMD /output/scripts/introspect.py introspect",
        # with the definition's own Python and system packages, if it names any
        *(["--user-pip=requirements.txt"] if "python" in ee["dependencies"] else []),
        *(["--user-bindep=bindep.txt"] if "system" in ee["dependencies"] else []),
        "RUN /output/scripts/assemble",
        # final stage: the system packages bindep listed
        "RUN /output/scripts/install-from-bindep",
    ]
    missing = [step for step in steps if step not in containerfile]
    assert not missing, containerfile
    assert containerfile.index("FROM base AS galaxy") < containerfile.index("introspect.py introspect")


def test_ee_galaxy_stage_and_introspection_find_the_requirements(ee_context, tmp_path):
    # The galaxy stage, here: ansible-galaxy install of the context's requirements.yml from the
    # context. amazon.aws and community.aws are there already at the wheel's versions, so the
    # versions requirements.yml pins must be those, and skillops.alexa comes from the tarball.
    ee_name, context = ee_context
    build = context / "_build"
    target = wheel_collections_beside(str(tmp_path))
    with open(os.path.join(REPO, "ee", "requirements.yml")) as requirements:
        pinned = {c["name"]: c["version"] for c in yaml.safe_load(requirements)["collections"] if "version" in c}
    for name, version in pinned.items():
        with open(os.path.join(BUILD_COLLECTIONS, *name.split("."), "MANIFEST.json")) as manifest:
            assert json.load(manifest)["collection_info"]["version"] == version, name
    run("ansible-galaxy", "collection", "install", "--offline", "-r", "requirements.yml", "-p", target,
        cwd=str(build), env=only(target))
    assert os.path.isfile(os.path.join(target, "ansible_collections", "skillops", "alexa", "MANIFEST.json"))

    # The builder stage's introspection, with the context's own script and the definition's own
    # packages (the user's) as the Containerfile passes them.
    ee = definition(ee_name)
    user = [("--user-pip", build / "requirements.txt")] if "python" in ee["dependencies"] else []
    user += [("--user-bindep", build / "bindep.txt")] if "system" in ee["dependencies"] else []
    pip, bindep = tmp_path / "requirements.txt", tmp_path / "bindep.txt"
    run("python", str(build / "scripts" / "introspect.py"), "introspect", target,
        *("%s=%s" % option for option in user), "--write-pip", str(pip), "--write-bindep", str(bindep))
    python = pip.read_text().splitlines()
    system = bindep.read_text().splitlines()
    for requirement in ee["dependencies"].get("python", []):
        assert "%s  # from collection user" % requirement in python, python
    for requirement in ee["dependencies"].get("system", []):
        assert "%s  # from collection user" % requirement in system, system
    for requirement in ("requests>=2.28", "boto3>=1.34.0", "botocore>=1.34.0"):
        assert "%s  # from collection skillops.alexa" % requirement in python, python
    for collection in ("amazon.aws", "community.aws"):
        assert "boto3>=1.34.0  # from collection %s" % collection in python, python
    assert "ca-certificates [platform:rpm]  # from collection skillops.alexa" in system, system


def test_de_runs_the_tested_ansible_rulebook_on_a_java_runtime():
    de = definition("extensions/eda/decision-environment.yml")
    with open(os.path.join(REPO, "hacking", "requirements.txt")) as requirements:
        tested = re.search(r"^(ansible-rulebook==\S+)", requirements.read(), re.MULTILINE).group(1)
    assert tested in de["dependencies"]["python"], de["dependencies"]
    assert any(re.match(r"java-\d+-openjdk(-headless)? \[platform:rpm\]$", package) for package in de["dependencies"]["system"])
    # The playbooks its rules run there need what the execution environment gives AWX's jobs.
    ee = definition("execution-environment.yml")
    assert de["images"] == ee["images"]
    for key in ("python_interpreter", "ansible_core", "ansible_runner"):
        assert de["dependencies"][key] == ee["dependencies"][key], key
