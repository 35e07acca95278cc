# -*- coding: utf-8 -*-
# Copyright: contributors to the skillops.alexa collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

import pytest

from ansible_collections.skillops.alexa.plugins.module_utils._errors import Ambiguous, NotFound, ValidationError
from ansible_collections.skillops.alexa.plugins.module_utils._sdns import (
    list_subscriptions, matching, normalize_events, plan, subscriber_body, subscriber_view, subscription_body,
    subscription_view, the_one_named, validate_endpoint_name, validate_name, validate_role_arn, validate_topic_arn)
from ansible_collections.skillops.alexa.plugins.module_utils._smapi import SETTLE_SECONDS

ALL = 'AlexaDevelopmentEvent.All'
MANIFEST = 'AlexaDevelopmentEvent.ManifestUpdate'
PUBLISH = 'AlexaDevelopmentEvent.SkillPublish'
MODEL = 'AlexaDevelopmentEvent.InteractionModelUpdate'
REVIEW = 'AlexaCustomerFeedbackEvent.SkillReviewPublish'
VALID_EVENTS = ('valid events: AlexaDevelopmentEvent.ManifestUpdate, AlexaDevelopmentEvent.SkillCertification, '
                'AlexaDevelopmentEvent.SkillPublish, AlexaDevelopmentEvent.InteractionModelUpdate, '
                'AlexaDevelopmentEvent.All, AlexaCustomerFeedbackEvent.SkillReviewPublish')
TOPIC = 'arn:aws:sns:us-east-1:123456789012:alexa-sdns'
ROLE = 'arn:aws:iam::123456789012:role/alexa-sdns-publisher'


# --- events -------------------------------------------------------------------------------------

@pytest.mark.parametrize('events, expected', [
    (['AlexaDevelopmentEvent.ALL'], [ALL]),
    (['alexadevelopmentevent.all'], [ALL]),
    ([' AlexaDevelopmentEvent.all '], [ALL]),
    ([REVIEW, 'AlexaDevelopmentEvent.ALL'], [ALL, REVIEW]),
    ([MODEL, 'alexadevelopmentevent.manifestupdate', MANIFEST, PUBLISH, MODEL], [MANIFEST, PUBLISH, MODEL]),
    ([REVIEW, PUBLISH], [PUBLISH, REVIEW]),
])
def test_normalize_events(events, expected):
    assert normalize_events(events) == expected


@pytest.mark.parametrize('events, message', [
    (['AlexaDevelopmentEvent.Everything'], "events: unknown event 'AlexaDevelopmentEvent.Everything'; " + VALID_EVENTS),
    ([], 'events must list at least one event; ' + VALID_EVENTS),
    (None, 'events must list at least one event; ' + VALID_EVENTS),
    ([ALL, PUBLISH, 'alexadevelopmentevent.manifestupdate'],
     'events: AlexaDevelopmentEvent.All already covers every development event and must stand alone; remove '
     'AlexaDevelopmentEvent.SkillPublish, AlexaDevelopmentEvent.ManifestUpdate (it may be combined only with '
     'AlexaCustomerFeedbackEvent.SkillReviewPublish)'),
])
def test_normalize_events_refuses(events, message):
    with pytest.raises(ValidationError) as caught:
        normalize_events(events)
    assert str(caught.value) == message


def test_normalize_events_names_the_field():
    with pytest.raises(ValidationError, match=r"^subscription\.events: unknown event 'x'"):
        normalize_events(['x'], field='subscription.events')


# --- names and ARNs -----------------------------------------------------------------------------

@pytest.mark.parametrize('name', [None, 'ops', 'x' * 255])
def test_validate_name_accepts(name):
    assert validate_name(name) == name


@pytest.mark.parametrize('name, message', [
    ('', 'name must not be empty'), ('   ', 'name must not be empty'),
    ('x' * 256, 'name is 256 characters long; SMAPI accepts at most 255'),
])
def test_validate_name_refuses(name, message):
    with pytest.raises(ValidationError) as caught:
        validate_name(name)
    assert str(caught.value) == message


# An endpoint's name: the SNS topic's, and the IAM role's either given or made from it with -sdns-publisher.
NAMED_TWICE = ('team_name must be 1 to 49 letters, digits, hyphens or underscores, as it names the SNS topic and the '
               'IAM role NAME-sdns-publisher (at most 64 characters); got %s')
TOPIC_RULE = ('topic must be 1 to 256 letters, digits, hyphens or underscores, as it names a standard SNS topic (SDNS '
              'cannot publish to a FIFO topic); got %s')
ROLE_RULE = ('role must be 1 to 64 letters, digits or characters of +=,.@_- (IAM role names): shorten topic, to which '
             'the default role name adds -sdns-publisher, or set role; got %s (%d characters)')


