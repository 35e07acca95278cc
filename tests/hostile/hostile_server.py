# -*- coding: utf-8 -*-
# Copyright: contributors to the skillops.alexa collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A hostile SMAPI and LWA server for tests/hostile: it answers like the services, or the way a
broken proxy, a wrong URL or an attacker would.

One server (stdlib http.server, threaded, loopback only) hosts many scenarios at once, each on a
port of its own: a client whose smapi_url or lwa_url is ``server.url(name)`` reaches scenario
``name``, whose routes say how each (method, path) is answered; what no route names is answered as the services
would (``NORMAL``). Every request is recorded with its scenario, headers, body and time, and every
access token the server mints is kept, so that a test can count the requests and search the output
for what must never show. A second instance, the "elsewhere" server, is where redirects point: it
answers normally, so that a client that followed one would succeed, and records what reached it.

Every behaviour is bounded: a drip stops after DRIP_LIMIT steps or when the server stops, endless
pages end after ENDLESS_PAGES, and nothing waits on the client.
"""

import json
import socket
import threading
import time
import uuid
from collections import namedtuple
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, quote_plus, urlsplit

TOKEN_PATH = '/auth/o2/token'
SUBSCRIBERS_PATH = '/v0/developmentEvents/subscribers'
SUBSCRIPTIONS_PATH = '/v0/developmentEvents/subscriptions'
VENDORS_PATH = '/v1/vendors'

# Characters that change under URL-encoding (all of them) and JSON-escaping (the quote), so that a
# secret's spellings differ and a search for one spelling cannot stand in for the others.
SECRET_CHARACTERS = '|/+="&%'
MAX_REQUEST_BODY = 1024 * 1024
DRIP_LIMIT = 90          # a drip sends at most that many pieces: bounded even if the client never gives up
ENDLESS_PAGES = 1000     # far beyond the client's MAX_PAGES (200): a client that keeps following ends anyway
EXCERPT_BUDGET = 150     # the client quotes the first 160 characters of a body; echoes fit whole secrets in 150
EXCERPT_CHARS = 160      # the client's EXCERPT_CHARS, where the straddling echo cuts a secret


class Sentinels:
    """Distinctive secrets for one case. Each holds a marker (hex) that no other text holds, and
    survives URL-encoding and JSON-escaping unchanged; a secret found whole or in part (a prefix
    of a dozen characters past its label) is found by its marker."""

    def __init__(self):
        self.client_id = 'amzn1.application-oa2-client.hostile%s' % uuid.uuid4().hex[:8]
        self.access_token = secret('Atza|given-SENTINEL')
        self.refresh_token = secret('Atzr|refresh-SENTINEL')
        self.client_secret = secret('client-secret-SENTINEL')
        self.code = secret('code-SENTINEL')

    def values(self):
        return dict(client_id=self.client_id, access_token=self.access_token, refresh_token=self.refresh_token,
                    client_secret=self.client_secret, code=self.code)

    def secrets(self):
        return [self.access_token, self.refresh_token, self.client_secret, self.code]


def secret(label):
    return '%s-%s%s' % (label, uuid.uuid4().hex, SECRET_CHARACTERS)


def marker(value):
    """What identifies a secret made by ``secret``: the first 12 hex digits after its label."""
    return value.rsplit('-', 1)[1][:12]


def spellings(value):
    """The spellings of a value a server may echo: as is, URL-encoded (every way), JSON-escaped."""
    return dict(plain=value, quote=quote(value, safe=''), quote_plus=quote_plus(value), quote_path=quote(value),
                json=json.dumps(value)[1:-1])


# ``at``: time.monotonic() when the request came; ``wall``: time.time(), to compare with other processes' clocks.
Recorded = namedtuple('Recorded', ['scenario', 'method', 'path', 'query', 'headers', 'body', 'at', 'wall'])


class Exchange:
    """One request being answered: what came, and the ways to answer it."""

    def __init__(self, server, handler, request):
        self.server = server
        self.handler = handler
        self.request = request

    @property
    def scenario(self):
        return self.request.scenario

    @property
    def form(self):
        """The request's form (LWA's token request), one value per field."""
        return dict((key, values[0]) for key, values in
                    parse_qs(self.request.body.decode('utf-8', 'replace'), keep_blank_values=True).items())

    def send(self, status, body=b'', content_type='application/json', headers=(), content_length=None):
        body = body if isinstance(body, bytes) else body.encode('utf-8')
        self.handler.send_response(status)
        if content_type:
            self.handler.send_header('Content-Type', content_type)
        self.handler.send_header('Content-Length', str(len(body) if content_length is None else content_length))
        for name, value in headers:
            self.handler.send_header(name, value)
        self.handler.end_headers()
        self.handler.wfile.write(body)

    def send_json(self, status, value, headers=()):
        self.send(status, json.dumps(value), headers=headers)

    def write(self, data):
        self.handler.wfile.write(data if isinstance(data, bytes) else data.encode('latin-1'))

    def pause(self, seconds):
        """Wait; False once the server is stopping (the behaviour should then end)."""
        return not self.server.stopping.wait(seconds)

    def mint(self, kind='Atza|minted'):
        """A new token, kept as a secret of the scenario."""
        token = secret(kind)
        self.server.minted.append((self.scenario, token))
        return token


# --- normal answers ------------------------------------------------------------------------------

def token_answer(exchange):
    answer = dict(access_token=exchange.mint(), token_type='bearer', expires_in=3600)
    if exchange.form.get('grant_type') == 'authorization_code':
        answer['refresh_token'] = exchange.mint('Atzr|minted')
    exchange.send_json(200, answer)


def subscriber(number, vendor_id='M1HOSTILE'):
    return dict(subscriberId='amzn1.ask-subscriber.hostile-%s' % number, name='hostile-%s' % number,
                vendorId=vendor_id, status='ACTIVE', clientId='amzn1.application-oa2-client.owner',
                endpoint=dict(uri='arn:aws:sns:us-east-1:123456789012:hostile',
                              authorization=dict(type='AWS_IAM', arn='arn:aws:iam::123456789012:role/hostile')))


def subscribers_answer(exchange):
    exchange.send_json(200, dict(subscribers=[subscriber(1)]))


def subscriptions_answer(exchange):
    exchange.send_json(200, dict(subscriptions=[]))


def vendors_answer(exchange):
    exchange.send_json(200, dict(vendors=[dict(id='M1HOSTILE', name='Hostile', roles=['ROLE_ADMINISTRATOR'])]))


def created_answer(exchange):
    new_id = 'amzn1.ask-created.%s' % uuid.uuid4().hex[:12]
    exchange.send(201, b'', headers=[('Location', '%s/%s' % (exchange.request.path, new_id))])


NORMAL = {
    ('POST', TOKEN_PATH): token_answer,
    ('GET', SUBSCRIBERS_PATH): subscribers_answer,
    ('GET', SUBSCRIPTIONS_PATH): subscriptions_answer,
    ('GET', VENDORS_PATH): vendors_answer,
    ('POST', SUBSCRIBERS_PATH): created_answer,
    ('POST', SUBSCRIPTIONS_PATH): created_answer,
}


def not_found(exchange):
    exchange.send_json(404, dict(message='Resource not found.'))


# --- hostile answers -----------------------------------------------------------------------------

def redirect(status, to='elsewhere'):
    """Send the client to the same path and query on the elsewhere server, or (``to`` relative) to
    another path of this server."""
    def behaviour(exchange):
        query = exchange.handler.path.partition('?')[2]
        if to == 'relative':
            location = '/moved' + exchange.request.path
        else:
            location = exchange.server.elsewhere.url(exchange.scenario) + exchange.request.path
        location += '?' + query if query else ''
        exchange.send(status, '<html><body>Moved</body></html>', 'text/html', headers=[('Location', location)])
    return behaviour


def answer(status, body, content_type='application/json'):
    """A fixed answer (the Content-Length always matches what is sent)."""
    def behaviour(exchange):
        exchange.send(status, body, content_type)
    return behaviour


MINT = object()


def token(**fields):
    """A token answer of these fields; an access_token of MINT is a freshly minted token."""
    def behaviour(exchange):
        exchange.send_json(200, dict((key, exchange.mint() if value is MINT else value) for key, value in fields.items()))
    return behaviour


def drip_headers(interval=1.0, then=None):
    """The status line at once, then a header line every ``interval`` seconds, each within any
    read timeout; after DRIP_LIMIT lines a complete answer (``then``'s JSON)."""
    def behaviour(exchange):
        exchange.handler.close_connection = True
        exchange.write('HTTP/1.1 200 OK\r\n')
        for line in range(DRIP_LIMIT):
            if not exchange.pause(interval):
                return
            exchange.write('X-Drip-%d: %d\r\n' % (line, line))
        body = json.dumps(then if then is not None else {}).encode()
        exchange.write('Content-Type: application/json\r\nContent-Length: %d\r\n\r\n' % len(body))
        exchange.write(body)
    return behaviour


def drip_body(value, interval=1.0):
    """The headers at once, then the body (``value`` as JSON, padded) one byte every ``interval`` seconds."""
    def behaviour(exchange):
        exchange.handler.close_connection = True
        body = json.dumps(value).encode()
        body += b' ' * max(0, DRIP_LIMIT - len(body))
        exchange.send(200, b'', content_length=len(body))
        for index in range(len(body)):
            if not exchange.pause(interval):
                return
            exchange.write(body[index:index + 1])
    return behaviour


def echoed(exchange):
    """The secrets a request carried, as it carried them: the bearer token of its Authorization
    header, the secret fields of its form (client_secret, refresh_token, code), and the raw form."""
    values = []
    authorization = exchange.request.headers.get('Authorization') or ''
    if authorization:
        values.append(authorization.split(' ', 1)[-1])
    form = exchange.form
    values.extend(form[key] for key in ('client_secret', 'refresh_token', 'code') if form.get(key))
    return values


def echo(status, kind='json', form=None):
    """An error body that repeats what the request carried.

    ``kind`` json: SMAPI's {message, violations} (LWA's {error, error_description} on the token path)
    holding the Authorization header, the raw request body, and each secret in every spelling; the
    client shows such a message whole. ``kind`` text or html: a plain or HTML body (html with status 200)
    holding, as the start the client quotes, every secret in the spelling ``form`` (whole secrets
    only, within EXCERPT_BUDGET characters)."""
    def behaviour(exchange):
        values = echoed(exchange)
        if kind == 'json':
            text = ' '.join(['echo: Authorization: %s' % exchange.request.headers.get('Authorization'),
                             'body: %s' % exchange.request.body.decode('utf-8', 'replace')]
                            + [spelled for value in values for spelled in spellings(value).values()])
            if exchange.request.path == TOKEN_PATH:
                exchange.send_json(status, dict(error='invalid_grant', error_description=text))
            else:
                exchange.send_json(status, dict(message=text, violations=[dict(code='ECHO', message=text)]))
            return
        shown = 'echo:'
        for value in values:
            spelled = spellings(value)[form or 'plain']
            if len(shown) + 1 + len(spelled) <= EXCERPT_BUDGET:
                shown += ' ' + spelled
        padding = ' ' + '.' * 200
        if kind == 'html':
            exchange.send(status, '<html><body>%s%s</body></html>' % (shown, padding), 'text/html; charset=utf-8')
        else:
            exchange.send(status, shown + padding, 'text/plain; charset=utf-8')
    return behaviour


def echo_straddling(status=400):
    """A plain error body whose first secret crosses the client's excerpt limit: the quoted start
    ends in the middle of the secret, after its label and marker."""
    def behaviour(exchange):
        value = echoed(exchange)[0]
        cut = value.index(marker(value)) + len(marker(value))
        text = 'x' * (EXCERPT_CHARS - cut - 1) + ' ' + value + ' ' + '.' * 200
        exchange.send(status, text, 'text/plain; charset=utf-8')
    return behaviour


def pages(kind, item_key, id_key):
    """A list operation that does not let the listing end: ``endless`` (a new nextToken with every
    page, until ENDLESS_PAGES), ``repeat`` (the same nextToken every time) or ``empty`` (no items
    and a nextToken)."""
    served = []
    lock = threading.Lock()

    def behaviour(exchange):
        with lock:
            served.append(1)
            number = len(served)
        last = number >= ENDLESS_PAGES
        # Whole items (a subscription's subscriber and vendor too): only the listing itself misbehaves.
        items = [] if kind == 'empty' else [{id_key: 'amzn1.ask-%s.page-%d' % (item_key, number),
                                             'name': 'page-%d' % number, 'subscriberId': 'amzn1.ask-subscriber.hostile-1',
                                             'vendorId': 'M1HOSTILE'}]
        page = {item_key: items}
        if not last:
            page['nextToken'] = 'page-token-%d' % (number + 1) if kind == 'endless' else 'page-token-again'
        exchange.send_json(200, page)
    return behaviour


# --- the server ----------------------------------------------------------------------------------

class _Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def setup(self):
        super().setup()
        # Headers and body go in separate writes: without this, Nagle's algorithm and the client's
        # delayed ACK hold every answer some 40 ms on a kept-alive connection.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _dispatch(self):
        self.server.hostile.handle(self)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _dispatch

    def log_message(self, *args):  # quiet: the tests print what matters
        pass


class _HttpServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):  # a client that hung up is no news here
        pass


