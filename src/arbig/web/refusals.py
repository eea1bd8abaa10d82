"""The refusals every API operation shares, added to the OpenAPI document so that it
names each status an operation can answer (the schemathesis run fails on any other).

What only some routes refuse (404, 409, 429) their decorators declare with
``schemas.refused``; a route that needs the operator declares ``LOGIN_REQUIRED`` (for
the guarded routers, ``create_app`` does at inclusion). From those, each operation gets:
400 when it reads a body (not JSON at all), and, when it needs the operator and changes
state, 403 (a browser session without its CSRF header) and 503 (its audit entry cannot
be written, so nothing was done).
"""

from typing import Any

from arbig.web.schemas import LOGIN_REQUIRED

_SAFE = frozenset({"get", "head", "options"})
NOT_JSON = "The body is not JSON at all"
NO_CSRF = "A browser session without its CSRF header"
NOT_AUDITED = "The audit entry cannot be written: nothing was done"


def _answer(description: str, schema: str) -> dict[str, Any]:
    ref = {"$ref": f"#/components/schemas/{schema}"}
    return {"description": description, "content": {"application/json": {"schema": ref}}}


def add_common_refusals(document: dict[str, Any], prefix: str) -> dict[str, Any]:
    """``document`` (changed in place) with the shared refusals of each operation."""
    login_required = LOGIN_REQUIRED[401]["description"]
    for path, operations in document.get("paths", {}).items():
        if not path.startswith(prefix):
            continue
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            if "requestBody" in operation:
                responses.setdefault(
                    "400", _answer("The body is not JSON at all", "InvalidRequest")
                )
            guarded = responses.get("401", {}).get("description") == login_required
            if guarded and method not in _SAFE:
                responses.setdefault(
                    "403", _answer("A browser session without its CSRF header", "Refusal")
                )
                responses.setdefault(
                    "503", _answer("The audit entry cannot be written: nothing was done", "Refusal")
                )
    return document
