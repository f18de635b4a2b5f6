"""Full reconcile cycles against the fake GitHub, for the chaos, crash and permission-loss
suites (tests/test_chaos.py, tests/test_crash.py, tests/test_permission_loss.py,
bench/chaos.py, bench/crash.py). Not shipped."""
