from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("账户")

    def ready(self):
        from notifications import privacy

        from .services import personal_data_register
        from .social import providers_configure

        providers_configure()  # WeChat/DingTalk endpoint URLs from settings (tests use a local fake)

        # notifications imports no other app (DESIGN §2), so accounts, which already uses it,
        # adds its part (messages, e-mail records, choices) to "my data" and to erasure.
        personal_data_register(exporter=privacy.personal_data_export, eraser=privacy.personal_data_erase)

        # Notification preferences are audited like every other change of a person's settings.
        from notifications.signals import preferences_changed

        preferences_changed.connect(_preferences_audit, dispatch_uid="accounts.preferences_audit")


def _preferences_audit(sender, *, user, email, **kwargs):
    from .services import audit_log

    audit_log(actor=user, action="notifications.preferences_save", target=user, data={"email": email})
