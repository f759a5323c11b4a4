"""Identity providers on loopback, for signing in through allauth without a network.

``OIDCStub`` serves what Keycloak or Authentik would: discovery, the authorize endpoint (which
signs the current ``person`` in at once and sends the browser back with a code), the token
endpoint (an ID token signed with an RSA key made for this run, after checking the client's
secret, the redirect URI and the PKCE verifier), userinfo and the JWKS that publishes the key.
``GitHubStub`` plays GitHub's OAuth endpoints and API.
"""

import base64
import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

CLIENT_ID = "llm-roadmap"
CLIENT_SECRET = "stub-secret"


def reply(handler, status: int, data=None, location: str = "") -> None:
    handler.send_response(status)
    if location:
        handler.send_header("Location", location)
    payload = json.dumps(data).encode() if data is not None else b""
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(payload)))
    handler.end_headers()
    handler.wfile.write(payload)


@dataclass
class Person:
    sub: str
    email: str
    email_verified: bool | None = True
    name: str = "Test Person"

    def claims(self) -> dict:
        claims = {"sub": self.sub, "email": self.email, "name": self.name}
        if self.email_verified is not None:
            claims["email_verified"] = self.email_verified
        return claims


@dataclass
class Grant:
    redirect_uri: str
    code_challenge: str | None
    nonce: str | None
    person: Person


@dataclass
class OIDCStub:
    person: Person = field(default_factory=lambda: Person("1", "someone@example.com"))
    requests: list[str] = field(default_factory=list)
    grants: dict[str, Grant] = field(default_factory=dict)
    tokens: dict[str, Person] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = secrets.token_hex(4)
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                stub.handle(self, "GET")

            def do_POST(self) -> None:
                stub.handle(self, "POST")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def env(self, **extra: str) -> dict[str, str]:
        """The environment an operator would set to use this provider."""
        return {
            "OIDC_NAME": "Test IdP",
            "OIDC_SERVER_URL": self.url,
            "OIDC_CLIENT_ID": CLIENT_ID,
            "OIDC_CLIENT_SECRET": CLIENT_SECRET,
            **extra,
        }

    # The endpoints.

    def handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        url = urlsplit(handler.path)
        self.requests.append(f"{method} {url.path}")
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        if method == "POST":
            length = int(handler.headers.get("Content-Length") or 0)
            body = {k: v[0] for k, v in parse_qs(handler.rfile.read(length).decode()).items()}
        else:
            body = {}
        routes = {
            ("GET", "/.well-known/openid-configuration"): self.discovery,
            ("GET", "/authorize"): self.authorize,
            ("POST", "/token"): self.token,
            ("GET", "/userinfo"): self.userinfo,
            ("GET", "/jwks"): self.jwks,
        }
        route = routes.get((method, url.path))
        if route is None:
            return self.reply(handler, 404, {"error": "not_found"})
        try:
            route(handler, query, body)
        except AssertionError as exc:  # a protocol check failed: the test sees it in errors
            self.errors.append(f"{url.path}: {exc}")
            self.reply(handler, 400, {"error": "invalid_request", "error_description": str(exc)})

    def reply(self, handler, status: int, data: dict | None = None, location: str = "") -> None:
        reply(handler, status, data, location)

    def discovery(self, handler, query, body) -> None:
        self.reply(
            handler,
            200,
            {
                "issuer": self.url,
                "authorization_endpoint": f"{self.url}/authorize",
                "token_endpoint": f"{self.url}/token",
                "userinfo_endpoint": f"{self.url}/userinfo",
                "jwks_uri": f"{self.url}/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "token_endpoint_auth_methods_supported": ["client_secret_post"],
                "code_challenge_methods_supported": ["S256"],
            },
        )

    def authorize(self, handler, query, body) -> None:
        assert query.get("client_id") == CLIENT_ID, "unknown client"
        assert query.get("response_type") == "code", "only the code flow"
        assert "openid" in query.get("scope", "").split(), "openid scope missing"
        assert query.get("state"), "state missing"
        assert query.get("code_challenge_method") == "S256", "PKCE missing"
        code = secrets.token_urlsafe(16)
        self.grants[code] = Grant(
            redirect_uri=query["redirect_uri"],
            code_challenge=query.get("code_challenge"),
            nonce=query.get("nonce"),
            person=self.person,
        )
        back = f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query['state']})}"
        self.reply(handler, 302, location=back)

    def token(self, handler, query, body) -> None:
        assert body.get("grant_type") == "authorization_code", "wrong grant type"
        assert body.get("client_id") == CLIENT_ID, "wrong client"
        assert body.get("client_secret") == CLIENT_SECRET, "wrong client secret"
        grant = self.grants.pop(body.get("code", ""), None)
        assert grant is not None, "unknown or reused code"
        assert body.get("redirect_uri") == grant.redirect_uri, "redirect_uri differs"
        verifier = body.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
        assert challenge.rstrip(b"=").decode() == grant.code_challenge, "PKCE verifier wrong"
        access_token = secrets.token_urlsafe(16)
        self.tokens[access_token] = grant.person
        now = int(time.time())
        id_claims = {
            **grant.person.claims(),
            "iss": self.url,
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
        }
        if grant.nonce:
            id_claims["nonce"] = grant.nonce
        id_token = jwt.encode(id_claims, self.key, algorithm="RS256", headers={"kid": self.kid})
        self.reply(
            handler,
            200,
            {
                "access_token": access_token,
                "token_type": "Bearer",
                "expires_in": 300,
                "id_token": id_token,
            },
        )

    def userinfo(self, handler, query, body) -> None:
        scheme, _, token = handler.headers.get("Authorization", "").partition(" ")
        assert scheme == "Bearer" and token in self.tokens, "bad access token"
        self.reply(handler, 200, self.tokens[token].claims())

    def jwks(self, handler, query, body) -> None:
        jwk = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        self.reply(handler, 200, {"keys": [{**jwk, "kid": self.kid, "use": "sig", "alg": "RS256"}]})


@dataclass
class GitHubStub:
    """GitHub's OAuth endpoints and the two API calls allauth makes: the user and their emails.

    ``emails`` is what GitHub's /user/emails answers: each address with its "verified" flag.
    """

    user: dict = field(default_factory=lambda: {"id": 1, "login": "octo", "name": "Octo Cat"})
    emails: list[dict] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                stub.handle(self)

            def do_POST(self) -> None:
                stub.handle(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        url = urlsplit(handler.path)
        self.requests.append(f"{handler.command} {url.path}")
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        if url.path == "/login/oauth/authorize":
            code = {"code": "gh-code", "state": query["state"]}
            back = f"{query['redirect_uri']}?{urlencode(code)}"
            return self.reply(handler, 302, location=back)
        answers = {
            "/login/oauth/access_token": {"access_token": "gh-token", "token_type": "bearer"},
            "/api/v3/user": self.user,
            "/api/v3/user/emails": self.emails,
        }
        if url.path not in answers:
            return self.reply(handler, 404, {"message": "Not Found"})
        if url.path.startswith("/api/"):
            assert handler.headers.get("Authorization") == "token gh-token"
        self.reply(handler, 200, answers[url.path])

    def reply(self, handler, status: int, data=None, location: str = "") -> None:
        reply(handler, status, data, location)
