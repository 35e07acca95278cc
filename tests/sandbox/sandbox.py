# SPDX-License-Identifier: GPL-3.0-or-later
"""SDNS sandbox: SMAPI and LWA look-alikes on loopback plus a moto server playing AWS.

    python tests/sandbox/sandbox.py [--seed FILE] [--host 127.0.0.1] [--smapi-port 8700]
        [--lwa-port 8701] [--moto-port 8702] [--no-moto --aws-url URL] [--env-file PATH]
        [--latency SECONDS] [--throttle-rate N [--throttle-burst N]]

Prints `export NAME=value` lines for the environment the collection reads, writes the same
lines to --env-file, and runs until SIGINT or SIGTERM. Port 0 picks a free port. Tests start it
in-process through the `Sandbox` class. See README.md in this directory.
"""

import argparse
import logging
import os
import signal
import socket
import sys
import tempfile
import threading

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:  # the sibling modules, when imported from elsewhere
    sys.path.insert(0, HERE)

import sandbox_admin  # noqa: E402
import sandbox_lwa  # noqa: E402
import sandbox_smapi  # noqa: E402
from sandbox_delivery import Deliverer  # noqa: E402
from sandbox_http import JsonHandler, make_server  # noqa: E402
from sandbox_knobs import ANONYMOUS, KnobError, check_latency, check_throttle  # noqa: E402
from sandbox_state import SeedError, State, load_seed  # noqa: E402

DEFAULT_SEED = os.path.join(HERE, "seeds", "demo.yml")
REGION = "us-east-1"


class SmapiHandler(JsonHandler):
    service = "smapi"
    routes = sandbox_smapi.ROUTES + sandbox_admin.ROUTES

    def throttle_key(self, request):
        """Limits are per LWA client: the client of the bearer token, whichever user it acts
        for; requests without a usable token share one bucket."""
        token = sandbox_smapi.bearer_token(request)
        if token is None:
            return ANONYMOUS
        request.client_id = token.client_id  # for the request log of a refused request
        return token.client_id


class LwaHandler(JsonHandler):
    service = "lwa"
    routes = sandbox_lwa.ROUTES

    def not_found_body(self, message):
        return {"error": "invalid_request", "error_description": message}

    def fault_body(self, message):
        return {"error": "server_error", "error_description": message}

    def request_kind(self):
        return "token"  # the LWA server has the token endpoint only


class Sandbox:
    """SMAPI server, LWA server and (unless aws_url is given) moto, sharing one State.
    `latency`, `throttle_rate` (None: no throttle) and `throttle_burst` (None: the rate
    rounded up) are where the knobs start and where POST /_sandbox/reset returns them;
    KnobError (a ValueError) when one is out of range."""

    def __init__(self, seed_path=DEFAULT_SEED, host="127.0.0.1", smapi_port=8700,
                 lwa_port=8701, moto_port=8702, aws_url=None, verbose=False, latency=0,
                 throttle_rate=None, throttle_burst=None):
        self.host = host
        self.ports = {"smapi": smapi_port, "lwa": lwa_port, "moto": moto_port}
        self.aws_url = aws_url
        self.verbose = verbose
        if throttle_burst is not None and throttle_rate is None:
            raise KnobError("throttle burst needs a throttle rate")
        throttle = None if throttle_rate is None else (throttle_rate, throttle_burst)
        self.state = State(load_seed(seed_path), latency=latency, throttle=throttle)
        self._moto = None
        self._servers = []
        self._threads = []

    def start(self):
        try:
            if self.aws_url is None:
                self._start_moto()
            deliverer = Deliverer(self.state, self.aws_url, REGION)
            for name, handler in (("smapi", SmapiHandler), ("lwa", LwaHandler)):
                try:
                    server = make_server(self.host, self.ports[name], handler, self.state,
                                         deliverer, self.verbose)
                except OSError as exc:
                    raise OSError(exc.errno, f"{name} port {self.host}:{self.ports[name]}: "
                                             f"{exc.strerror}") from None
                self.ports[name] = server.server_address[1]
                # A short poll interval: stop() waits for it, once per server.
                thread = threading.Thread(target=server.serve_forever, name=f"sandbox-{name}",
                                          kwargs={"poll_interval": 0.05}, daemon=True)
                thread.start()
                self._servers.append(server)
                self._threads.append(thread)
        except BaseException:
            self.stop()
            raise
        return self

    def _start_moto(self):
        from moto.server import ThreadedMotoServer

        port = self.ports["moto"]
        if port:
            # ThreadedMotoServer binds in its own thread and waits forever if that fails, so
            # find out first whether the port is free.
            with socket.socket() as probe:
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                try:
                    probe.bind((self.host, port))
                except OSError as exc:
                    raise OSError(exc.errno, f"moto port {self.host}:{port}: {exc.strerror}") \
                        from None
        if not self.verbose:
            logging.getLogger("werkzeug").setLevel(logging.ERROR)
        self._moto = ThreadedMotoServer(ip_address=self.host, port=port, verbose=False)
        self._moto.start()
        self.ports["moto"] = self._moto.get_host_and_port()[1]
        self.aws_url = f"http://{self.host}:{self.ports['moto']}"

    def stop(self):
        for server in self._servers:
            server.shutdown()
            server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        self._servers, self._threads = [], []
        if self._moto is not None:
            self._moto.stop()
            self._moto = None

    @property
    def smapi_url(self):
        return f"http://{self.host}:{self.ports['smapi']}"

    @property
    def lwa_url(self):
        return f"http://{self.host}:{self.ports['lwa']}"

    def environment(self):
        return {
            "ASK_SMAPI_SERVER_BASE_URL": self.smapi_url,
            "ASK_LWA_TOKEN_HOST": self.lwa_url,
            "AWS_URL": self.aws_url,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION,
        }

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def write_env_file(path, text):
    """Atomically, so a script polling the file never reads half of it."""
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".sandbox-env-")
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def knob(check, kind=float):
    """An argparse type from a sandbox_knobs check. Whole numbers stay integers, so the config
    reads back as it was written (rate 10, not 10.0)."""
    def convert(text):
        try:
            value = kind(text)
            if kind is float and value.is_integer():
                value = int(value)
        except ValueError:
            what = "an integer" if kind is int else "a number"
            raise argparse.ArgumentTypeError(f"not {what}: {text!r}") from None
        try:
            return check(value)
        except KnobError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
    return convert


