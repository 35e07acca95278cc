# SPDX-License-Identifier: GPL-3.0-or-later
"""What the EDA tests and make demo-eda drive, run inside hacking/with-sandbox.sh with the demo seed's
credentials exported: the sandbox's admin API, ansible-playbook, the real ansible-rulebook running
one of the collection's rulebooks, and the notices its jobs write (skillops.alexa.sdns_notify)."""

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)


def wait_for(what, check, timeout=60, every=0.3):
    """The first truthy result of ``check()``; fails naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError('timed out after %ss waiting for %s' % (timeout, what))
        time.sleep(every)


def playbook(*args):
    result = subprocess.run([os.path.join(BIN, 'ansible-playbook'), '-i', 'localhost,', *args],
                            cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    return result.stdout


class Sandbox:
    """The sandbox's admin API: raise events as SDNS would see them happen, read its state."""

    def __init__(self):
        self.url = os.environ['ASK_SMAPI_SERVER_BASE_URL'] + '/_sandbox'
        self.vendor_id = os.environ['ASK_VENDOR_ID']
        self.client_id = os.environ['ASK_LWA_CLIENT_ID']

    def _call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + path, data=data, method=method,
                                         headers={'Content-Type': 'application/json'})
        with urllib.request.urlopen(request, timeout=30) as answer:
            return json.load(answer)

    def raise_event(self, event, skill_id, changed_by=None, **fields):
        """What SDNS delivered for a change of skill ``skill_id`` (the sandbox delivers at once)."""
        body = dict(vendor_id=self.vendor_id, skill_id=skill_id, event=event,
                    changed_by=changed_by or self.client_id, **fields)
        return self._call('POST', '/events', body)['deliveries']

    def subscribers(self):
        return self._call('GET', '/state')['subscribers']

    def arm_fault(self, **fault):
        self._call('POST', '/faults', fault)

    def requests(self):
        """The SMAPI and LWA requests the sandbox answered, oldest first."""
        return self._call('GET', '/requests')['requests']


class Notices:
    """What skillops.alexa.sdns_notify wrote: one JSON file per notice."""

    def __init__(self, directory):
        self.directory = directory

    def all(self):
        """Every notice, oldest first."""
        if not os.path.isdir(self.directory):
            return []
        paths = sorted((os.path.join(self.directory, name) for name in os.listdir(self.directory)),
                       key=os.path.getmtime)
        found = []
        for path in paths:
            with open(path) as notice:
                found.append(json.load(notice))
        return found

    def about(self, predicate):
        return [notice for notice in self.all() if predicate(notice['details'])]


class Webhook:
    """A loopback HTTP server that keeps what is POSTed to it, by path."""

    def __init__(self):
        self.posts = []
        received = self.posts

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                length = int(self.headers.get('Content-Length', 0))
                received.append((self.path, json.loads(self.rfile.read(length))))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.url = 'http://127.0.0.1:%d' % self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def to(self, path):
        return [body for posted, body in self.posts if posted == path]


class Rulebook:
    """ansible-rulebook running one of the collection's rulebooks, its output in a log file."""

    def __init__(self, name, variables, workdir, rulebook=None, environment=None, shutdown_delay=60):
        """Run the collection's rulebook ``name``, or the rulebook file ``rulebook`` under that name,
        with ``environment`` added to this process's (a value None takes the variable away). After a
        clean stop ansible-rulebook goes on with its pending jobs for ``shutdown_delay`` seconds."""
        self.log_path = os.path.join(workdir, '%s.log' % name)
        vars_path = os.path.join(workdir, '%s.vars.json' % name)
        inventory = os.path.join(workdir, 'inventory.yml')
        with open(vars_path, 'w') as handle:
            json.dump(variables, handle)
        with open(inventory, 'w') as handle:
            handle.write('all:\n  hosts:\n    localhost:\n      ansible_connection: local\n')
        self._log = open(self.log_path, 'w')
        self.process = subprocess.Popen(
            [os.path.join(BIN, 'ansible-rulebook'), '-i', inventory, '-r', rulebook or 'skillops.alexa.' + name,
             '--vars', vars_path, '--shutdown-delay', str(shutdown_delay), '-v'],
            cwd=workdir, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True,
            env={key: value for key, value in dict(os.environ, **(environment or {})).items() if value is not None})
        wait_for('ansible-rulebook to start %s (log %s)' % (name, self.log_path),
                 lambda: 'Waiting for events' in self.log() or self._ended())

    def _ended(self):
        if self.process.poll() is not None:
            raise AssertionError('ansible-rulebook ended (%s):\n%s' % (self.process.returncode, self.log()[-4000:]))
        return False

    def log(self):
        with open(self.log_path) as handle:
            return handle.read()

    def kill(self, signum, stop_timeout=30):
        """Send ``signum`` to ansible-rulebook and its jobs (as a terminal's Ctrl-C or a service
        manager's stop reaches the whole group) and wait until it has ended; after ``stop_timeout``
        seconds send SIGKILL, as systemd and podman do. Returns whether it needed SIGKILL:
        ansible-rulebook 1.3 at times does not end after a clean shutdown of its own."""
        os.killpg(self.process.pid, signum)
        try:
            self.process.wait(timeout=stop_timeout)
            return False
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)
            return True
        finally:
            self._log.close()

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self._log.close()


def sns_envelope(message, topic_arn, message_id=None):
    """A message as SNS puts it into an SQS queue: the standard envelope around ``message``."""
    return json.dumps({'Type': 'Notification', 'MessageId': message_id or str(uuid.uuid4()),
                       'TopicArn': topic_arn, 'Message': message,
                       'Timestamp': '2026-11-30T08:00:00.000Z', 'SignatureVersion': '1',
                       'Signature': 'c2lnbmF0dXJl', 'SigningCertURL': 'https://sns.invalid/cert.pem',
                       'UnsubscribeURL': 'https://sns.invalid/unsubscribe'})


@contextlib.contextmanager
def running_source(name, args, put):
    """The collection's event source ``name``, loaded as ansible-rulebook loads it (by path) and run on
    an event loop of its own in a thread, with ``put`` (a coroutine function) as its queue's put;
    yields the function that stops it as ansible-rulebook does, by cancelling it."""
    import asyncio
    import runpy

    path = os.path.join(os.environ['ANSIBLE_COLLECTIONS_PATH'], 'ansible_collections', 'skillops', 'alexa',
                        'extensions', 'eda', 'plugins', 'event_source', name + '.py')
    module = runpy.run_path(path)

    class Queue(asyncio.Queue):
        async def put(self, item):
            await put(item)

    loop = asyncio.new_event_loop()
    task = loop.create_task(module['main'](Queue(), args))

    def run():
        with contextlib.suppress(asyncio.CancelledError):
            loop.run_until_complete(task)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()

    def stop():
        loop.call_soon_threadsafe(task.cancel)
        thread.join(timeout=30)
        assert not thread.is_alive(), 'the source did not stop when cancelled'

    try:
        yield stop
    finally:
        if thread.is_alive():
            stop()
