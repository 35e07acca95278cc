# SPDX-License-Identifier: GPL-3.0-or-later
"""Organization scale: the subscriptions of N developer vendors to one subscriber, converged by a
loop of skillops.alexa.sdns_subscription tasks (each minting its token, or all on one token of the run)
and by one skillops.alexa.sdns_subscriptions task, side by side in one run against the sandbox with per-request latency and a throttle.

    python benchmarks/org_scale.py [--sizes 10,100,1000] [--loop-max 100] [--latency 0.1] [--rate 10]

Run through `make bench`, which syncs the collection and sets ANSIBLE_COLLECTIONS_PATH. Prints a
table and writes it as JSON and as a PNG chart to benchmarks/results/.
"""

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time

import requests

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "sandbox"))

from sandbox import Sandbox  # noqa: E402

SEED = os.path.join(ROOT, "tests", "sandbox", "seeds", "demo.yml")
VENDOR = "M1DEMOVENDOR"
CLIENT_ID = "amzn1.application-oa2-client.demo"
USER_ID = "amzn1.account.DEMOUSER"
CREDENTIALS = {"ASK_VENDOR_ID": VENDOR, "ASK_LWA_CLIENT_ID": CLIENT_ID,
               "ASK_LWA_CLIENT_CONFIRMATION": "demo-client-secret", "ASK_REFRESH_TOKEN": "Atzr|demo-refresh"}
SUBSCRIBERS = "/v0/developmentEvents/subscribers"
RESULTS = os.path.join(HERE, "results")


class Admin:
    """The sandbox's admin API, and SMAPI calls made directly to set the stage."""

    def __init__(self, sandbox):
        self.url = sandbox.smapi_url
        self.session = requests.Session()

    def call(self, method, path, body=None, status=200):
        response = self.session.request(method, self.url + "/_sandbox/" + path, json=body, timeout=60)
        if response.status_code != status:
            raise RuntimeError(f"{method} /_sandbox/{path}: HTTP {response.status_code} {response.text}")
        return response.json() if response.content else {}

    def counts(self):
        """Requests received by kind (token, read, write), those the throttle refused, and the writes done."""
        counters = self.call("GET", "counters")
        return dict(counters["by_kind"], throttled=counters["throttled"], writes_done=counters["writes"])

    def subscriber(self, name):
        token = self.call("POST", "tokens", {"client_id": CLIENT_ID, "user_id": USER_ID,
                                             "scopes": ["alexa::ask:subscriptions"]})["access_token"]
        endpoint = {"uri": f"arn:aws:sns:us-east-1:123456789012:{name}",
                    "authorization": {"type": "AWS_IAM", "arn": f"arn:aws:iam::123456789012:role/{name}"}}
        response = self.session.post(self.url + SUBSCRIBERS, timeout=60, headers={"Authorization": f"Bearer {token}"},
                                     json={"name": name, "vendorId": VENDOR, "endpoint": endpoint})
        if response.status_code != 201:
            raise RuntimeError(f"cannot create subscriber {name}: {response.status_code} {response.text}")
        return response.headers["Location"].rsplit("/", 1)[-1]

    def subscriptions_to(self, subscriber_id, name):
        state = self.call("GET", "state")
        return [s for s in state["subscriptions"] if s["subscriberId"] == subscriber_id and s["name"] == name]


def run_playbook(playbook, variables, env):
    """ansible-playbook with ``variables`` as extra vars; its seconds and PLAY RECAP line."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(variables, handle)
    try:
        started = time.monotonic()
        done = subprocess.run(["ansible-playbook", "-i", "localhost,", os.path.join(HERE, "playbooks", playbook),
                               "-e", "@" + handle.name], env=env, capture_output=True, text=True, check=False)
        seconds = time.monotonic() - started
    finally:
        os.unlink(handle.name)
    recap = next((line for line in done.stdout.splitlines() if line.startswith("localhost")), "")
    if done.returncode != 0:
        failure = done.stdout.find("fatal:")
        sys.stderr.write(done.stdout[failure:failure + 3000] if failure >= 0 else done.stdout[-3000:])
        sys.stderr.write(done.stderr[-2000:])
        raise RuntimeError(f"{playbook} failed (exit {done.returncode})")
    return seconds, recap


def module_peak_memory(args, env):
    """Peak resident memory (MB) of one sdns_subscriptions run, as the module's own process."""
    module = os.path.join(env["ANSIBLE_COLLECTIONS_PATH"], "ansible_collections", "skillops", "alexa", "plugins",
                          "modules", "sdns_subscriptions.py")
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump({"ANSIBLE_MODULE_ARGS": args}, handle)
    try:
        child_env = dict(env, PYTHONPATH=env["ANSIBLE_COLLECTIONS_PATH"])
        with open(os.devnull, "w") as sink:
            process = subprocess.Popen([sys.executable, module, handle.name], env=child_env, stdout=sink)
            dummy, status, usage = os.wait4(process.pid, 0)
            process.returncode = os.waitstatus_to_exitcode(status)
    finally:
        os.unlink(handle.name)
    if process.returncode != 0:
        raise RuntimeError("the module run for the memory figure failed")
    return usage.ru_maxrss / 1024.0  # Linux reports kilobytes


