# SPDX-License-Identifier: GPL-3.0-or-later
"""Knobs for realistic SMAPI conditions, set on the command line, through the Sandbox class or
with POST /_sandbox/config: a latency every SMAPI and LWA request waits before it is handled,
and a throttle that answers SMAPI requests beyond a client's rate with 429.

unverified: Amazon publishes no SMAPI rate limits. The Swagger's 429 says only "Exceed the
permitted request limit. Throttling criteria includes total requests, per API, ClientId, and
CustomerId". The throttle models the ClientId criterion alone, as a token bucket per LWA client
(the usual shape of an API gateway's limit); rate and burst are whatever the caller sets.
"""

import math
import threading
import time

MAX_LATENCY = 60  # seconds; more is a typo, and would outlast every client's timeout
ANONYMOUS = "anonymous"  # the bucket of requests without a usable access token
RATE_EXCEEDED = {"message": "Rate exceeded."}


class KnobError(ValueError):
    """A knob set to a value out of its range; the message names the knob."""


def is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool) \
        and math.isfinite(value)


def check_latency(value):
    """Seconds every request waits before it is handled."""
    if not is_number(value) or not 0 <= value <= MAX_LATENCY:
        raise KnobError(f"latency must be a number of seconds from 0 to {MAX_LATENCY}, "
                        f"got {value!r}")
    return value


def check_throttle(rate, burst=None):
    """(rate, burst): requests a second, and the bucket size, by default the rate rounded up
    and at least 1."""
    if not is_number(rate) or rate <= 0:
        raise KnobError(f"throttle rate must be a number of requests per second > 0, "
                        f"got {rate!r}")
    if burst is None:
        burst = max(1, math.ceil(rate))
    elif not isinstance(burst, int) or isinstance(burst, bool) or burst < 1:
        raise KnobError(f"throttle burst must be an integer >= 1, got {burst!r}")
    return rate, burst


def retry_after(wait):
    """Retry-After as HTTP delta-seconds: whole seconds, at least 1, and never before the
    bucket holds a token again."""
    return max(1, math.ceil(wait))


class Throttle:
    """A token bucket per key: it starts full with `burst` tokens, gains `rate` tokens a second
    up to `burst`, and each request admitted takes one. Thread-safe."""

    def __init__(self, rate, burst=None, clock=time.monotonic):
        self.rate, self.burst = check_throttle(rate, burst)
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets = {}  # key -> (tokens, when they were counted)

    def take(self, key):
        """0 when the request may go on (it took a token), else the seconds until the bucket
        holds a token; a refused request takes nothing."""
        with self._lock:
            now = self._clock()
            tokens, counted = self._buckets.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - counted) * self.rate)
            if tokens >= 1:
                self._buckets[key] = (tokens - 1, now)
                return 0
            self._buckets[key] = (tokens, now)
            return (1 - tokens) / self.rate

    def report(self):
        return {"rate": self.rate, "burst": self.burst}
