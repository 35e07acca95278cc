# SPDX-License-Identifier: GPL-3.0-or-later
"""What the SMAPI and LWA servers share: routing by method and path template, JSON replies,
the X-Amzn-RequestId header, error exceptions, the request log, and the one place where the
throttle, latency and faults act."""

import json
import re
import socket
import sys
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

from sandbox_knobs import RATE_EXCEEDED, retry_after

ADMIN_PREFIX = "/_sandbox"


class ApiError(Exception):
    """Raised by a route to answer with an error status and body."""

    def __init__(self, status, body, headers=None):
        super().__init__(body.get("message") or body.get("error_description") or str(status))
        self.status = status
        self.body = body
        self.headers = headers or {}


class Reply:
    def __init__(self, status, body=None, headers=None):
        self.status = status
        self.body = body
        self.headers = headers or {}


class Route:
    """`template` like /v0/developmentEvents/subscribers/{subscriberId}; its text is also the
    counter key, so counters group calls by operation rather than by ID."""

    def __init__(self, method, template, handler, write=False):
        self.method = method
        self.template = template
        self.handler = handler
        self.write = write
        pattern = re.sub(r"\\{(\w+)\\}", r"(?P<\1>[^/]+)", re.escape(template))
        self.regex = re.compile(f"^{pattern}$")


class Request:
    def __init__(self, handler, route, params, body):
        self.handler = handler
        self.route = route
        self.params = params
        self.raw_body = body
        split = urlsplit(handler.path)
        self.path = split.path
        self.query_string = split.query
        # Single-valued view of the query; blanks kept so `vendorId=` is reported as empty.
        self.query = {k: v[0] for k, v in parse_qs(split.query, keep_blank_values=True).items()}
        self.headers = handler.headers
        self.request_id = handler.request_id
        self.client_id = None  # set once the caller is known, for the request log

    @property
    def state(self):
        return self.handler.server.state

    @property
    def deliverer(self):
        return self.handler.server.deliverer

    def json(self):
        """The body as a JSON object ({} when empty)."""
        if not self.raw_body.strip():
            return {}
        try:
            body = json.loads(self.raw_body)
        except ValueError as exc:
            raise ApiError(400, {"message": f"Request body is not valid JSON: {exc}",
                                 "violations": [{"code": "INVALID_REQUEST_BODY",
                                                 "message": "body: not valid JSON"}]})
        if not isinstance(body, dict):
            raise ApiError(400, {"message": "Request body must be a JSON object.",
                                 "violations": [{"code": "INVALID_REQUEST_BODY",
                                                 "message": "body: must be a JSON object"}]})
        return body


