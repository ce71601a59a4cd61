"""What every form of the platform shares."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

# Django ends each form label with ``_(":")`` (``Form.label_suffix``). Its own zh-Hans catalogue keeps the ASCII
# colon; the project's catalogue (LOCALE_PATHS comes first) translates this same msgid to the full-width "：",
# so every label reads "名称：" without a label_suffix on each form. Kept here so that makemessages keeps the entry.
# Translators: the colon after a form label; in Chinese the full-width colon.
LABEL_SUFFIX = _(":")