@pytest.mark.parametrize('name', ['a', 'Team_1-x', 'x' * 49])
def test_validate_endpoint_name_accepts_a_name_that_names_topic_and_role(name):
    assert validate_endpoint_name(name, 'team_name') == name


@pytest.mark.parametrize('name, shown', [
    ('x' * 50, '"%s"' % ('x' * 50)),
    ('', '""'),
    ('my team', '"my team"'),
    ('a.b', '"a.b"'),
    ('alexa.fifo', '"alexa.fifo"'),
    ('trailing\n', '"trailing\\n"'),
    ('caf\u00e9', '"caf\\u00e9"'),
    (None, 'null'),
    (7, '7'),
])
def test_validate_endpoint_name_refuses_a_name_that_cannot_name_both(name, shown):
    with pytest.raises(ValidationError) as caught:
        validate_endpoint_name(name, 'team_name')
    assert str(caught.value) == NAMED_TWICE % shown


@pytest.mark.parametrize('name, role_name', [
    ('x' * 256, 'r'), ('t', 'x' * 64), ('t', 'with+=,.@_-chars'), ('a', 'a-sdns-publisher'),
])
def test_validate_endpoint_name_accepts_a_topic_and_a_role_name(name, role_name):
    assert validate_endpoint_name(name, 'topic', role_name, 'role') == name


@pytest.mark.parametrize('name', ['x' * 257, '', 'alexa.fifo', 'my topic'])
def test_validate_endpoint_name_refuses_a_topic_name_sns_refuses(name):
    with pytest.raises(ValidationError) as caught:
        validate_endpoint_name(name, 'topic', 'role-ok', 'role')
    assert str(caught.value) == TOPIC_RULE % ('"%s"' % name)


@pytest.mark.parametrize('role_name', ['x' * 65, '', 'a/b', 'a b'])
def test_validate_endpoint_name_refuses_a_role_name_iam_refuses(role_name):
    with pytest.raises(ValidationError) as caught:
        validate_endpoint_name('topic-ok', 'topic', role_name, 'role')
    assert str(caught.value) == ROLE_RULE % ('"%s"' % role_name, len(role_name))


def test_validate_endpoint_name_checks_the_topic_before_the_role():
    with pytest.raises(ValidationError, match='^topic must be 1 to 256'):
        validate_endpoint_name('bad topic', 'topic', 'bad role', 'role')


def test_topic_arn_takes_the_topic_names_validate_endpoint_name_takes():
    arn = 'arn:aws:sns:us-east-1:123456789012:%s'
    assert validate_topic_arn(arn % ('x' * 256)) == arn % ('x' * 256)
    with pytest.raises(ValidationError, match='malformed sns ARN'):
        validate_topic_arn(arn % ('x' * 257))


@pytest.mark.parametrize('arn', [TOPIC, 'arn:aws-cn:sns:cn-north-1:123456789012:alexa_sdns',
                                 'arn:aws-us-gov:sns:us-gov-west-1:123456789012:T-1'])
def test_validate_topic_arn_accepts(arn):
    assert validate_topic_arn(arn) == arn


@pytest.mark.parametrize('arn', [ROLE, 'arn:aws-cn:iam::123456789012:role/service-role/sdns/alexa-sdns-publisher',
                                 'arn:aws:iam::123456789012:role/with+=,.@-chars'])
def test_validate_role_arn_accepts(arn):
    assert validate_role_arn(arn) == arn


# What each validator wants, as its refusal says it: "<what>; got <the value> (<hint>)".
WANTED = {validate_topic_arn: 'topic_arn must be an SNS topic ARN like %s' % TOPIC,
          validate_role_arn: 'role_arn must be an IAM role ARN like %s' % ROLE}


@pytest.mark.parametrize('validate, arn, hint', [
    (validate_topic_arn, ROLE, 'it is an IAM role ARN: did you swap topic_arn and role_arn?'),
    (validate_topic_arn, 'arn:aws-xx:sns:us-east-1:123456789012:t', "unknown partition 'aws-xx'"),
    (validate_topic_arn, 'arn:aws:sns:useast1:123456789012:t', "invalid region 'useast1'"),
    (validate_topic_arn, 'arn:aws:sns:us-east-1:1234:t', 'malformed sns ARN'),
    (validate_topic_arn, 'alexa-sdns', 'not an ARN: it must start with arn:<partition>:'),
    (validate_role_arn, TOPIC, 'it is an SNS topic ARN: did you swap topic_arn and role_arn?'),
    (validate_role_arn, 'arn:aws-xx:iam::123456789012:role/r', "unknown partition 'aws-xx'"),
    (validate_role_arn, 'arn:aws:iam::123456789012:user/alice', 'malformed iam ARN'),
    (validate_role_arn, 'alexa-sdns-publisher', 'not an ARN: it must start with arn:<partition>:'),
])
def test_an_arn_validator_refuses_naming_what_it_wants_and_why(validate, arn, hint):
    with pytest.raises(ValidationError) as caught:
        validate(arn)
    assert str(caught.value) == '%s; got %r (%s)' % (WANTED[validate], arn, hint)


