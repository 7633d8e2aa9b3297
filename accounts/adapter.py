from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        """Keep the language the person signed up in, so e-mails reach them in it."""
        user = super().save_user(request, user, form, commit=False)
        language = getattr(request, "LANGUAGE_CODE", "") or "zh-hans"
        user.language = "en" if language.startswith("en") else "zh-hans"
        if commit:
            user.save()
        return user
