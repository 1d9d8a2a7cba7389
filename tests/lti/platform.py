"""A small LTI 1.3 platform (an LMS) on loopback, for end-to-end tests of the tool.

It has its own RSA key and JWKS, answers OIDC authentication requests with signed launches
(resource links and Deep Linking requests), receives Deep Linking responses (checking the
tool's signature against the tool's JWKS), issues OAuth2 access tokens for the tool's signed
client assertions, keeps line items and the scores posted to them (AGS), and serves its
course roster (NRPS). It can be told to fail score posts, as an LMS that is down would.

It also plays the browser: `launch` follows the login initiation, the redirect to the
platform and the form post back to the tool with a `requests` session of the person.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import jwt
import requests
from jwcrypto.jwk import JWK

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership#"
AGS_SCOPES = [
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
]
NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"


@dataclass
class Person:
    sub: str
    name: str
    email: str
    role: str  # Instructor or Learner


@dataclass
class Link:
    id: str
    title: str
    url: str
    custom: dict
    lineitem: str | None


@dataclass
class LineItem:
    id: str
    label: str
    score_maximum: float
    resource_id: str = ""
    resource_link_id: str = ""
    tag: str = ""
    scores: list[dict] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "id": self.id, "label": self.label, "scoreMaximum": self.score_maximum,
            "resourceId": self.resource_id, "resourceLinkId": self.resource_link_id, "tag": self.tag,
        }  # fmt: skip


class FormParser(HTMLParser):
    """The first form of a page: its action and its fields, as a browser would submit them."""

    def __init__(self):
        super().__init__()
        self.action = None
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and self.action is None:
            self.action = attrs.get("action")
        elif tag == "input" and attrs.get("name"):
            self.fields[attrs["name"]] = attrs.get("value", "")


def parse_form(html: str) -> tuple[str, dict]:
    parser = FormParser()
    parser.feed(html)
    return parser.action, parser.fields


class Platform:
    def __init__(self, tool_url: str):
        self.tool_url = tool_url.rstrip("/")
        self.kid = "platform-key-1"
        self.key = JWK.generate(kty="RSA", size=2048, kid=self.kid)
        self.client_id = "mlcourse-tool"
        self.deployment_id = "deployment-1"
        self.context = {"id": "course-42", "label": "MLM", "title": "Math for ML, spring", "type": [
            "http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"]}  # fmt: skip
        self.people = {
            "teacher": Person("u-teacher", "Grace Teacher", "grace@lms.test", "Instructor"),
            "student": Person("u-student", "Ada Student", "ada@lms.test", "Learner"),
            "carol": Person("u-carol", "Carol Roster", "carol@lms.test", "Learner"),  # on the roster, never launches
        }
        self.links: dict[str, Link] = {}
        self.lineitems: dict[str, LineItem] = {}
        self.messages: dict[str, tuple[Person, dict]] = {}
        self.tokens: dict[str, list[str]] = {}
        self.fail_score_posts = 0  # answer 503 to this many score posts, as an LMS that is down
        self.failed_score_posts = 0
        self.requests_seen: list[str] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.issuer = self.url
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    # --- what an admin types into the tool's registration --------------------------------

    @property
    def registration(self) -> dict:
        return {
            "issuer": self.issuer,
            "client_id": self.client_id,
            "auth_url": f"{self.url}/auth",
            "token_url": f"{self.url}/token",
            "keyset_url": f"{self.url}/jwks",
        }

    @property
    def lineitems_url(self) -> str:
        return f"{self.url}/contexts/{self.context['id']}/lineitems"

    @property
    def memberships_url(self) -> str:
        return f"{self.url}/contexts/{self.context['id']}/memberships"

    # --- the browser side -----------------------------------------------------------------

    def launch(self, browser: requests.Session, who: str, message: dict) -> requests.Response:
        """Third-party login initiation, the platform's authentication, and the form post of
        the signed launch back to the tool, as a person's browser goes through them."""
        hint = uuid.uuid4().hex
        self.messages[hint] = (self.people[who], message)
        params = {
            "iss": self.issuer,
            "login_hint": self.people[who].sub,
            "target_link_uri": message.get(LTI + "target_link_uri", f"{self.tool_url}/lti/launch/"),
            "lti_message_hint": hint,
            "client_id": self.client_id,
            "lti_deployment_id": self.deployment_id,
        }
        initiation = browser.get(f"{self.tool_url}/lti/init/", params=params, allow_redirects=False)
        assert initiation.status_code == 302, initiation.text
        authentication = browser.get(initiation.headers["Location"])
        assert authentication.status_code == 200, authentication.text
        action, fields = parse_form(authentication.text)
        return browser.post(action, data=fields)

    def deep_link_request(self, browser: requests.Session, who: str) -> requests.Response:
        return self.launch(browser, who, {
            LTI + "message_type": "LtiDeepLinkingRequest",
            "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings": {
                "deep_link_return_url": f"{self.url}/deep-link-return",
                "accept_types": ["ltiResourceLink"],
                "accept_presentation_document_targets": ["iframe", "window"],
                "accept_multiple": True,
                "data": "opaque-platform-data",
            },
        })  # fmt: skip

    def open_link(self, browser: requests.Session, who: str, link: Link) -> requests.Response:
        message = {
            LTI + "message_type": "LtiResourceLinkRequest",
            LTI + "target_link_uri": link.url,
            LTI + "resource_link": {"id": link.id, "title": link.title},
            LTI + "custom": link.custom,
            "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint": {
                "scope": AGS_SCOPES, "lineitems": self.lineitems_url, **({"lineitem": link.lineitem} if link.lineitem else {}),
            },
        }  # fmt: skip
        return self.launch(browser, who, message)

    def submit_form(self, browser: requests.Session, html: str) -> requests.Response:
        action, fields = parse_form(html)
        return browser.post(action, data=fields)

    # --- the platform's side ----------------------------------------------------------------

    def _id_token(self, person: Person, message: dict, nonce: str) -> str:
        now = int(time.time())
        claims = {
            "iss": self.issuer, "aud": self.client_id, "sub": person.sub, "iat": now, "exp": now + 300, "nonce": nonce,
            "name": person.name, "email": person.email,
            LTI + "version": "1.3.0",
            LTI + "deployment_id": self.deployment_id,
            LTI + "target_link_uri": f"{self.tool_url}/lti/launch/",
            LTI + "roles": [MEMBERSHIP + person.role],
            LTI + "context": self.context,
            LTI + "tool_platform": {"guid": "lms-test-1", "name": "Test LMS", "product_family_code": "test"},
            "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice": {
                "context_memberships_url": self.memberships_url, "service_versions": ["2.0"]},
            **message,
        }  # fmt: skip
        return jwt.encode(
            claims,
            self.key.export_to_pem(private_key=True, password=None),
            algorithm="RS256",
            headers={"kid": self.kid},
        )

    def _tool_claims(self, token: str, audience: str) -> dict:
        """A JWT the tool signed, checked against the tool's published JWKS like a real LMS does."""
        keys = requests.get(f"{self.tool_url}/lti/jwks.json", timeout=10).json()["keys"]
        kid = jwt.get_unverified_header(token).get("kid")
        key = next(k for k in keys if k.get("kid") == kid)
        public = jwt.algorithms.RSAAlgorithm.from_jwk(json.dumps(key))
        return jwt.decode(token, public, algorithms=["RS256"], audience=audience)

    def _authorize(self, query: dict) -> tuple[int, str]:
        expected = {
            "scope": "openid",
            "response_type": "id_token",
            "response_mode": "form_post",
            "prompt": "none",
            "client_id": self.client_id,
        }
        for name, value in expected.items():
            if query.get(name) != value:
                return 400, f"bad {name}"
        if query.get("redirect_uri") != f"{self.tool_url}/lti/launch/":
            return 400, "redirect_uri is not registered"
        person, message = self.messages.pop(query.get("lti_message_hint", ""), (None, None))
        if person is None or person.sub != query.get("login_hint"):
            return 400, "unknown login"
        id_token = self._id_token(person, message, query["nonce"])
        return 200, (
            f'<form method="post" action="{query["redirect_uri"]}">'
            f'<input type="hidden" name="id_token" value="{id_token}">'
            f'<input type="hidden" name="state" value="{query["state"]}"></form>'
        )

    def _deep_link_return(self, form: dict) -> tuple[int, str]:
        claims = self._tool_claims(form["JWT"], audience=self.issuer)
        assert claims["iss"] == self.client_id
        assert claims[LTI + "message_type"] == "LtiDeepLinkingResponse"
        assert claims[LTI + "deployment_id"] == self.deployment_id
        assert claims["https://purl.imsglobal.org/spec/lti-dl/claim/data"] == "opaque-platform-data"
        for item in claims["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"]:
            assert item["type"] == "ltiResourceLink"
            link_id = f"link-{len(self.links) + 1}"
            lineitem_id = None
            if item.get("lineItem"):
                spec = item["lineItem"]
                lineitem_id = f"{self.url}/lineitems/{len(self.lineitems) + 1}"
                self.lineitems[lineitem_id] = LineItem(
                    lineitem_id,
                    spec.get("label", item["title"]),
                    spec["scoreMaximum"],
                    spec.get("resourceId", ""),
                    link_id,
                    spec.get("tag", ""),
                )
            self.links[link_id] = Link(link_id, item["title"], item["url"], item.get("custom", {}), lineitem_id)
        return 200, "Placed."

    def _token(self, form: dict) -> tuple[int, dict]:
        if form.get("grant_type") != "client_credentials":
            return 400, {"error": "unsupported_grant_type"}
        claims = self._tool_claims(form["client_assertion"], audience=f"{self.url}/token")
        if claims["iss"] != self.client_id or claims["sub"] != self.client_id:
            return 401, {"error": "invalid_client"}
        scopes = form.get("scope", "").split()
        if not set(scopes) <= {*AGS_SCOPES, NRPS_SCOPE}:
            return 400, {"error": "invalid_scope"}
        token = secrets.token_urlsafe(16)
        self.tokens[token] = scopes
        return 200, {"access_token": token, "token_type": "Bearer", "expires_in": 3600, "scope": " ".join(scopes)}

    def _authorized(self, headers, scope: str) -> bool:
        token = (headers.get("Authorization") or "").removeprefix("Bearer ")
        return scope in self.tokens.get(token, [])

    def scores_for(self, sub: str) -> list[dict]:
        return [score for item in self.lineitems.values() for score in item.scores if score["userId"] == sub]

    def _handler(self):
        platform = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status: int, body, content_type="application/json"):
                data = (json.dumps(body) if not isinstance(body, str) else body).encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _body(self) -> bytes:
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))

            def do_GET(self):
                url = urlparse(self.path)
                platform.requests_seen.append(f"GET {url.path}")
                if url.path == "/jwks":
                    return self._send(200, {"keys": [json.loads(platform.key.export_public())]})
                if url.path == "/auth":
                    status, html = platform._authorize({k: v[0] for k, v in parse_qs(url.query).items()})
                    return self._send(status, html, "text/html")
                if url.path == urlparse(platform.lineitems_url).path:
                    if not platform._authorized(self.headers, AGS_SCOPES[1]) and not platform._authorized(
                        self.headers, AGS_SCOPES[0]
                    ):
                        return self._send(401, {"error": "unauthorized"})
                    items = [item.as_json() for item in platform.lineitems.values()]
                    return self._send(200, items, "application/vnd.ims.lis.v2.lineitemcontainer+json")
                if url.path == urlparse(platform.memberships_url).path:
                    if not platform._authorized(self.headers, NRPS_SCOPE):
                        return self._send(401, {"error": "unauthorized"})
                    members = [
                        {
                            "status": "Active",
                            "user_id": p.sub,
                            "name": p.name,
                            "email": p.email,
                            "roles": [MEMBERSHIP + p.role],
                        }
                        for p in platform.people.values()
                    ]
                    body = {"id": platform.memberships_url, "context": platform.context, "members": members}
                    return self._send(200, body, "application/vnd.ims.lti-nrps.v2.membershipcontainer+json")
                return self._send(404, {"error": "not found"})

            def do_POST(self):
                url = urlparse(self.path)
                platform.requests_seen.append(f"POST {url.path}")
                body = self._body()
                if url.path == "/token":
                    status, answer = platform._token({k: v[0] for k, v in parse_qs(body.decode()).items()})
                    return self._send(status, answer)
                if url.path == "/deep-link-return":
                    status, answer = platform._deep_link_return({k: v[0] for k, v in parse_qs(body.decode()).items()})
                    return self._send(status, answer, "text/plain")
                if url.path == urlparse(platform.lineitems_url).path:
                    if not platform._authorized(self.headers, AGS_SCOPES[0]):
                        return self._send(401, {"error": "unauthorized"})
                    spec = json.loads(body)
                    lineitem_id = f"{platform.url}/lineitems/{len(platform.lineitems) + 1}"
                    item = LineItem(
                        lineitem_id,
                        spec["label"],
                        spec["scoreMaximum"],
                        spec.get("resourceId", ""),
                        spec.get("resourceLinkId", ""),
                        spec.get("tag", ""),
                    )
                    platform.lineitems[lineitem_id] = item
                    return self._send(201, item.as_json(), "application/vnd.ims.lis.v2.lineitem+json")
                match = re.fullmatch(r"(/lineitems/\d+)/scores", url.path)
                if match:
                    item = platform.lineitems.get(platform.url + match.group(1))
                    if item is None:
                        return self._send(404, {"error": "no such line item"})
                    if not platform._authorized(self.headers, AGS_SCOPES[2]):
                        return self._send(401, {"error": "unauthorized"})
                    if self.headers.get("Content-Type") != "application/vnd.ims.lis.v1.score+json":
                        return self._send(415, {"error": "score media type expected"})
                    if platform.fail_score_posts:
                        platform.fail_score_posts -= 1
                        platform.failed_score_posts += 1
                        return self._send(503, {"error": "the gradebook is down for maintenance"})
                    item.scores.append(json.loads(body))
                    return self._send(200, {}, "application/json")
                return self._send(404, {"error": "not found"})

        return Handler
