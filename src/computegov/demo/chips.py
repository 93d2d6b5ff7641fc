"""Demo module `chips`: each catalog vendor bound to its manufacturer (`vendor.bind`, by a
regulator of the vendor's home country), and thousands of chips registered from signed CSV
manifests (`chip.register`, the bulk path), one manifest per manufacturer.

Every chip has a device key derived from the demo's seed (`context.device_key`), so a later
demo module can sign as any chip without a key file per chip. Fabs and assembly sites are
names of the catalog's `manufacturing_sites.csv`; where that list names no assembly site for
a vendor (Huawei), the demo takes a Chinese one from it as a stand-in (docs/demo.md says so).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, timedelta

from computegov.demo.context import DemoContext, device_key
from computegov.demo.module import DemoModule
from computegov.identity.keys import encode_public_key, public_key_bytes
from computegov.registry.chips import makers, manifests
from computegov.registry.chips import service as chips


@dataclass(frozen=True)
class Batch:
    """`count` chips of one catalog model, serials `<prefix>-000001`..., made at one fab and
    finished at one assembly site."""

    model: str
    prefix: str
    count: int
    fab: str
    assembly_site: str


#: manufacturer slug -> (catalog vendor, the regulator who binds it, its batches)
PRODUCTION: dict[str, tuple[str, str, tuple[Batch, ...]]] = {
    "nvidia": (
        "NVIDIA",
        "us-regulator",
        (
            Batch("H100 SXM", "NV-H100", 1600, "TSMC Fab 18", "TSMC Advanced Backend Fab 6"),
            Batch("B200", "NV-B200", 600, "TSMC Fab 18", "SPIL Taichung Tan-Ke"),
            Batch("H20", "NV-H20", 300, "TSMC Fab 18", "TSMC Advanced Backend Fab 6"),
            Batch("H200 SXM", "NV-H200", 200, "TSMC Fab 18", "TSMC Advanced Backend Fab 6"),
        ),
    ),
    "amd": (
        "AMD",
        "us-regulator",
        (Batch("MI300X", "AMD-MI300X", 900, "TSMC Fab 18", "TF-AMD Penang"),),
    ),
    "huawei": (
        "Huawei",
        "cn-regulator",
        (Batch("Ascend 910B", "HW-910B", 600, "SMIC Shanghai", "Tongfu Nantong"),),
    ),
}
FIRST_DAY = date(2025, 9, 1)


def manifest_csv(seed: bytes, vendor: str, batches: tuple[Batch, ...], today: date) -> bytes:
    """The manifest a manufacturer signs: one row per chip, with its derived device key."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(manifests.COLUMNS)
    for batch in batches:
        for n in range(1, batch.count + 1):
            serial = f"{batch.prefix}-{n:06d}"
            made = min(FIRST_DAY + timedelta(days=n % 400), today)
            key = encode_public_key(public_key_bytes(device_key(seed, vendor, serial)))
            writer.writerow(
                [serial, batch.model, made.isoformat(), batch.fab, batch.assembly_site, key]
            )
    return out.getvalue().encode("utf-8")


def build(ctx: DemoContext) -> None:
    now = ctx.store.clock.now()
    for maker, (vendor, regulator, batches) in PRODUCTION.items():
        body = {"vendor": vendor, "manufacturer_id": ctx.parties[maker].id}
        ctx.act(regulator, "vendor.bind", body, makers.bind_vendor)
        data = manifest_csv(ctx.seed, vendor, batches, now.date())
        signer = ctx.parties[maker].signer
        envelope_body = manifests.registration_body(data, signer.sign, on=now)
        made = ctx.act(maker, "chip.register", envelope_body, chips.registration(data))
        ctx.examples.setdefault("manifests", {})[maker] = made["manifest"]["id"]


MODULE = DemoModule(name="chips", build=build)
