# -*- coding: utf-8 -*-
# Copyright: contributors to the skillops.alexa collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later


class ModuleDocFragment(object):

    # The options every module of the action group skillops.alexa.smapi accepts.
    DOCUMENTATION = r'''
options:
  access_token:
    description:
      - A Login with Amazon (LWA) access token for the Skill Management API, used as it is.
      - SDNS calls need a token with the scope C(alexa::ask:subscriptions).
      - If O(lwa_client_id), O(lwa_client_secret) and O(refresh_token) are given too, the token must have
        been minted from them. It is then taken as a token of the security profile O(lwa_client_id), and if
        SMAPI rejects it as expired it is refreshed once and the call repeated.
      - To mint one token for all the SMAPI tasks of a play, set this in C(module_defaults) for
        C(group/skillops.alexa.smapi) with the lookup P(skillops.alexa.lwa_access_token#lookup).
      - Falls back to the environment variable E(ASK_ACCESS_TOKEN), as the ASK CLI does.
      - Either this or O(lwa_client_id), O(lwa_client_secret) and O(refresh_token) are required.
    type: str
  lwa_client_id:
    description:
      - Client ID of the LWA security profile that mints access tokens from O(refresh_token).
      - SDNS notifies only about changes made with tokens of the security profile that created the
        subscriber, so use the same security profile for the subscriber and for skill changes.
      - Falls back to the environment variable E(ASK_LWA_CLIENT_ID).
    type: str
  lwa_client_secret:
    description:
      - Client secret of the LWA security profile O(lwa_client_id).
      - Falls back to the environment variable E(ASK_LWA_CLIENT_CONFIRMATION).
    type: str
  refresh_token:
    description:
      - An LWA refresh token issued to O(lwa_client_id), from which access tokens are minted.
      - Make one with C(ask util generate-lwa-tokens --client-id ... --client-confirmation ... --scopes
        "alexa::ask:subscriptions alexa::ask:skills:readwrite"), or with M(skillops.alexa.lwa_token).
      - Falls back to the environment variable E(ASK_REFRESH_TOKEN).
    type: str
  smapi_url:
    description:
      - Base URL of the Skill Management API.
      - Falls back to the environment variable E(ASK_SMAPI_SERVER_BASE_URL).
    type: str
    default: https://api.amazonalexa.com
  lwa_url:
    description:
      - Base URL of the LWA token service; tokens are requested from C({lwa_url}/auth/o2/token).
      - Falls back to the environment variable E(ASK_LWA_TOKEN_HOST).
    type: str
    default: https://api.amazon.com
  validate_certs:
    description:
      - Whether to verify the TLS certificates of SMAPI and LWA.
    type: bool
    default: true
  timeout:
    description:
      - The deadline in seconds of one HTTP request to SMAPI or LWA, from connecting to the last byte
        of the answer. A server that answers slowly, or a byte at a time, is cut off then, and the attempt
        counts as a failed connection (retried as O(retry_attempts) says).
      - One call therefore ends within about (O(retry_attempts) + 1) x O(timeout) seconds plus the waits
        between its attempts (each at most O(retry_max_delay)), whatever the servers do. A task makes few
        calls (a token, a look, a write); a call repeated once with a refreshed token, and the extra
        attempts M(skillops.alexa.sdns_subscriptions) grants throttled requests, come on top.
    type: float
    default: 30
  retry_attempts:
    description:
      - How many times one call is attempted when SMAPI or LWA throttles (HTTP 429), fails with
        HTTP 500, 502, 503 or 504, or the connection fails.
      - Waits grow exponentially with full jitter, and follow C(Retry-After) when the service sends it.
      - A create whose outcome is unknown is re-sent only after the object was looked up and not found,
        so a lost response never leaves a duplicate.
    type: int
    default: 5
  retry_max_delay:
    description:
      - The longest wait in seconds between two attempts. A C(Retry-After) longer than this ends the retries.
    type: float
    default: 30
  vendor_id:
    description:
      - The vendor ID of the Amazon developer account (Developer Console, Settings, Customer Details;
        or M(skillops.alexa.smapi_vendor_info)).
      - Required by the modules that manage or list subscribers and subscriptions; ignored by the others.
      - Falls back to the environment variable E(ASK_VENDOR_ID).
    type: str
  authorize_url:
    description:
      - Base URL of the LWA consent page, used by M(skillops.alexa.lwa_token) to build authorization URLs; ignored by the others.
      - Falls back to the environment variable E(ASK_LWA_AUTHORIZE_HOST).
    type: str
    default: https://www.amazon.com
notes:
  - Requests go only to O(smapi_url) and O(lwa_url). A redirect is never followed, since it would carry
    the bearer token or the LWA form (with the client secret and refresh token) elsewhere; the task
    fails naming the status and the address it was sent to.
  - Every answer is checked before it is used. One that is not what the operation returns (not JSON,
    truncated, of the wrong type, a field missing, a listing that does not end) fails the task with
    the service, method, path, status, content type and a short excerpt of the body.
  - Every secret the task is given or mints (access and refresh tokens, client secret, authorization
    code) is hidden wherever it could appear in the output, also when a server echoes it, URL-encoded or
    JSON-escaped included.
  - All modules of the action group C(skillops.alexa.smapi) accept these options, so
    C(module_defaults) with C(group/skillops.alexa.smapi) sets the credentials once for a play.
  - The environment variable names are those of the ASK CLI, so a machine set up for the ASK CLI
    works unchanged.
requirements:
  - requests
'''

    # Modules that create objects identified by name and owner (sdns_subscriber, sdns_subscription(s)).
    CREATES = r'''
options: {}
notes:
  - SDNS has no conditional create, so runs that create the same object (same name and owner) at the same
    time may each create one. A second after its creates, each run looks for twins, keeps the one with the
    lowest ID and deletes only the one it created itself, so concurrent runs end with exactly one and all
    report it; M(skillops.alexa.sdns_subscriptions) looks once for all its creates. A create sent again after
    its response was lost (and no object was found) may find its first attempt stored late; then the run
    keeps the lowest ID and deletes every other twin, so one remains, though a concurrent run that had
    already finished may have reported one of those (its rerun reports the one kept). A run that removed
    a copy says so in a warning and in RV(removed_duplicates). Two objects of one name that last are an
    error that names both IDs.
'''

    # The client options of plugins that run on the controller (the lookup skillops.alexa.lwa_access_token):
    # the same as the modules', with their environment variables declared as plugins declare them.
    PLUGIN = r'''
options:
  lwa_client_id:
    description:
      - Client ID of the LWA security profile the refresh token was issued to.
    type: str
    env:
      - name: ASK_LWA_CLIENT_ID
  lwa_client_secret:
    description:
      - Client secret of the security profile O(lwa_client_id).
    type: str
    env:
      - name: ASK_LWA_CLIENT_CONFIRMATION
  refresh_token:
    description:
      - An LWA refresh token issued to O(lwa_client_id).
    type: str
    env:
      - name: ASK_REFRESH_TOKEN
  lwa_url:
    description:
      - Base URL of the LWA token service; tokens are requested from C({lwa_url}/auth/o2/token).
      - Requests go there only; a redirect is never followed.
    type: str
    default: https://api.amazon.com
    env:
      - name: ASK_LWA_TOKEN_HOST
  validate_certs:
    description:
      - Whether to verify the TLS certificate of LWA.
    type: bool
    default: true
  timeout:
    description:
      - The deadline in seconds of one request, from connecting to the last byte of the answer; a server
        that answers more slowly is cut off and the attempt retried.
    type: float
    default: 30
  retry_attempts:
    description:
      - How many times a request is attempted when LWA throttles, fails with HTTP 500, 502, 503 or 504,
        misses the deadline, or the connection fails.
    type: int
    default: 5
  retry_max_delay:
    description:
      - The longest wait in seconds between two attempts. A C(Retry-After) longer than this ends the retries.
    type: float
    default: 30
notes:
  - Every secret the plugin is given or mints is masked in what it raises or logs, also when a server
    echoes it (URL-encoded and JSON-escaped too).
'''
