# -*- coding: utf-8 -*-
# Copyright: contributors to the skillops.alexa collection
# Simplified BSD License (see https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause
"""The events of the collection's Event-Driven Ansible plugins (extensions/eda/).

An SDNS notification arrives as an SQS message body: the SNS envelope around the notification's
JSON, or the notification itself when the subscription uses raw message delivery. ``unwrap`` takes
it out and checks it, for the event source skillops.alexa.sdns_sqs and the event filter
skillops.alexa.sdns_unwrap alike. ``status_changes`` is what the event source
skillops.alexa.sdns_subscriber_health reports.

This is an internal module_utils of skillops.alexa, not a public API: it may change at any time.
"""

import json
import re
from urllib.parse import urlsplit

from ansible_collections.skillops.alexa.plugins.module_utils._sdns import subscriber_view

INACTIVE = 'INACTIVE'
ACTIVE = 'ACTIVE'


class Malformed(ValueError):
    """Not an SDNS notification; the message says why."""


def _parse(value, what):
    """A JSON text as its value; a value another source already parsed, as is."""
    if not isinstance(value, (str, bytes)):
        return value
    try:
        return json.loads(value)
    except (ValueError, RecursionError):
        raise Malformed('%s is not JSON (or nests too deep): %.80r' % (what, value)) from None


def queue_region(queue_url):
    """The region an SQS queue URL names (https://sqs.REGION.amazonaws.com[.cn]/ACCOUNT/NAME, or the
    older https://REGION.queue.amazonaws.com/...), or None (another endpoint, such as moto)."""
    host = urlsplit(queue_url or '').hostname or ''
    match = re.match(r'^(?:sqs\.([a-z0-9-]+)|([a-z0-9-]+)\.queue)\.amazonaws\.com(?:\.cn)?$', host)
    return (match.group(1) or match.group(2)) if match else None


def _confirmation(value):
    """What to do about the message SNS sends a queue subscribed to a topic of another account: its
    owner confirms the subscription, or the queue receives nothing from that topic."""
    return ('an SNS SubscriptionConfirmation, not a notification: topic %s asks this queue to confirm its '
            'subscription, and delivers nothing until it is confirmed (a topic in another account, or a '
            'subscription made without the right to confirm it). Confirm it as the queue\'s owner: aws sns '
            'confirm-subscription --topic-arn %s --token %s (the token expires 3 days after the message was sent; '
            'subscribe again for a new one)' % (value.get('TopicArn'), value.get('TopicArn'), value.get('Token')))


def _envelope(value):
    """The SNS envelope's facts and its Message, or None when ``value`` is not an envelope."""
    if not (isinstance(value, dict) and 'TopicArn' in value and 'Type' in value):
        return None
    if value['Type'] == 'SubscriptionConfirmation':
        raise Malformed(_confirmation(value))
    if value['Type'] != 'Notification':
        raise Malformed('an SNS %s message, not a notification' % (value['Type'],))
    meta = dict(sns_message_id=value.get('MessageId'), topic_arn=value['TopicArn'],
                published_at=value.get('Timestamp'))
    return meta, _parse(value.get('Message'), 'the SNS Message')


def _object(payload, key):
    """payload[key], which must be an object when present; {} when absent."""
    value = payload.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise Malformed('payload.%s is a JSON %s, not an object' % (key, type(value).__name__))
    return value


def _text(value, field):
    """A field rules compare with strings: a string, or absent."""
    if value is not None and not isinstance(value, str):
        raise Malformed('%s is a JSON %s, not a string' % (field, type(value).__name__))
    return value


def _star_rating(review):
    """A review's star rating as a number; SDNS sends "1" to "5" as a string."""
    rating = review.get('starRating')
    if rating is None:
        return None
    if isinstance(rating, str) and rating.strip() in ('1', '2', '3', '4', '5'):
        return int(rating)
    if isinstance(rating, (int, float)) and not isinstance(rating, bool) and rating in (1, 2, 3, 4, 5):
        return int(rating)
    raise Malformed('payload.review.starRating is not a rating from 1 to 5: %.20r' % (rating,))


def facts(notification):
    """What rules most often test, where a rule can test it: the skill and vendor (under
    payload.skill or, for a model build, payload.interactionModel), and a review's star rating as a
    number."""
    payload = notification['payload']
    where = 'payload.skill' if payload.get('skill') else 'payload.interactionModel'
    skill = _object(payload, 'skill') or _object(payload, 'interactionModel')
    found = dict(welcome=False, skill_id=_text(skill.get('skillId'), where + '.skillId'),
                 vendor_id=_text(skill.get('vendorId'), where + '.vendorId'),
                 status=_text(payload.get('status'), 'payload.status'),
                 locale=_text(skill.get('locale'), where + '.locale'),
                 star_rating=_star_rating(_object(payload, 'review')))
    return {key: value for key, value in found.items() if value is not None}


