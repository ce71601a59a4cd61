"""The kernel's toolbox: the one way of doing what several apps need.

Each module here replaces copies that used to live in the apps (see ``docs/architecture.md``):

- ``files``: the upload check, the abstract stored-file model and the ``upload_to`` factory;
- ``admin``: the read-only admin and inline, and the one rule for turning a domain error into a form error;
- ``api``: ``validated()`` and the one shape of an action endpoint;
- ``imports``: the spreadsheet import job, its runner and its status page;
- ``spreadsheets``: reading an uploaded list (columns by header, cells as text, row errors).

Domain apps depend on this package; it depends on no domain app.
"""
