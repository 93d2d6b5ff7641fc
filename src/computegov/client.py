"""A Python client for the registry API that signs each action with the party's key.

    client = RegistryClient("http://127.0.0.1:8000", token=..., signer=Ed25519FileSigner.load(p))
    client.act("party.create", "/v1/parties", {...})

The envelope is addressed to the server's origin (read once from `/v1/info`) and dated by
the local clock; the server refuses it if that clock is more than five minutes off.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import httpx

from computegov.errors import ComputegovError, InvalidInput
from computegov.identity.envelopes import make_envelope, sign_envelope
from computegov.instants import utcnow
from computegov.store.signer import Signer


class ApiError(ComputegovError):
    """The server answered with a problem document (or could not be reached)."""

    def __init__(self, status: int, problem: dict[str, Any]) -> None:
        detail = str(problem.get("detail") or problem.get("title") or "request failed")
        super().__init__(detail)
        self.status = status
        self.problem = problem

    def __str__(self) -> str:
        reason = self.problem.get("reason")
        return f"HTTP {self.status}: {self.detail}" + (f" ({reason})" if reason else "")


@dataclass
class RegistryClient:
    """Talks to one registry server with one party's token and (for actions) its key."""

    url: str
    token: str | None = None
    signer: Signer | None = None
    timeout: float = 30.0

    def __post_init__(self) -> None:
        self.url = self.url.rstrip("/")
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        self._http = httpx.Client(base_url=self.url, headers=headers, timeout=self.timeout)
        self._origin: str | None = None

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> RegistryClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _send(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise ApiError(0, {"detail": f"cannot reach {self.url}: {exc}"}) from None
        try:
            data = response.json()
        except ValueError:
            data = {"detail": response.text[:200]}
        if response.status_code >= 400:
            raise ApiError(response.status_code, data if isinstance(data, dict) else {})
        return data

    def get(self, path: str, **params: Any) -> Any:
        """GET a JSON resource."""
        return self._send("GET", path, params={k: v for k, v in params.items() if v is not None})

    def get_text(self, path: str, **params: Any) -> str:
        """GET a resource as text (a list as CSV with `format="csv"`); ApiError on a problem."""
        return self.get_bytes(path, **params).decode("utf-8")

    def get_bytes(self, path: str, **params: Any) -> bytes:
        """GET a resource as bytes (a PDF); ApiError on a problem."""
        query = {k: v for k, v in params.items() if v is not None}
        try:
            response = self._http.get(path, params=query)
        except httpx.HTTPError as exc:
            raise ApiError(0, {"detail": f"cannot reach {self.url}: {exc}"}) from None
        if response.status_code >= 400:
            try:
                problem = response.json()
            except ValueError:
                problem = {"detail": response.text[:200]}
            raise ApiError(response.status_code, problem if isinstance(problem, dict) else {})
        return response.content

    def origin(self) -> str:
        """The origin the server's envelopes must be addressed to."""
        if self._origin is None:
            self._origin = str(self.get("/v1/info")["origin"])
        return self._origin

    def signed(self, type: str, body: dict[str, Any]) -> dict[str, Any]:
        """The wire form of a signed envelope for this server."""
        if self.signer is None:
            raise InvalidInput("this action must be signed: give --key FILE (or COMPUTEGOV_KEY)")
        envelope = make_envelope(type, body, origin=self.origin(), time=utcnow())
        return sign_envelope(envelope, self.signer).to_dict()

    def act(
        self,
        type: str,
        path: str,
        body: dict[str, Any],
        *,
        dry_run: bool = False,
        idempotency_key: str | None = None,
    ) -> Any:
        """Sign `body` as an action of `type` and POST it to `path`."""
        wire = self.signed(type, body)
        return self.send_signed(path, wire, dry_run=dry_run, idempotency_key=idempotency_key)

    def send_signed(
        self,
        path: str,
        wire: dict[str, Any],
        *,
        dry_run: bool = False,
        idempotency_key: str | None = None,
    ) -> Any:
        """POST an already signed envelope to `path`."""
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
        params = {"dry_run": "true"} if dry_run else {}
        return self._send("POST", path, json=wire, headers=headers, params=params)

    def post_stream(
        self,
        path: str,
        chunks: Iterable[bytes],
        *,
        dry_run: bool = False,
        idempotency_key: str | None = None,
    ) -> Any:
        """POST a JSON body given as byte chunks (a large upload can report its progress)."""
        headers = {"Content-Type": "application/json"}
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        params = {"dry_run": "true"} if dry_run else {}
        return self._send("POST", path, content=chunks, headers=headers, params=params)
