# SPDX-License-Identifier: GPL-3.0-or-later
"""SDNS event names, which subscriptions an event matches, and the notification bodies SDNS
publishes (the event-schema pages of the SDNS guide)."""

import json
import uuid
from datetime import datetime, timezone

MANIFEST_UPDATE = "AlexaDevelopmentEvent.ManifestUpdate"
SKILL_CERTIFICATION = "AlexaDevelopmentEvent.SkillCertification"
SKILL_PUBLISH = "AlexaDevelopmentEvent.SkillPublish"
INTERACTION_MODEL_UPDATE = "AlexaDevelopmentEvent.InteractionModelUpdate"
DEVELOPMENT_ALL = "AlexaDevelopmentEvent.All"
SKILL_REVIEW_PUBLISH = "AlexaCustomerFeedbackEvent.SkillReviewPublish"

DEVELOPMENT_EVENTS = (MANIFEST_UPDATE, SKILL_CERTIFICATION, SKILL_PUBLISH,
                      INTERACTION_MODEL_UPDATE)
# What a subscription may name. The event-schema page spells the wildcard `ALL`, the Swagger
# `AlexaDevelopmentEvent.All`; both are accepted and stored in the Swagger spelling so that
# responses stay within the Swagger enum (unverified: what SMAPI echoes back for `ALL`).
SUBSCRIBABLE = DEVELOPMENT_EVENTS + (DEVELOPMENT_ALL, SKILL_REVIEW_PUBLISH)
ALIASES = {"ALL": DEVELOPMENT_ALL}
# What can actually happen to a skill (the admin API raises these).
RAISABLE = DEVELOPMENT_EVENTS + (SKILL_REVIEW_PUBLISH,)
STATUSES = ("SUCCEEDED", "FAILED")


def is_development(event):
    return event.startswith("AlexaDevelopmentEvent.")


def matches(subscribed_events, event):
    """`All` stands for every development event, present and future, but not for customer
    feedback events (there is no wildcard for those)."""
    if event in subscribed_events:
        return True
    return is_development(event) and DEVELOPMENT_ALL in subscribed_events


def _timestamp():
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def notification(event, *, vendor_id, skill_id, subscription_id, status="SUCCEEDED",
                 customer_id="", request_id=None, locale="en-US", star_rating="5"):
    """The notification as the JSON string SDNS puts in the SNS message."""
    body = {"eventName": event, "timestamp": _timestamp()}
    skill = {"skillId": skill_id, "vendorId": vendor_id}
    subscription = {"subscriptionId": subscription_id}
    if event == SKILL_REVIEW_PUBLISH:
        review_id = f"R{uuid.uuid4().hex[:13].upper()}"
        body["payload"] = {
            "skill": skill,
            "subscription": subscription,
            # unverified: the form of reviewId and url; starRating is a string per the schema.
            "review": {"reviewId": review_id,
                       "url": f"https://www.amazon.com/gp/customer-reviews/{review_id}",
                       "starRating": str(star_rating)},
        }
    else:
        body["requestId"] = request_id or str(uuid.uuid4())
        payload = {"status": status, "actor": {"customerId": customer_id}}
        if event == INTERACTION_MODEL_UPDATE:
            payload["interactionModel"] = dict(skill, locale=locale)
        else:
            payload["skill"] = skill
        payload["subscription"] = subscription
        body["payload"] = payload
    return json.dumps(body)
