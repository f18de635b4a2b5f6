"""Progress reports: what ``reports/`` holds, rebuilt from the ledgers on every run.

Layout (``reports`` is the config's ``reports:`` folder)::

    reports/README.md            index of every campaign: state, due date, counts, % done,
                                 open alerts past their SLA due date; links to each report
    reports/<id>/README.md       the campaign's report (see ``page.py``)
    reports/<id>/history.csv     one row a day: date,open,fixed,dismissed,total
    reports/<id>/details.tsv     what the report needs beyond the ledger (see ``details.py``)
    reports/<id>/ledger.tsv      the ledger (written by ``ledger.py``, read here)
    reports/<id>/ledger.json

Everything here is deterministic: the same ledgers, details, history and day give the same
bytes, and a file is rewritten only when its bytes differ (``write.py``), so a run that
changes nothing leaves no diff and touches no file. ``apply`` writes the reports after
every run (also when some actions failed: from the ledgers it wrote); ``campaign-sync
report`` rebuilds them from the files alone, without the network, byte for byte the same
as the apply of the same day wrote them.

Modules, each with one job: ``tally`` counts (pure), ``details`` and ``history`` are the
report-owned files (pure parse/render/merge), ``chart`` draws the burn-down (pure),
``links`` builds GitHub URLs (pure), ``page`` and ``index`` render markdown (pure), and
``write`` is the only one that touches the disk.
"""
