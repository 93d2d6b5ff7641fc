"""Export-license data is confidential: an application is read only by its applicant and the
regulators of its licensing jurisdiction, over the real server on SQLite and PostgreSQL. The
consignee, another jurisdiction's regulator, the administrator, an auditor and an outsider
are answered 403 or 404, the queue lists only what its reader may see, its CSV cannot run
in a spreadsheet, and neither the public leaf nor an opening shows the application to
anyone else."""

from __future__ import annotations

import base64
import csv
import io

from licensing_setup import Licensing

from conftest import World


def _leaves(world: World) -> list[bytes]:
    size = world.log_size()
    with world.server.client() as http:
        return [
            base64.b64decode(http.get(f"/v1/log/entries/{i}").json()["leaf"]) for i in range(size)
        ]


def test_only_the_applicant_and_its_jurisdictions_regulators_read_it(world: World) -> None:
    cast = Licensing(world)
    made = cast.applied()
    app_id, entry_id = made["application"]["id"], made["entry_id"]
    path = f"/v1/license-applications/{app_id}"
    assert world.get(cast.maker, path).json()["id"] == app_id
    officer = world.get(cast.us_reg, path).json()
    assert officer["steps"][0]["step"] == "submitted"
    assert officer["decide_by"] == "2026-05-31T09:00:00Z"
    for reader in (cast.cn_cloud, cast.cn_reg, cast.nl_reg, cast.us_cloud, cast.de_dist):
        assert world.get(reader, path).status_code == 404, reader.role
        assert world.get(reader, "/v1/license-applications").json()["total"] == 0
    for official in (world.admin, cast.auditor):
        assert world.get(official, path).status_code == 403
        assert world.get(official, "/v1/license-applications").status_code == 403
    assert world.get(None, path).status_code == 401

    # The ledger entries of the application and of a decision on it: their openings only for
    # the applicant and the licensing regulator; not even the administrator, whose reach is
    # every other entry.
    decided = cast.step(cast.us_reg, app_id, "refer", agencies=["defense"])
    assert decided.status_code == 200, decided.text
    for entry in (entry_id, decided.json()["entry_id"]):
        opening = f"/v1/log/openings/{entry}"
        assert world.get(cast.maker, opening).status_code == 200
        assert world.get(cast.us_reg, opening).status_code == 200
        for reader in (cast.cn_cloud, cast.cn_reg, cast.nl_reg, cast.auditor, world.admin):
            assert world.get(reader, opening).status_code == 403, reader.role
    # The public leaf names no party, country or figure of the application.
    leaves = _leaves(world)
    [leaf] = [leaf for leaf in leaves if b'"license.apply"' in leaf]
    for secret in (cast.cn_cloud.id, cast.maker.id, '"CN"', "H200", "320000", app_id):
        assert secret.encode() not in leaf, secret


def test_the_queue_lists_pending_applications_with_the_evaluation_and_as_csv(
    world: World,
) -> None:
    cast = Licensing(world)
    first = cast.applied()["application"]["id"]
    hostile = world.create(world.admin, "cloud_provider", "=HYPERLINK(1) Cloud", "US")
    second = cast.applied(hostile)["application"]["id"]
    done = cast.step(cast.us_reg, first, "return", reason="incomplete")
    assert done.status_code == 200, done.text

    queue = world.get(cast.us_reg, "/v1/license-applications", params={"pending": "true"}).json()
    assert [item["id"] for item in queue["items"]] == [second]
    [item] = queue["items"]
    assert item["evaluation"]["models"]["H200 SXM"]["fired"]
    assert item["applicant_name"] == "=HYPERLINK(1) Cloud"
    everything = world.get(cast.us_reg, "/v1/license-applications").json()
    assert everything["total"] == 2
    returned = world.get(cast.us_reg, "/v1/license-applications", params={"status": "returned"})
    assert [i["id"] for i in returned.json()["items"]] == [first]
    # Each applicant sees its own only.
    mine = world.get(cast.maker, "/v1/license-applications").json()
    assert [i["id"] for i in mine["items"]] == [first]

    response = world.get(
        cast.us_reg, "/v1/license-applications", params={"format": "csv", "pending": "true"}
    )
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["id"] for r in rows] == [second]
    assert "bis-2023-10" in rows[0]["review"] and "case-by-case" in rows[0]["review"]
    assert rows[0]["china_volume_share"] in ("consistent", "discrepancy")
    accept = world.get(cast.us_reg, "/v1/license-applications", headers={"Accept": "text/csv"})
    assert accept.headers["content-type"].startswith("text/csv")
    # The applicant's hostile name is a cell a spreadsheet shows, never runs.
    assert rows[0]["applicant_name"] == "'=HYPERLINK(1) Cloud"
    assert not any(cell.startswith("=") for row in rows for cell in row.values())
