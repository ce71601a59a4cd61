"""The upload check of an import workbook, kept under its old name only for the import jobs of venues and events
(their fields and migrations name it) until they take the kernel's validator: every upload check is
``crowdsafe.common.files``."""

from __future__ import annotations

from crowdsafe.common.files import UploadValidator

validate_spreadsheet = UploadValidator("spreadsheet")