def test_fifo_topic_is_refused():
    arn = 'arn:aws:sns:us-east-1:123456789012:alexa-sdns.fifo'
    with pytest.raises(ValidationError) as caught:
        validate_topic_arn(arn)
    assert str(caught.value) == 'topic_arn %s is a FIFO topic; SDNS publishes to standard SNS topics only' % arn


# --- views and bodies ---------------------------------------------------------------------------

def test_subscriber_view_and_body():
    summary = {'subscriberId': 'sub-1', 'name': 'ops', 'status': 'ACTIVE', 'clientId': 'client',
               'endpoint': {'uri': TOPIC, 'authorization': {'type': 'AWS_IAM', 'arn': ROLE}}}
    view = subscriber_view(summary, 'V1')
    assert view == dict(subscriber_id='sub-1', name='ops', vendor_id='V1', status='ACTIVE', client_id='client',
                        topic_arn=TOPIC, role_arn=ROLE)
    update = {'name': 'ops', 'endpoint': summary['endpoint']}
    assert subscriber_body(view, with_vendor=False) == update
    assert subscriber_body(view, with_vendor=True) == dict(update, vendorId='V1')
    assert subscriber_view({'subscriberId': 'sub-2'}, 'V1')['topic_arn'] is None


def test_subscription_view_and_body():
    info = {'subscriptionId': 'sn-1', 'name': 'all', 'subscriberId': 'sub-1', 'vendorId': 'V1',
            'events': [REVIEW, 'AlexaDevelopmentEvent.Future', ALL]}
    view = subscription_view(info)
    assert view == dict(subscription_id='sn-1', name='all', subscriber_id='sub-1', vendor_id='V1',
                        events=[ALL, REVIEW, 'AlexaDevelopmentEvent.Future'])
    assert subscription_body(view, with_ids=False) == {'name': 'all', 'events': view['events']}
    assert subscription_body(view, with_ids=True) == {'name': 'all', 'events': view['events'], 'vendorId': 'V1',
                                                      'subscriberId': 'sub-1'}


# --- plan and the_one_named ----------------------------------------------------------------------

CURRENT = dict(subscriber_id='sub-1', name='ops', status='ACTIVE', topic_arn=TOPIC, role_arn=ROLE)


@pytest.mark.parametrize('current, wanted, force, changed, after', [
    (None, dict(name='ops', topic_arn=TOPIC, role_arn=None), False, True, dict(name='ops', topic_arn=TOPIC)),
    (CURRENT, dict(name='ops', topic_arn=TOPIC, role_arn=ROLE), False, False, CURRENT),
    (CURRENT, dict(name='ops', topic_arn=None, role_arn=None), False, False, CURRENT),
    (CURRENT, dict(name='ops', topic_arn=TOPIC + '-2', role_arn=None), False, True, dict(CURRENT, topic_arn=TOPIC + '-2')),
    (CURRENT, dict(name='ops'), True, True, CURRENT),
])
def test_plan(current, wanted, force, changed, after):
    assert plan(current, wanted, force=force) == (changed, after, dict(before=current or {}, after=after))


def test_plan_does_not_touch_current():
    current = dict(CURRENT)
    plan(current, dict(name='renamed'))
    assert current == CURRENT


def _twins(*answers):
    answers = list(answers)
    return lambda: answers.pop(0)


@pytest.mark.parametrize('answers, expected, pauses', [
    ([[{'name': 'ops', 'subscriberId': 's1'}]], {'name': 'ops', 'subscriberId': 's1'}, []),
    ([[]], None, []),
    # Twins that are a settling race: one is gone when looked at again.
    ([[{'subscriberId': 's2'}, {'subscriberId': 's1'}], [{'subscriberId': 's1'}]], {'subscriberId': 's1'},
     [2 * SETTLE_SECONDS]),
])
def test_the_one_named(answers, expected, pauses):
    slept = []
    assert the_one_named(_twins(*answers), 'subscriber', 'subscriberId', 'ops', slept.append) == expected
    assert slept == pauses


def test_the_one_named_with_lasting_duplicates_lists_their_ids():
    twins = [{'name': 'ops', 'subscriberId': 's3'}, {'name': 'ops', 'subscriberId': 's1'}]
    with pytest.raises(Ambiguous) as caught:
        the_one_named(_twins(twins, twins), 'subscriber', 'subscriberId', 'ops', lambda seconds: None)
    assert str(caught.value) == "2 subscribers are named 'ops' (s1, s3); name the one to manage with its ID"
    assert caught.value.ids == ['s1', 's3']


