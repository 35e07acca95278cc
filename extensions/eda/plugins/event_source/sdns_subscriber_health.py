# Copyright: contributors to the skillops.alexa collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The event source skillops.alexa.sdns_subscriber_health: subscribers that turn INACTIVE, and back."""

import asyncio
import logging
import os
import sys

# ansible-rulebook runs this file by path, not as part of a package: the collection's module_utils
# import once the directory that holds ansible_collections/ is on sys.path.
_COLLECTIONS = os.path.normpath(os.path.join(os.path.abspath(__file__), *[os.pardir] * 7))
if os.path.basename(_COLLECTIONS) == 'ansible_collections' and os.path.dirname(_COLLECTIONS) not in sys.path:
    sys.path.insert(0, os.path.dirname(_COLLECTIONS))

# pylint: disable=wrong-import-position
from ansible_collections.skillops.alexa.plugins.module_utils._errors import SkillopsError  # noqa: E402
from ansible_collections.skillops.alexa.plugins.module_utils._events import status_changes  # noqa: E402
from ansible_collections.skillops.alexa.plugins.module_utils._config import (  # noqa: E402
    can_refresh, credentials_problem, explain, options_outside_a_module, secrets_of, smapi_client, transport_for,
    transport_problem)
from ansible_collections.skillops.alexa.plugins.module_utils._sdns import list_subscribers  # noqa: E402

DOCUMENTATION = r"""
---
short_description: Watch the status of Alexa Skill Development Notifications subscribers
description:
  - Lists the subscribers of a vendor through SMAPI, O(interval) seconds after the last look ended, and
    emits an event when one turns C(INACTIVE) (SDNS failed to deliver to it and sends it nothing more
    until it is updated), and when an C(INACTIVE) one is C(ACTIVE) again. A subscriber already C(INACTIVE) at the first look
    is reported too; nothing is emitted while the status stays as it was.
  - The event holds C(sdns_health) with C(change) (C(inactive) or C(recovered)), C(status),
    C(previous_status) and C(subscriber) as P(skillops.alexa.sdns_subscriber_info#module) returns one
    (C(subscriber_id), C(name), C(vendor_id), C(status), C(client_id), C(topic_arn), C(role_arn)).
  - Takes the options and environment variables the collection's modules share (doc fragment
    C(skillops.alexa.smapi)), and uses one access token for the whole run, minted from the refresh
    credentials and refreshed when it expires. An O(access_token) alone expires after an hour, and
    every look fails from then on; give the refresh credentials to a source that runs for long.
  - A failed look is logged and the next one made after O(interval) seconds, with a new client (so
    that a failed token request is asked for again).
  - Its requests follow no redirect and end at their O(timeout) deadline, and every secret it is given
    or mints is masked in what it logs, as for the modules.
  - Needs ansible-core and requests in the Python of ansible-rulebook.
# The shared options, documented once (the docsite's page of this source lists them).
extends_documentation_fragment:
  - skillops.alexa.smapi
options:
  vendor_id:
    description: Vendor whose subscribers to watch. Defaults to E(ASK_VENDOR_ID).
    type: str
  interval:
    description: Seconds between two looks.
    type: float
    default: 60
"""

EXAMPLES = r"""
- skillops.alexa.sdns_subscriber_health:
    vendor_id: M1EXAMPLEVENDOR
    interval: 300
"""

logger = logging.getLogger(__name__)


def _interval(args):
    try:
        value = float(args.get('interval', 60))
    except (TypeError, ValueError):
        value = 0
    if value <= 0:
        raise ValueError('skillops.alexa.sdns_subscriber_health: interval must be a number of seconds '
                         'above 0, not %r' % (args.get('interval'),))
    return value


def _look(smapi, vendor_id):
    return list(list_subscribers(smapi, vendor_id))


async def main(queue, args):
    """The entry point ansible-rulebook calls."""
    try:
        params = options_outside_a_module(args)
    except SkillopsError as error:
        raise ValueError('skillops.alexa.sdns_subscriber_health: %s' % error) from None
    problem = credentials_problem(params) or transport_problem(params)
    if problem:
        raise ValueError('skillops.alexa.sdns_subscriber_health: %s' % problem)
    if not params['vendor_id']:
        raise ValueError('skillops.alexa.sdns_subscriber_health: vendor_id is required: set vendor_id or the '
                         'environment variable ASK_VENDOR_ID to the vendor whose subscribers to watch')
    interval = _interval(args)
    if not can_refresh(params):
        logger.warning('skillops.alexa.sdns_subscriber_health: only an access token is given; it cannot be '
                       'refreshed, so the looks fail once it expires (after an hour)')
    # Every secret given or minted, masked in whatever the source logs (it has no no_log to hide them).
    secrets = secrets_of(params)
    smapi = None
    statuses = {}
    while True:
        # One client, and so one access token, for as long as the looks succeed.
        smapi = smapi or smapi_client(params, transport_for(params), secrets)
        try:
            # The client blocks (and sleeps between retries): run it beside the event loop.
            summaries = await asyncio.to_thread(_look, smapi, params['vendor_id'])
            events, statuses = status_changes(statuses, summaries, params['vendor_id'])
        except Exception as error:  # pylint: disable=broad-except
            # A failed look (or an answer it did not foresee) must not stop the source.
            logger.warning('skillops.alexa.sdns_subscriber_health: listing the subscribers of %s failed: %s',
                           params['vendor_id'],
                           secrets.mask(explain(error) if isinstance(error, SkillopsError) else repr(error)))
            # The client remembers a failed token request; the next look starts afresh.
            smapi = None
        else:
            for event in events:
                await queue.put(event)
        await asyncio.sleep(interval)


if __name__ == '__main__':
    class PrintQueue(asyncio.Queue):
        async def put(self, item):
            print(item)

    asyncio.run(main(PrintQueue(), dict(interval=5)))
