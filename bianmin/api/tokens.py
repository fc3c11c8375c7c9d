"""The caller's own API tokens (`/api/v1/auth/tokens`): list them and revoke one or all. The
same services back the page 我的令牌 (portal/account_views.py)."""

import datetime as dt

from ninja import Router, Schema

from bianmin.common.schemas import STAFF_ERRORS, Id

from . import selectors, services
from .auth import staff_auth

router = Router(tags=["auth"], auth=staff_auth)


class TokenInfoOut(Schema):
    id: int
    prefix: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    expires_at: dt.datetime
    revoked_at: dt.datetime | None
    state: str
    state_label: str


class RevokedOut(Schema):
    revoked: int


def _out(token) -> dict:
    return {
        "id": token.pk,
        "prefix": token.prefix,
        "created_at": token.created_at,
        "last_used_at": token.last_used_at,
        "expires_at": token.expires_at,
        "revoked_at": token.revoked_at,
        "state": token.state.value,
        "state_label": str(token.state.label),
    }


@router.get(
    "/tokens",
    response={200: list[TokenInfoOut], **STAFF_ERRORS},
    summary="The caller's own tokens",
    description="Every token of the signed-in user, newest first. `state` is one of `active`, "
    "`revoked`, `expired`, `password_changed` (issued before the last password change).",
)
def list_tokens(request):
    return [_out(t) for t in selectors.token_list(viewer=request.auth)]


@router.delete(
    "/tokens/{token_id}",
    response={200: TokenInfoOut, **STAFF_ERRORS},
    summary="Revoke one of the caller's tokens",
    description="Another user's token answers 404 and is left alone.",
)
def revoke_token(request, token_id: Id):
    return _out(services.token_revoke(actor=request.auth, token_id=token_id))


@router.delete(
    "/tokens",
    response={200: RevokedOut, **STAFF_ERRORS},
    summary="Revoke all of the caller's tokens",
    description="Including the one used for this request.",
)
def revoke_all_tokens(request):
    return {"revoked": services.token_revoke_all(actor=request.auth)}
