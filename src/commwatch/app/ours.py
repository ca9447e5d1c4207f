"""Which mentions are ours: written by one of the brand's own accounts.

The accounts are `[triage] brand_handles`, each for every platform ("acmecloud")
or for one ("x:acmecloud", "reddit:acme_support", "youtube:UC…" a channel id),
plus the account each configured source authenticates as or watches (its
connector's `accounts`). Handles compare without case and without a leading
"@" or "u/". Ours are stored (they are part of threads) but never listed as
needing a reply, never ruled and never counted as someone's complaint.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

from commwatch.config import Config


def normal(handle: str) -> str:
    handle = handle.strip().lower()
    for prefix in ("@", "/u/", "u/"):
        if handle.startswith(prefix):
            handle = handle[len(prefix):]
    return handle


@dataclass(frozen=True)
class Brand:
    everywhere: frozenset[str] = frozenset()  # handles on every platform
    on: frozenset[tuple[str, str]] = frozenset()  # (platform, handle or account id)

    def is_ours(self, platform: str, handle: str | None, account_id: str | None = None) -> bool:
        if not (self.everywhere or self.on):
            return False
        who = {normal(x) for x in (handle, account_id) if x}
        return bool(who & self.everywhere) or any((platform, w) in self.on for w in who)

    def fingerprint(self) -> str:
        text = "\n".join(sorted(self.everywhere) + sorted(f"{p}:{h}" for p, h in self.on))
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def __bool__(self) -> bool:
        return bool(self.everywhere or self.on)


def parse(handles: list[str]) -> Brand:
    everywhere, on = set(), set()
    for raw in handles:
        platform, colon, handle = raw.partition(":")
        if colon and platform and handle and platform.isidentifier():
            on.add((platform.lower(), normal(handle)))
        else:
            everywhere.add(normal(raw))
    return Brand(frozenset(everywhere), frozenset(on))


def brand_of(config: Config, env: Mapping[str, str]) -> Brand:
    """The brand's accounts: [triage] brand_handles and what each configured source says it is."""
    handles = list(config.brand_handles)
    for source in config.sources.values():
        try:
            from commwatch import registry  # connector metadata only when accounts are asked for

            cls = registry.load(source.connector)
            handles += cls.accounts(source, env)
        except Exception:  # an unknown or broken connector: sync reports it, and it names no account
            continue
    return parse(handles)
