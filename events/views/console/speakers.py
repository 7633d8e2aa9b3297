"""Console pages for speakers and rooms (shared by the whole programme, so any organizer)."""

from django.contrib import messages
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from ...speakers.forms import RoomForm, SpeakerForm
from ...speakers.models import Room, Speaker
from ...speakers.services import SpeakerError, room_save, speaker_save
from . import organizer_required


@organizer_required
def speakers(request):
    rows = Speaker.objects.annotate(session_count=Count("session_links")).order_by("name", "id")
    rooms = Room.objects.annotate(session_count=Count("sessions")).order_by("venue", "name", "id")
    return render(request, "console/speakers.html", {"speakers": rows, "rooms": rooms})


@organizer_required
def speaker_edit(request, pk=None):
    speaker = get_object_or_404(Speaker, pk=pk) if pk else None
    form = SpeakerForm(request.POST or None, request.FILES or None, instance=Speaker.objects.get(pk=pk) if pk else None)
    if request.method == "POST" and form.is_valid():
        data = {f: form.cleaned_data[f] for f in SpeakerForm.Meta.fields}
        try:
            speaker_save(actor=request.user, data=data, speaker=speaker, photo=form.cleaned_data.get("photo_upload"))
        except SpeakerError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("嘉宾资料已保存。"))
            return redirect("console:speakers")
    return render(
        request,
        "console/speaker_form.html",
        {"form": form, "speaker": speaker},
        status=400 if request.method == "POST" else 200,
    )


@organizer_required
def room_edit(request, pk=None):
    room = get_object_or_404(Room, pk=pk) if pk else None
    form = RoomForm(request.POST or None, instance=Room.objects.get(pk=pk) if pk else None)
    if request.method == "POST" and form.is_valid():
        try:
            room_save(actor=request.user, data=dict(form.cleaned_data), room=room)
        except SpeakerError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("会议室已保存。"))
            return redirect("console:speakers")
    return render(
        request, "console/room_form.html", {"form": form, "room": room}, status=400 if request.method == "POST" else 200
    )