# What Jinja takes for the start of a template. A job's playbook gets the event as extra vars, which
# Ansible templates when it reads them: text like this in an event would run in the job.
TEMPLATE_MARKS = ('{{', '{%', '{#')


def _template_in(value, path):
    """The path of the first key or string in ``value`` that holds a template mark, or None."""
    if isinstance(value, str):
        return path if any(mark in value for mark in TEMPLATE_MARKS) else None
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        where = '%s[%d]' % (path, key) if isinstance(key, int) else '%s.%s' % (path, key) if path else key
        found = _template_in(key, where) if isinstance(key, str) else None
        found = found or _template_in(item, where)
        if found:
            return found
    return None


def _untemplated(event):
    """The event, refused if it holds what a playbook would run as a template: SDNS sends IDs, URLs,
    statuses and times, never such text, so it is someone else's message."""
    try:
        found = _template_in(event, '')
    except RecursionError:
        raise Malformed('the notification nests too deep') from None
    if found:
        raise Malformed('%s holds a template mark ({{, {%% or {#), which a job would run as a template: not '
                        'a notification SDNS wrote' % found)
    return event


def unwrap(body, meta=None):
    """The event for one message body (text, or a value a source already parsed): the SDNS
    notification itself (eventName, timestamp, requestId, payload), its facts under ``sdns`` and,
    under ``meta``, ``meta`` given plus the SNS message ID, topic ARN and publishing time. The
    ``{}`` SDNS publishes when a subscriber is created becomes ``{'sdns': {'welcome': True}}``.
    Raises Malformed for anything else."""
    meta = dict(meta or {})
    value = _parse(body, 'the message body')
    envelope = _envelope(value)
    if envelope:
        meta.update(envelope[0])
        value = envelope[1]
    if not isinstance(value, dict):
        raise Malformed('the notification is a JSON %s, not an object' % type(value).__name__)
    if not value:
        return _untemplated(dict(sdns=dict(welcome=True), meta=meta))
    if not isinstance(value.get('eventName'), str):
        raise Malformed('the notification has no eventName')
    if not isinstance(value.get('payload'), dict):
        raise Malformed('the %s notification has no payload object' % value['eventName'])
    return _untemplated(dict(value, sdns=facts(value), meta=meta))


def describe(event):
    """The event in one line, for a person: what happened to which skill, or to which subscriber."""
    health = event.get('sdns_health')
    if health:
        subscriber = health['subscriber']
        if health['change'] == 'recovered':
            return 'Subscriber %s (%s) is ACTIVE again' % (subscriber['name'], subscriber['subscriber_id'])
        return ('Subscriber %s (%s) is INACTIVE: SDNS failed to deliver to its topic %s and sends it nothing more '
                'until it is repaired and updated' % (subscriber['name'], subscriber['subscriber_id'],
                                                      subscriber['topic_arn']))
    known = event.get('sdns') or {}
    if known.get('welcome'):
        return 'SDNS delivered its welcome message to topic %s: the subscriber works' % (
            event.get('meta', {}).get('topic_arn') or 'unknown')
    kind = str(event.get('eventName', 'unknown event')).rsplit('.', maxsplit=1)[-1]
    skill = known.get('skill_id') or 'an unknown skill'
    if 'star_rating' in known:
        review = event['payload'].get('review', {})
        return 'A %d-star review of skill %s: %s' % (known['star_rating'], skill, review.get('url'))
    text = '%s for skill %s' % (' '.join(filter(None, (kind, known.get('status')))), skill)
    if known.get('locale'):
        text += ', locale %s' % known['locale']
    return '%s (vendor %s, request %s)' % (text, known.get('vendor_id'), event.get('requestId', 'none'))


def identity(event):
    """What tells a message delivered again from a new one: the SNS message ID, which SNS keeps
    when it delivers a message twice and SQS when it hands one out again. Raw message delivery
    has no SNS ID; then the SQS message ID, which SQS keeps across its own redeliveries but SNS
    does not (a message SNS delivers twice raw is two messages to SQS, and two events)."""
    return event['meta'].get('sns_message_id') or event['meta'].get('sqs_message_id')


def status_changes(previous, summaries, vendor_id):
    """The events for the subscribers whose status changed since the last look: one turned INACTIVE
    (or was so at the first look, when ``previous`` has no status for it), or one INACTIVE before is
    ACTIVE again. ``previous`` maps subscriber IDs to their last status; returns (events, statuses)."""
    events = []
    statuses = {}
    for summary in summaries:
        view = subscriber_view(summary, vendor_id)
        status, before = view['status'], previous.get(view['subscriber_id'])
        statuses[view['subscriber_id']] = status
        if status == INACTIVE and before != INACTIVE:
            change = 'inactive'
        elif status == ACTIVE and before == INACTIVE:
            change = 'recovered'
        else:
            continue
        events.append(dict(sdns_health=dict(change=change, status=status, previous_status=before,
                                            subscriber=view)))
    return events, statuses
