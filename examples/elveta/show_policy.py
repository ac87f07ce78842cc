"""Load Elveta's policy, validate it and print its purposes and the Swedish notice's headings."""

from __future__ import annotations

from pathlib import Path

import gdprkit as gk

EXPECT = ["Picofrost AB", "bookkeeping", "6(1)(c)", "Bokföringslagen (1999:1078) 7 kap. 2 §"]

policy = gk.Policy.from_toml(Path(__file__).with_name("policy.toml"))
print(f"{policy.controller.name}, policy version {policy.version}")
for purpose in policy.purposes.values():
    reference = purpose.legal_reference or purpose.legitimate_interest_assessment or ""
    print(f"{purpose.id:16} {purpose.basis.article:8} {purpose.basis.label('en'):22} {reference}")
for line in policy.render_notice(lang="sv").splitlines():
    if line.startswith("## "):
        print(line)
