from __future__ import annotations

import sys

from campaign_sync.cli import main

sys.exit(main())