def measure(admin, label, action):
    before = admin.counts()
    seconds, recap = action()
    after = admin.counts()
    counts = {kind: after[kind] - before[kind] for kind in after}
    print(f"  {label:<22} {seconds:7.1f} s  {counts}  {recap.split(':', 1)[-1].strip()}", flush=True)
    return dict(seconds=round(seconds, 2), **counts)


def bench_size(sandbox, admin, size, args, env):
    admin.call("POST", "reset")
    vendor_ids = admin.call("POST", "vendors", {"count": size, "prefix": "M3DEV", "user_id": USER_ID,
                                                "roles": ["ROLE_ADMINISTRATOR"]}, status=201)["vendor_ids"]
    subscribers = {name: admin.subscriber(name) for name in ("bench-bulk", "bench-loop", "bench-loop-token",
                                                             "bench-memory")}
    admin.call("POST", "config", {"latency": args.latency, "throttle": {"rate": args.rate, "burst": args.burst}})
    declared = [{"vendor_id": vendor_id} for vendor_id in vendor_ids]
    print(f"N = {size}", flush=True)

    def converge(playbook, subscriber, **more):
        return lambda: run_playbook(playbook, {"subscriber_id": subscribers[subscriber], "subscription_name": "bench",
                                               "subscriptions": declared, **more}, env)

    row = dict(n=size)
    row["bulk"] = measure(admin, "sdns_subscriptions", converge("bulk.yml", "bench-bulk"))
    row["bulk_noop"] = measure(admin, "sdns_subscriptions no-op", converge("bulk.yml", "bench-bulk"))
    if size <= args.loop_max:
        row["loop"] = measure(admin, "loop of sdns_subscription", converge("loop.yml", "bench-loop"))
        row["loop_one_token"] = measure(admin, "the loop on one token", converge("loop.yml", "bench-loop-token",
                                                                                 one_token=True))
    # Each converge must have left exactly one subscription per vendor.
    row["duplicates"] = 0
    for name, subscriber_id in subscribers.items():
        found = admin.subscriptions_to(subscriber_id, "bench")
        row["duplicates"] += len(found) - len({s["vendorId"] for s in found})
        expected = size if name == "bench-bulk" or (name.startswith("bench-loop") and "loop" in row) else 0
        if len({s["vendorId"] for s in found}) != expected:
            raise RuntimeError(f"{name}: {len(found)} subscriptions for {size} vendors")
    # Memory does not depend on the network: measured without latency or throttle, to keep it quick.
    admin.call("POST", "config", {"latency": 0, "throttle": None})
    row["module_peak_mb"] = round(module_peak_memory(
        {"subscriber_id": subscribers["bench-memory"], "name": "bench", "events": ["AlexaDevelopmentEvent.All"],
         "subscriptions": declared, "vendor_id": VENDOR, "smapi_url": sandbox.smapi_url, "lwa_url": sandbox.lwa_url,
         "lwa_client_id": CLIENT_ID, "lwa_client_secret": CREDENTIALS["ASK_LWA_CLIENT_CONFIRMATION"],
         "refresh_token": CREDENTIALS["ASK_REFRESH_TOKEN"]}, env), 1)
    # The fastest any client could go: the writes the converge needed, at the rate the throttle allows.
    row["limit_seconds"] = round(row["bulk"]["writes_done"] / args.rate, 2)
    return row