def parse_args(argv):
    parser = argparse.ArgumentParser(description="SDNS sandbox: SMAPI + LWA + moto.")
    parser.add_argument("--seed", default=DEFAULT_SEED, help="seed YAML (default: demo.yml)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--smapi-port", type=int, default=8700)
    parser.add_argument("--lwa-port", type=int, default=8701)
    parser.add_argument("--moto-port", type=int, default=8702)
    parser.add_argument("--no-moto", action="store_true", help="use --aws-url instead of moto")
    parser.add_argument("--aws-url", help="AWS endpoint to use with --no-moto")
    parser.add_argument("--env-file", help="also write the export lines here")
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    parser.add_argument("--latency", type=knob(check_latency), default=0, metavar="SECONDS",
                        help="every SMAPI and LWA request waits this long before it is handled "
                             "(default 0)")
    parser.add_argument("--throttle-rate", type=knob(lambda rate: check_throttle(rate)[0]),
                        metavar="N", help="answer 429 to SMAPI requests beyond N a second per "
                                          "LWA client (default: no throttle)")
    parser.add_argument("--throttle-burst", type=knob(lambda burst: check_throttle(1, burst)[1],
                                                      int),
                        metavar="N", help="the throttle's bucket size (default: the rate "
                                          "rounded up)")
    args = parser.parse_args(argv)
    if args.no_moto != bool(args.aws_url):
        parser.error("--no-moto and --aws-url go together")
    if args.throttle_burst is not None and args.throttle_rate is None:
        parser.error("--throttle-burst needs --throttle-rate")
    return args


def main(argv=None):
    args = parse_args(argv)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    try:
        sandbox = Sandbox(args.seed, args.host, args.smapi_port, args.lwa_port, args.moto_port,
                          aws_url=args.aws_url if args.no_moto else None, verbose=args.verbose,
                          latency=args.latency, throttle_rate=args.throttle_rate,
                          throttle_burst=args.throttle_burst)
        sandbox.start()
    except (OSError, SeedError, KnobError, yaml.YAMLError) as exc:
        print(f"sandbox: cannot start: {exc}", file=sys.stderr)
        return 1
    text = "".join(f"export {k}={v}\n" for k, v in sandbox.environment().items())
    if args.env_file:
        write_env_file(args.env_file, text)
    sys.stdout.write(text)
    sys.stdout.flush()
    if args.latency:
        print(f"sandbox: latency {args.latency:g} s per SMAPI and LWA request", file=sys.stderr)
    if sandbox.state.throttle:
        throttle = sandbox.state.throttle
        print(f"sandbox: throttle {throttle.rate:g} SMAPI requests/s per LWA client, burst "
              f"{throttle.burst}", file=sys.stderr)
    try:
        while not stop.wait(0.2):
            pass
    finally:
        sandbox.stop()
    print("sandbox: stopped", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
