"""The dashboard's defences (issue 9, item 8), over a real server on both engines: its forms
are taken only from its own pages (`Origin`), a GET never logs out, and every page carries
the security headers (CSP without inline script, no framing, nosniff, Referrer-Policy, and
`Cache-Control: no-store` where private records are shown)."""

from __future__ import annotations

import base64
import hashlib
import re
from importlib import resources

import httpx
import web_setup

from computegov.web.pages import COOKIE
from conftest import Actor, World

EVIL = "http://evil.example"


def _client(world: World, actor: Actor | None = None, **headers: str) -> httpx.Client:
    cookies = {COOKIE: actor.token} if actor else {}
    return httpx.Client(base_url=world.server.url, cookies=cookies, headers=headers, timeout=10)


def _logged_in(http: httpx.Client) -> bool:
    return "Signed in as" in http.get("/").text


def test_login_is_taken_only_from_a_page_of_this_server(world: World) -> None:
    form = {"token": world.admin.token, "next": "/"}
    # a page on another site posting the form: login CSRF, refused
    with _client(world, Origin=EVIL) as http:
        refused = http.post("/login", data=form)
        assert refused.status_code == 403
        assert "set-cookie" not in refused.headers
        assert refused.headers["content-type"].startswith("text/html")
        assert f"not from {EVIL}" in refused.text
    # a look-alike origin (other port, other scheme) is another site too
    port = world.server.port
    for origin in (f"http://127.0.0.1:{port + 1}", f"https://127.0.0.1:{port}", "null"):
        with _client(world, Origin=origin) as http:
            assert http.post("/login", data=form).status_code == 403, origin
    # no Origin and no fetch metadata: not a browser on our page
    with _client(world) as http:
        assert http.post("/login", data=form).status_code == 403
    with _client(world, **{"Sec-Fetch-Site": "cross-site"}) as http:
        assert http.post("/login", data=form).status_code == 403
    # the dashboard's own login form, as browsers send it
    with _client(world, Origin=world.server.url) as http:
        accepted = http.post("/login", data=form)
        assert accepted.status_code == 303
        assert accepted.headers["set-cookie"].startswith(f"{COOKIE}=")
    with _client(world, **{"Sec-Fetch-Site": "same-origin"}) as http:
        assert http.post("/login", data=form).status_code == 303


def test_a_get_never_logs_out_and_logout_is_taken_only_from_this_server(world: World) -> None:
    with _client(world, world.admin) as http:
        link = http.get("/logout")  # a link, an <img src>, a prefetch
        assert link.status_code == 405
        assert link.headers["allow"] == "POST"
        assert "set-cookie" not in link.headers
        assert _logged_in(http)
    with _client(world, world.admin, Origin=EVIL) as http:
        cross = http.post("/logout")
        assert cross.status_code == 403
        assert "set-cookie" not in cross.headers
        assert _logged_in(http)
    with _client(world, world.admin, Origin=world.server.url) as http:
        out = http.post("/logout")
        assert out.status_code == 303
        assert f'{COOKIE}=""' in out.headers["set-cookie"]


def test_every_page_carries_the_security_headers(world: World) -> None:
    fx = web_setup.build(world)
    chip = fx.chips["cloud"][0]
    with _client(world, fx.cloud) as http:
        entry = re.findall(r'href="/openings/([0-9a-f-]+)"', http.get(f"/chips/{chip}").text)[0]
    private = [
        "/",
        "/chips",
        "/chips?country=NL",
        f"/chips/{chip}",
        f"/openings/{entry}",
        f"/openings/{entry}?format=json",
        "/chips/chp_0000000000000000",  # an error page
        "/v1/parties",
        "/v1/parties?format=csv",
        f"/v1/chips/{chip}",
        f"/v1/log/openings/{entry}",
    ]
    public = ["/login", "/logout", "/v1/info", "/v1/chips?country=%00", "/v1/log/key"]
    with _client(world, fx.cloud) as http:
        http.headers["Authorization"] = f"Bearer {fx.cloud.token}"
        for url in private + public:
            response = http.get(url)
            headers = response.headers
            policy = headers.get("content-security-policy", "")
            assert "frame-ancestors 'none'" in policy, url
            assert "script-src" not in policy and "default-src 'none'" in policy, url
            assert headers.get("x-content-type-options") == "nosniff", url
            assert headers.get("x-frame-options") == "DENY", url
            assert headers.get("referrer-policy") == "same-origin", url
            if url in private:
                assert headers.get("cache-control") == "no-store", url
        # public, cacheable ledger data keeps its own caching, and the headers
        checkpoint = http.get("/checkpoint")
        assert checkpoint.headers["cache-control"] == "no-cache"
        assert checkpoint.headers["x-content-type-options"] == "nosniff"


def test_pages_hold_no_inline_script_or_style(world: World) -> None:
    """The CSP allows no script and only the stylesheet: a page must need neither."""
    templates = resources.files("computegov.web").joinpath("templates")
    for template in templates.iterdir():
        text = template.read_text()
        assert "<script" not in text, template.name
        assert not re.search(r"\son[a-z]+\s*=", text), template.name  # onclick=...
        assert "style=" not in text and "<style" not in text, template.name
        assert "javascript:" not in text, template.name
    fx = web_setup.build(world)
    with _client(world, world.admin) as http:
        for url in ("/", "/chips", f"/chips/{fx.chips['cloud'][0]}", "/login"):
            assert "<script" not in http.get(url).text, url


def test_the_api_docs_allow_exactly_their_own_inline_script(world: World) -> None:
    with _client(world) as http:
        docs = http.get("/docs")
    assert docs.status_code == 200
    policy = docs.headers["content-security-policy"]
    (script,) = re.findall(r"<script>(.*?)</script>", docs.text, flags=re.DOTALL)
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    assert f"script-src 'self' 'sha256-{digest}'" in policy
    assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in policy


def test_the_api_docs_load_nothing_from_another_site(world: World) -> None:
    """/docs and /redoc name only this server's own assets (no CDN, no web fonts), their
    policies allow no other site, and the assets are served with their types."""
    with _client(world) as http:
        for page in ("/docs", "/redoc"):
            response = http.get(page)
            assert response.status_code == 200
            assert "//" not in " ".join(re.findall(r'(?:src|href)="([^"]*)"', response.text))
            assert "http" not in response.headers["content-security-policy"]
            assert "/docs/assets/" in response.text
        for name, kind in [
            ("swagger-ui-bundle.js", "text/javascript"),
            ("swagger-ui.css", "text/css"),
            ("redoc.standalone.js", "text/javascript"),
            ("favicon.png", "image/png"),
        ]:
            asset = http.get(f"/docs/assets/{name}")
            assert asset.status_code == 200
            assert asset.headers["content-type"].startswith(kind)
            assert asset.headers["x-content-type-options"] == "nosniff"
        missing = http.get("/docs/assets/..%2Fcore.py")
        assert missing.status_code == 404
        assert missing.headers["content-type"] == "application/problem+json"