def summarize(rows):
    """Speedup over the loop (per vendor, from the largest loop measured at or below N) and ratio to the limit."""
    loops = [(row["n"], row["loop"]["seconds"] / row["n"]) for row in rows if "loop" in row]
    for row in rows:
        per_vendor = [seconds for n, seconds in loops if n <= row["n"]]
        if per_vendor:
            row["speedup"] = round(per_vendor[-1] / (row["bulk"]["seconds"] / row["n"]), 1)
        row["ratio_to_limit"] = round(row["bulk"]["seconds"] / row["limit_seconds"], 2) if row["limit_seconds"] else None
    return rows


def table(rows, args):
    lines = [f"Latency {args.latency * 1000:g} ms a request, throttle {args.rate:g} requests/s a client (burst "
             f"{args.burst}); requests as token / read / write (throttled).", "",
             "| N | loop of sdns_subscription | the loop on one token (lwa_access_token) | sdns_subscriptions "
             "| no-op rerun | speedup | limit (writes ÷ rate) | ratio to limit | module peak memory |",
             "|---|---|---|---|---|---|---|---|---|"]

    def cell(run):
        return (f"{run['seconds']:.1f} s, {run['token']} / {run['read']} / {run['write']} ({run['throttled']})"
                if run else "not run")

    for row in rows:
        lines.append(f"| {row['n']:,} | {cell(row.get('loop'))} | {cell(row.get('loop_one_token'))} | "
                     f"{cell(row['bulk'])} | {cell(row['bulk_noop'])} | "
                     f"{row.get('speedup', '-')}x | {row['limit_seconds']:.1f} s | {row['ratio_to_limit']}x | "
                     f"{row['module_peak_mb']} MB |")
    return "\n".join(lines)


def chart(rows, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = [row["n"] for row in rows]
    figure, axis = plt.subplots(figsize=(7, 4.5))
    axis.plot(sizes, [row["bulk"]["seconds"] for row in rows], "o-", label="sdns_subscriptions")
    axis.plot(sizes, [row["bulk_noop"]["seconds"] for row in rows], "s--", label="sdns_subscriptions, no-op rerun")
    axis.plot(sizes, [row["limit_seconds"] for row in rows], ":", color="grey", label="limit: writes ÷ rate")
    looped = [row for row in rows if "loop" in row]
    if looped:
        axis.plot([row["n"] for row in looped], [row["loop"]["seconds"] for row in looped], "^-",
                  label="loop of sdns_subscription")
        axis.plot([row["n"] for row in looped], [row["loop_one_token"]["seconds"] for row in looped], "v-",
                  label="the loop on one access token")
    axis.set_xscale("log")
    axis.set_yscale("log")
    axis.set_xlabel("developer vendors (N)")
    axis.set_ylabel("seconds")
    axis.set_title("Converging N subscriptions to one subscriber")
    axis.grid(True, which="both", alpha=0.3)
    axis.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=110)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--sizes", default="10,100,1000")
    parser.add_argument("--loop-max", type=int, default=100, help="largest N the loop is measured at")
    parser.add_argument("--latency", type=float, default=0.1, help="seconds added to every SMAPI and LWA request")
    parser.add_argument("--rate", type=float, default=10.0, help="SMAPI requests a second a client may make")
    parser.add_argument("--burst", type=int, default=None, help="throttle bucket size (default: the rate)")
    parser.add_argument("--output", default=RESULTS, help="folder for org_scale.json and org_scale.png")
    args = parser.parse_args(argv)
    args.burst = args.burst or max(1, math.ceil(args.rate))
    if "ANSIBLE_COLLECTIONS_PATH" not in os.environ:
        parser.error("run this through make bench, which sets ANSIBLE_COLLECTIONS_PATH")
    sizes = [int(size) for size in args.sizes.split(",")]
    with Sandbox(SEED, smapi_port=0, lwa_port=0, moto_port=0) as sandbox:
        env = dict(os.environ, **sandbox.environment(), **CREDENTIALS, ANSIBLE_NOCOLOR="1")
        admin = Admin(sandbox)
        rows = summarize([bench_size(sandbox, admin, size, args, env) for size in sizes])
    text = table(rows, args)
    print()
    print(text)
    os.makedirs(args.output, exist_ok=True)
    with open(os.path.join(args.output, "org_scale.json"), "w") as handle:
        json.dump(dict(latency=args.latency, rate=args.rate, burst=args.burst, rows=rows, table=text), handle, indent=2)
        handle.write("\n")
    chart(rows, os.path.join(args.output, "org_scale.png"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
