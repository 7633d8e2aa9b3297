"""The console page where an organizer makes and revokes personal access tokens for one event."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from events.views.console import FORM, WRITE, event_view

from .models import ApiToken
from .services import ApiTokenError, api_token_create, api_token_revoke


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("名称"),
        max_length=80,
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("例如：报名数据同步")}),
    )
    access = forms.ChoiceField(
        label=gettext_lazy("权限"), choices=ApiToken.Access.choices, initial=ApiToken.Access.READ
    )


@event_view(FORM)
def tokens(request, event):
    form = TokenForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, created = api_token_create(
                actor=request.user, event=event, name=form.cleaned_data["name"], access=form.cleaned_data["access"]
            )
        except ApiTokenError as error:
            messages.error(request, error.message)
        else:
            form = TokenForm()
    rows = ApiToken.objects.filter(event=event).select_related("user").order_by("revoked_at", "-created_at", "-id")
    response = render(request, "api/tokens.html", {"event": event, "form": form, "tokens": rows, "created": created})
    if created:
        response["Cache-Control"] = "no-store"  # the page shows the secret once; never cache it
    return response


@event_view(WRITE)
def token_revoke(request, event, token_pk):
    token = get_object_or_404(ApiToken.objects.select_related("event"), event=event, pk=token_pk)
    try:
        api_token_revoke(actor=request.user, token=token)
    except ApiTokenError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("令牌“%(name)s”已撤销。") % {"name": token.name})
    return redirect("api:tokens", event.pk)