class JsonHandler(BaseHTTPRequestHandler):
    """Subclasses set `service` and `routes`, and may override `not_found_body`, `fault_body`
    and `throttle_key`."""

    protocol_version = "HTTP/1.1"
    server_version = "sdns-sandbox"
    timeout = 30  # idle keep-alive connections go away instead of pinning a thread forever
    # TCP_NODELAY. Headers and body leave in two writes; with Nagle's algorithm the body waits
    # for the client's delayed ACK of the headers, which adds about 40 ms to every answer on a
    # kept-alive connection (a client's session), and a benchmark would measure that.
    disable_nagle_algorithm = True
    service = ""
    routes = []

    @property
    def state(self):
        return self.server.state

    def do_GET(self):
        self._dispatch()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_GET

    def not_found_body(self, message):
        return {"code": "NOT_FOUND", "message": message}

    def fault_body(self, message):
        """The error body of an injected error status."""
        return {"message": message}

    def request_kind(self):
        """The by_kind counter of a request: `read` for GET, `write` for the other methods."""
        return "read" if self.command == "GET" else "write"

    def throttle_key(self, request):
        """The bucket of the throttle a request draws from, or None when the server is not
        throttled (the default)."""
        return None

    def _dispatch(self):
        self.request_id = str(uuid.uuid4())
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        path = urlsplit(self.path).path
        route, params, allowed = None, {}, []
        for candidate in self.routes:
            match = candidate.regex.match(path)
            if match:
                allowed.append(candidate.method)
                if candidate.method == self.command:
                    route = candidate
                    params = {k: unquote(v) for k, v in match.groupdict().items()}
        request = Request(self, route, params, raw)
        admin = path.startswith(ADMIN_PREFIX)
        # The one place the throttle, latency and faults act; the admin API has none of them.
        # The throttle comes first, as an API's front door does: it decides when the request
        # arrives, and a refused request is answered at once, without the latency (which stands
        # for the service's work) and without reaching a fault.
        refused = None if admin else self._throttle(request)
        if refused:
            self.log_request_entry(request, refused, throttled=True)
            self._send(refused)
            return
        # Each connection has its own thread, so concurrent requests wait side by side.
        latency = 0 if admin else self.state.latency
        if latency:
            time.sleep(latency)
        fault = None if admin else self.state.take_fault(self.command, path)
        if fault:
            fault.hold()
        reply = None  # a reset fault neither operates nor answers
        if fault is None or fault.operates:
            reply = self._handle(request, allowed)
        elif fault.status:
            headers = {}
            if fault.retry_after is not None and fault.status in (429, 503):
                headers["Retry-After"] = f"{fault.retry_after:g}"
            reply = Reply(fault.status, self.fault_body(f"Injected fault {fault.fault}"),
                          headers)
        # Logged before the answer leaves, so that a client that reads the log right after the
        # answer always finds its call there.
        self.log_request_entry(request, reply, dropped=bool(fault and fault.drops), fault=fault)
        if fault and fault.drops:
            self._drop_connection()
        else:
            self._send(reply)

    def _throttle(self, request):
        """The 429 of a request beyond its client's rate, or None to go on."""
        throttle = self.state.throttle
        key = self.throttle_key(request) if throttle else None
        if key is None:
            return None
        wait = throttle.take(key)
        if not wait:
            return None
        return Reply(429, dict(RATE_EXCEEDED), {"Retry-After": str(retry_after(wait))})

    def _handle(self, request, allowed):
        try:
            if request.route is None:
                if allowed:
                    raise ApiError(405, {"message": f"{self.command} is not allowed on "
                                                    f"{request.path}."},
                                   {"Allow": ", ".join(allowed)})
                raise ApiError(404, self.not_found_body(f"No such resource: {request.path}"))
            return request.route.handler(request)
        except ApiError as exc:
            return Reply(exc.status, exc.body, exc.headers)
        except Exception as exc:  # a sandbox bug must still answer, and say what broke
            print(f"sandbox: {self.command} {self.path} failed: {exc!r}", file=sys.stderr)
            return Reply(500, {"message": f"Sandbox internal error: {exc}"})

    def _drop_connection(self):
        """Close the connection without a response; the client sees it disconnect."""
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _send(self, reply):
        try:
            self._write(reply)
        except OSError:  # the client gave up (e.g. timed out during a delay fault)
            self.close_connection = True

    def _write(self, reply):
        data = b""
        if reply.body is not None:
            data = json.dumps(reply.body).encode("utf-8")
        self.send_response(reply.status)
        self.send_header("X-Amzn-RequestId", self.request_id)
        if reply.body is not None:
            self.send_header("Content-Type", "application/json;charset=UTF-8")
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if data:
            self.wfile.write(data)

    def log_request_entry(self, request, reply, dropped=False, throttled=False, fault=None):
        """Record the call unless it is the admin API (the log is about the client's calls).
        A dropped connection is logged with status 0; `throttled`: refused by the throttle;
        `fault`: the armed fault that fired on it, whose kind the entry names (a reset and a
        commit_then_reset both log status 0, but only the latter stored anything)."""
        if request.path.startswith(ADMIN_PREFIX):
            return
        template = request.route.template if request.route else request.path
        status = 0 if dropped else reply.status
        self.state.record_request(
            {"service": self.service, "method": self.command, "path": request.path,
             "query": request.query, "status": status, "client_id": request.client_id,
             "request_id": self.request_id, "at": round(time.time(), 3),
             "fault": fault.fault if fault else None},
            f"{self.command} {template} {status}",
            write=bool(request.route and request.route.write),
            done=reply is not None and reply.status < 400,
            kind=self.request_kind(), throttled=throttled)

    def log_message(self, format, *args):  # noqa: A002 - signature fixed by the base class
        if getattr(self.server, "verbose", False):
            super().log_message(format, *args)


class SandboxServer(ThreadingHTTPServer):
    """One thread per connection, so concurrent clients are served (and wait out latency)
    side by side."""

    daemon_threads = True
    # The listen backlog. socketserver's default of 5 is overrun when a dozen or more clients
    # connect at the same moment: the kernel drops the surplus handshakes and those clients
    # retry a second later, which a benchmark would measure as server slowness.
    request_queue_size = 128


def make_server(host, port, handler_class, state, deliverer=None, verbose=False):
    server = SandboxServer((host, port), handler_class)
    server.state = state
    server.verbose = verbose
    server.deliverer = deliverer
    return server
