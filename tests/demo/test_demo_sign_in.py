"""The demo's sign-in buttons put every party's token in the login page: a site that points
its own name at this machine (DNS rebinding) must not be shown them."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from computegov.demo import parties as demo_parties
from computegov.demo.builder import DemoWorld, open_demo
from computegov.demo.serving import demo_app
from live_server import LiveServer


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, DemoWorld]]:
    root = tmp_path_factory.mktemp("signin") / "computegov-demo"
    world = open_demo(root, modules=[demo_parties.MODULE])
    try:
        server = LiveServer(None, world.store.settings)
        server.server.config.app = demo_app(world, server.url)
        with server:
            yield server, world
    finally:
        world.store.close()


def _login_page(server: LiveServer, host: str) -> str:
    port = server.url.rsplit(":", 1)[1]
    answer = httpx.get(server.url + "/login", headers={"Host": f"{host}:{port}"})
    assert answer.status_code == 200
    return answer.text


@pytest.mark.parametrize("host", ["attacker.example", "rebind.127.0.0.1.nip.io", "localhost.evil"])
def test_a_page_asked_for_under_another_name_holds_no_token(
    served: tuple[LiveServer, DemoWorld], host: str
) -> None:
    server, world = served
    page = _login_page(server, host)
    for party in world.parties.values():
        assert party.token not in page
    assert "Sign in as" not in page
    assert "opened by its address" in page


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::1]"])
def test_the_address_the_banner_prints_shows_the_buttons(
    served: tuple[LiveServer, DemoWorld], host: str
) -> None:
    server, world = served
    page = _login_page(server, host)
    assert f'value="{world.parties["nvidia"].token}"' in page
    assert "computegov-demo/parties/SLUG.token" in page
