"""Credentials: installation/personal tokens and GitHub App JWTs (signature not checked)."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass

from .model import Token
from .store import State


@dataclass(frozen=True)
class AppAuth:
    """A request authenticated as the GitHub App itself (a JWT)."""

    app_id: int

    @property
    def key(self) -> str:
        return f"app:{self.app_id}"


@dataclass(frozen=True)
class AuthFailure:
    message: str


Credential = Token | AppAuth | AuthFailure | None


def _b64json(segment: str) -> object:
    raw = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    return json.loads(raw)


def looks_like_jwt(value: str) -> bool:
    parts = value.split(".")
    return len(parts) == 3 and all(parts[:2])


def authenticate(state: State, header: str | None) -> Credential:
    """None when no credentials were sent; AuthFailure for bad ones."""
    if not header:
        return None
    scheme, _, value = header.strip().partition(" ")
    value = value.strip()
    if scheme.lower() not in ("token", "bearer") or not value:
        return AuthFailure("Bad credentials")
    if looks_like_jwt(value):
        return _app(state, value)
    token = state.tokens.get(value)
    if token is None or token.revoked:
        return AuthFailure("Bad credentials")
    if token.expires_at is not None and state.clock.now() >= token.expires_at:
        return AuthFailure("Bad credentials")
    return token


def _app(state: State, jwt: str) -> AppAuth | AuthFailure:
    try:
        header = _b64json(jwt.split(".")[0])
        payload = _b64json(jwt.split(".")[1])
    except (ValueError, UnicodeDecodeError):
        return AuthFailure("A JSON web token could not be decoded")
    if not isinstance(header, dict) or not isinstance(payload, dict):
        return AuthFailure("A JSON web token could not be decoded")
    if str(payload.get("iss")) != str(state.config.app_id):
        return AuthFailure(
            "'Issuer' claim ('iss') must be an Integer or a String representing the App ID"
        )
    now = state.clock.now()
    exp = payload.get("exp")
    if exp is not None:
        if not isinstance(exp, int | float) or exp <= now:
            return AuthFailure(
                "'Expiration time' claim ('exp') must be a numeric value representing the future "
                "time at which the assertion expires"
            )
        if exp - now > 600 + 60:
            return AuthFailure("'Expiration time' claim ('exp') is too far in the future")
    iat = payload.get("iat")
    if iat is not None and isinstance(iat, int | float) and iat > now + 60:
        return AuthFailure(
            "'Issued at' claim ('iat') must be an Integer representing the time "
            "that the assertion was issued"
        )
    return AppAuth(state.config.app_id)


def make_jwt(app_id: int, now: float, ttl: int = 540) -> str:
    """An (unsigned) app JWT the fake accepts; handy for tests."""

    def enc(obj: object) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")

    payload = {"iat": int(now) - 30, "exp": int(now) + ttl, "iss": str(app_id)}
    return f"{enc({'alg': 'RS256', 'typ': 'JWT'})}.{enc(payload)}.c2lnbmF0dXJl"


def can_see_org(token: Token, org_login: str) -> bool:
    return token.orgs is None or org_login.lower() in token.orgs


def has_permission(token: Token, name: str, level: str) -> bool:
    held = token.permissions.get(name)
    if held is None:
        return False
    return level == "read" or held in ("write", "admin")