class HostileServer:
    """Scenarios (see the module's docstring), each on a loopback port of its own, so that the paths
    are the services' own; a context manager that stops them all."""

    def __init__(self, name='hostile'):
        self.name = name
        self.requests = []
        self.minted = []  # (scenario, token)
        self.elsewhere = None  # where redirects point
        self.stopping = threading.Event()
        self._scenarios = {}
        self._listeners = {}
        self._lock = threading.Lock()

    def url(self, scenario):
        """The base URL (smapi_url, lwa_url) of a scenario: the origin of its own listener."""
        with self._lock:
            if scenario not in self._listeners:
                httpd = _HttpServer(('127.0.0.1', 0), _Handler)
                httpd.hostile, httpd.scenario = self, scenario
                threading.Thread(target=httpd.serve_forever, kwargs=dict(poll_interval=0.5),
                                 name='%s-%s' % (self.name, scenario), daemon=True).start()
                self._listeners[scenario] = httpd
            return 'http://127.0.0.1:%d' % self._listeners[scenario].server_address[1]

    def script(self, scenario, routes=None):
        """Answer the scenario's requests with ``routes`` ((method, path): behaviour), else normally."""
        with self._lock:
            if scenario in self._scenarios:
                raise ValueError('scenario %s is scripted twice' % scenario)
            self._scenarios[scenario] = dict(routes or {})
        return self.url(scenario)

    def got(self, scenario, method=None, path=None):
        """The requests of a scenario, of one method and path if given."""
        with self._lock:
            return [r for r in self.requests if r.scenario == scenario and method in (None, r.method)
                    and path in (None, r.path)]

    def minted_for(self, scenario):
        return [value for name, value in self.minted if name == scenario]

    def handle(self, handler):
        scenario = handler.server.scenario
        split = urlsplit(handler.path)
        length = min(int(handler.headers.get('Content-Length') or 0), MAX_REQUEST_BODY)
        request = Recorded(scenario, handler.command, split.path, parse_qs(split.query), dict(handler.headers.items()),
                           handler.rfile.read(length) if length else b'', time.monotonic(), time.time())
        with self._lock:
            self.requests.append(request)
            routes = self._scenarios.get(scenario, {})
        behaviour = routes.get((request.method, request.path)) or NORMAL.get((request.method, request.path)) or not_found
        try:
            behaviour(Exchange(self, handler, request))
        except OSError:  # the client shut the connection down (a deadline): nothing more to say
            handler.close_connection = True

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.stopping.set()
        with self._lock:
            listeners = list(self._listeners.values())
        # Each shutdown waits for its loop's next poll: all at once.
        stoppers = [threading.Thread(target=httpd.shutdown) for httpd in listeners]
        for stopper in stoppers:
            stopper.start()
        for stopper in stoppers:
            stopper.join(5)
        for httpd in listeners:
            httpd.server_close()
