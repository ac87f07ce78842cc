"""The classification gate over the service's models (``gdprkit check-models`` does the same)."""

from __future__ import annotations

import gdprkit as gk
from elveta_service import models

EXPECT = ["5 model(s)", "0 unclassified, 0 both"]

print(gk.check_classified(models))
