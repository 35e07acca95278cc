# Copyright: contributors to the skillops.alexa collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The event filter skillops.alexa.sdns_unwrap: SDNS notifications out of other sources' events."""

import logging
import os
import sys

# ansible-rulebook runs this file by path, not as part of a package: the collection's module_utils
# import once the directory that holds ansible_collections/ is on sys.path.
_COLLECTIONS = os.path.normpath(os.path.join(os.path.abspath(__file__), *[os.pardir] * 7))
if os.path.basename(_COLLECTIONS) == 'ansible_collections' and os.path.dirname(_COLLECTIONS) not in sys.path:
    sys.path.insert(0, os.path.dirname(_COLLECTIONS))

from ansible_collections.skillops.alexa.plugins.module_utils._events import (  # noqa: E402 pylint: disable=wrong-import-position
    Malformed, unwrap)

DOCUMENTATION = r"""
---
short_description: Take Alexa Skill Development Notifications out of SQS, SNS or webhook events
description:
  - For rulebooks that receive SDNS notifications through another source than
    P(skillops.alexa.sdns_sqs#event_source), such as C(amazon.aws.aws_sqs_queue) (the message in
    C(body)) or C(ansible.eda.webhook) behind an SNS HTTPS subscription (the envelope in C(payload)).
  - Turns the event into the one P(skillops.alexa.sdns_sqs#event_source) emits, the same code doing
    the unwrapping; keeps the event's own C(meta) and takes C(meta.MessageId) as the SQS message ID.
  - An event that holds no SDNS notification passes unchanged (a filter cannot drop it), with
    C(sdns.malformed) saying why, so that no rule on C(eventName) matches it.
"""

EXAMPLES = r"""
sources:
  - amazon.aws.aws_sqs_queue:
      name: skill-events
    filters:
      - skillops.alexa.sdns_unwrap:
"""

logger = logging.getLogger(__name__)


def _message(event):
    """Where the source put the message: amazon.aws.aws_sqs_queue in body, a webhook in payload
    (unless the event is a notification already, whose payload is its own), or the event itself."""
    if 'body' in event:
        return event['body']
    if 'payload' in event and 'eventName' not in event:
        return event['payload']
    return {key: value for key, value in event.items() if key != 'meta'}


def main(event):
    """The entry point ansible-rulebook calls for each event."""
    if isinstance(event.get('sdns'), dict):
        return event  # unwrapped already (by skillops.alexa.sdns_sqs, or this filter twice)
    meta = dict(event.get('meta') or {})
    if 'MessageId' in meta:
        meta.setdefault('sqs_message_id', meta['MessageId'])
    try:
        return unwrap(_message(event), meta=meta)
    except Exception as problem:  # pylint: disable=broad-except
        # Malformed says what is wrong; anything else must not stop the source this filter serves.
        reason = str(problem) if isinstance(problem, Malformed) else repr(problem)
        logger.warning('skillops.alexa.sdns_unwrap: not an SDNS notification: %s', reason)
        return dict(event, sdns=dict(malformed=reason))
