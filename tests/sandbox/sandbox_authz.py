# SPDX-License-Identifier: GPL-3.0-or-later
"""Who may do what with subscribers and subscriptions.

Each rule returns None when the caller may proceed, or a sentence saying why not; the SMAPI
layer turns that into the status code the operation declares. The rules come from the SDNS
guide and the Swagger descriptions; where those are silent the choice is marked `unverified`.

A token carries a client (the LWA security profile), a user and scopes. "Subscriber side"
means the client that created the subscriber; "publisher side" means a user of the vendor
whose skills raise the events (the subscription's vendorId).
"""

from sandbox_state import SCOPE_SUBSCRIPTIONS

NOT_CONSENTED = "User has not consented to this operation."


def scope_problem(token):
    if not token.has_scope(SCOPE_SUBSCRIPTIONS):
        return NOT_CONSENTED
    return None


def vendor_problem(state, token, vendor_id):
    """The user must belong to the vendor a request names."""
    if not state.is_member(token.user_id, vendor_id):
        return f"User {token.user_id} is not authorized to access vendor {vendor_id}."
    return None


def read_subscriber_problem(state, token, subscriber):
    # unverified: reading is open to any user of the subscriber's vendor, whatever the client,
    # as listing subscribers (which shows every client's subscribers) is.
    return vendor_problem(state, token, subscriber.vendor_id)


def change_subscriber_problem(state, token, subscriber):
    """Update and delete: only the client that created the subscriber, used by a user of its
    vendor (a developer holding an organization-issued token may not delete the organization's
    subscriber; unverified)."""
    problem = vendor_problem(state, token, subscriber.vendor_id)
    if problem:
        return problem
    if token.client_id != subscriber.client_id:
        return (f"Subscriber {subscriber.subscriber_id} was created by client "
                f"{subscriber.client_id}; only that client can change it.")
    return None


def write_subscription_problem(state, token, subscriber, publishing_vendor_id):
    """Create and update need both sides: the subscriber's client and a user of the
    publishing vendor. A developer with a token the organization minted with its own client
    satisfies both for the organization's subscriber."""
    if token.client_id != subscriber.client_id:
        return (f"Subscriber {subscriber.subscriber_id} belongs to client "
                f"{subscriber.client_id}; subscriptions to it need a token of that client.")
    return vendor_problem(state, token, publishing_vendor_id)


def read_subscription_problem(state, token, subscription, subscriber):
    """Get and delete: either side on its own (the Swagger says both the vendor who created the
    subscriber and the publishing vendor can get and delete it)."""
    if state.is_member(token.user_id, subscription.vendor_id):
        return None  # publisher side; unverified: any client of a publishing-vendor user
    if subscriber and token.client_id == subscriber.client_id \
            and state.is_member(token.user_id, subscriber.vendor_id):
        return None  # subscriber side
    return (f"User {token.user_id} with client {token.client_id} is neither a user of "
            f"publishing vendor {subscription.vendor_id} nor the subscriber's client and vendor.")