class ListingClient:
    """SmapiClient.paginate as list_subscriptions uses it: one scripted answer, the query recorded."""

    def __init__(self, answer):
        self.answer = answer
        self.queries = []

    def paginate(self, path, item_key, id_key, params=None):
        self.queries.append((path, item_key, params))
        if isinstance(self.answer, Exception):
            raise self.answer
        return iter(self.answer)


def test_list_subscriptions_asks_for_one_subscriber_when_given():
    smapi = ListingClient([{'subscriptionId': 'a'}])
    assert list_subscriptions(smapi, 'V1', 'amzn1.ask-subscriber.1') == [{'subscriptionId': 'a'}]
    assert list_subscriptions(smapi, 'V1') == [{'subscriptionId': 'a'}]
    assert smapi.queries == [
        ('/v0/developmentEvents/subscriptions', 'subscriptions', {'vendorId': 'V1', 'subscriberId': 'amzn1.ask-subscriber.1'}),
        ('/v0/developmentEvents/subscriptions', 'subscriptions', {'vendorId': 'V1'}),
    ]


def test_list_subscriptions_names_the_subscriber_smapi_could_not_find():
    not_found = NotFound('Not found.', status=404, method='GET', path='/v0/developmentEvents/subscriptions')
    with pytest.raises(NotFound) as caught:
        list_subscriptions(ListingClient(not_found), 'V1', 'amzn1.ask-subscriber.gone')
    assert str(caught.value) == ('subscriber_id amzn1.ask-subscriber.gone: no such subscriber is visible to this token; '
                                 'check the ID the subscriber owner gave you')
    with pytest.raises(NotFound) as caught:
        list_subscriptions(ListingClient(not_found), 'V1')
    assert caught.value is not_found


def test_matching_keeps_items_equal_on_every_key_the_task_set():
    items = [dict(name='a', subscriber_id='1'), dict(name='b', subscriber_id='1'), dict(name='a', subscriber_id='2')]
    keys = ('subscriber_id', 'name')
    assert matching(items, dict(name='a', subscriber_id=None), keys) == [items[0], items[2]]
    assert matching(items, dict(name='a', subscriber_id='2'), keys) == [items[2]]
    assert matching(items, dict(name=None, subscriber_id=None), keys) == items
    assert matching(items, dict(name='z', subscriber_id=None), keys) == []


SUBSCRIBERS = [dict(name='a', status='ACTIVE', client_id='mine'), dict(name='b', status='INACTIVE', client_id='mine'),
               dict(name='c', status='INACTIVE', client_id='other')]


def test_matching_filters_subscribers_by_status_and_client():
    keys = ('name', 'status', 'client_id')
    assert matching(SUBSCRIBERS, dict(status='INACTIVE'), keys) == SUBSCRIBERS[1:]
    assert matching(SUBSCRIBERS, dict(status='INACTIVE', client_id='mine'), keys) == [SUBSCRIBERS[1]]
    assert matching(SUBSCRIBERS, dict(status='ACTIVE', client_id='other'), keys) == []


def test_matching_leaves_out_the_items_equal_to_unlike():
    assert matching(SUBSCRIBERS, {}, (), unlike=dict(client_id='mine')) == [SUBSCRIBERS[2]]
    assert matching(SUBSCRIBERS, dict(status='ACTIVE'), ('status',), unlike=dict(client_id='mine')) == []
    # Both filters at once: equal to one client and unlike another.
    assert matching(SUBSCRIBERS, dict(client_id='other'), ('client_id',), unlike=dict(client_id='mine')) == [SUBSCRIBERS[2]]


def test_matching_ignores_unlike_values_that_are_not_set():
    assert matching(SUBSCRIBERS, {}, (), unlike=dict(client_id=None)) == SUBSCRIBERS


def test_events_read_back_are_in_the_models_spelling_so_reruns_do_not_change():
    view = subscription_view(dict(events=['AlexaDevelopmentEvent.ALL', 'AlexaCustomerFeedbackEvent.SkillReviewPublish',
                                          'AlexaDevelopmentEvent.FutureEvent']))
    assert view['events'] == [ALL, 'AlexaCustomerFeedbackEvent.SkillReviewPublish', 'AlexaDevelopmentEvent.FutureEvent']


def test_topic_arn_in_a_sovereign_region_is_accepted():
    assert validate_topic_arn('arn:aws-eusc:sns:eusc-de-east-1:123456789012:t') == 'arn:aws-eusc:sns:eusc-de-east-1:123456789012:t'
