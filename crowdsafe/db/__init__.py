"""Where the database reads go: the read replica for the read-only selectors of leaders' pages and reports, when
one is configured (``crowdsafe.db.routers``)."""
