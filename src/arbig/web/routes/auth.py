"""Login and logout for the browser console."""

from typing import Annotated

from fastapi import APIRouter, HTTPException, Request, Response
from pydantic import BaseModel, Field

from arbig.api.actor import Actor
from arbig.auth.sessions import CSRF_COOKIE, SESSION_COOKIE
from arbig.web.deps import ClientDep
from arbig.web.schemas import LOGIN_REQUIRED, refused
from arbig.web.security import Guard, Operator, client_address

router = APIRouter(prefix="/auth", tags=["auth"])


class Login(BaseModel):
    password: Annotated[str, Field(min_length=1, max_length=256)]


class LoginResult(BaseModel):
    operator: str
    csrf_token: str
    expires: int


class SignedOut(BaseModel):
    operator: str
    signed_out: bool


class Identity(BaseModel):
    """Who is asking: ``via`` is ``session`` (the browser) or ``token`` (a script); the
    CSRF token and the expiry (epoch seconds) are the session's."""

    operator: str
    via: str
    csrf_token: str | None
    expires: int | None


@router.post(
    "/login",
    summary="Sign in; sets the session cookie and returns the CSRF token",
    responses={
        **refused(401, "Wrong password"),
        **refused(429, "Too many failed logins from this address (Retry-After)"),
        **refused(503, "The session could not be recorded"),
    },
)
async def login(
    body: Login, request: Request, response: Response, client: ClientDep
) -> LoginResult:
    guard: Guard = request.app.state.guard
    address = client_address(request)
    wait = await guard.limiter.wait_s(address)
    if wait > 0:
        raise HTTPException(
            429,
            f"too many failed logins: try again in {int(wait) + 1} s",
            headers={"Retry-After": str(int(wait) + 1)},
        )
    if not guard.credentials.verify_password(body.password):
        await guard.limiter.record_failure(address)
        await client.record_login(Actor("anonymous", address), "failed")
        raise HTTPException(401, "wrong password")
    await guard.limiter.record_success(address)
    try:
        token, session = await guard.open_session()
    except Exception as exc:  # the store (the database) is down or hung
        raise HTTPException(503, f"the session could not be recorded: {exc!r}") from None
    csrf = guard.signer.csrf_token(session)
    secure = guard.settings.auth.secure_cookies
    max_age = guard.signer.lifetime_s
    response.set_cookie(
        SESSION_COOKIE, token, max_age=max_age, httponly=True, samesite="strict", secure=secure
    )
    response.set_cookie(
        CSRF_COOKIE, csrf, max_age=max_age, httponly=False, samesite="strict", secure=secure
    )
    await client.record_login(Actor("operator", address), "success")
    return LoginResult(operator="operator", csrf_token=csrf, expires=session.expires)


@router.post(
    "/logout",
    summary="End the browser session (in every web process at once)",
    responses=LOGIN_REQUIRED,
)
async def logout(request: Request, response: Response, operator: Operator) -> SignedOut:
    if operator.session is not None:
        guard: Guard = request.app.state.guard
        try:
            await guard.end_session(operator.session)
        except Exception as exc:  # the store (the database) is down or hung
            raise HTTPException(
                503, f"the session could not be ended everywhere, retry: {exc!r}"
            ) from None
    response.delete_cookie(SESSION_COOKIE)
    response.delete_cookie(CSRF_COOKIE)
    return SignedOut(operator=operator.name, signed_out=True)


@router.get("/me", summary="Who is signed in", responses=LOGIN_REQUIRED)
async def me(operator: Operator, request: Request) -> Identity:
    guard: Guard = request.app.state.guard
    csrf = guard.signer.csrf_token(operator.session) if operator.session else None
    expires = operator.session.expires if operator.session else None
    return Identity(operator=operator.name, via=operator.via, csrf_token=csrf, expires=expires)
