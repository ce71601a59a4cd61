from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "crowdsafe.accounts"
    label = "accounts"

    def ready(self):
        from axes.signals import user_locked_out

        from crowdsafe.accounts import lockout
        from crowdsafe.audit import verbs

        verbs.register(
            {
                lockout.VERB_LOCKED_OUT: _("sign-in locked after too many failed attempts"),
                lockout.VERB_UNLOCKED: _("sign-in unlocked"),
            }
        )
        user_locked_out.connect(lockout.log_lockout, dispatch_uid="crowdsafe.accounts.lockout.log_lockout")
