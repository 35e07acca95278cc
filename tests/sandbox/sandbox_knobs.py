# SPDX-License-Identifier: GPL-3.0-or-later
"""Knobs for realistic SMAPI conditions, set on the command line, through the Sandbox class or
with POST /_sandbox/config: a latency every SMAPI and LWA request waits before it is handled.
"""

import math

MAX_LATENCY = 60  # seconds; more is a typo, and would outlast every client's timeout


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
