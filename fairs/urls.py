"""Routes of fairs, included at the site root: each spells out its full prefix."""

from django.urls import path, re_path

from .views import company, console, public, visits

app_name = "fairs"

urlpatterns = [
    # public: the map, its data, the directory, a candidate's shortlist and visits
    path("fairs/<int:event_id>/map/", public.fair_map, name="map"),
    path("fairs/<int:event_id>/map.json", public.fair_map_json, name="map_json"),
    path("fairs/<int:event_id>/booths/<int:booth_id>/book/", public.booth_book_view, name="book"),
    path("fairs/<int:event_id>/directory/", public.fair_directory, name="directory"),
    path("fairs/<int:event_id>/shortlist/<int:company_id>/", public.shortlist_toggle_view, name="shortlist"),
    path("fairs/visits/", visits.my_visits, name="my_visits"),
    path("fairs/visits/<int:pk>/withdraw/", visits.my_visit_withdraw, name="my_visit_withdraw"),
    # company members
    path("company/fairs/", company.company_home, name="company_bookings"),
    path("company/fairs/", company.company_home, name="company_home"),
    path("company/bookings/<int:pk>/cancel/", company.booking_cancel_view, name="booking_cancel"),
    path("company/positions/new/", company.position_edit, name="position_new"),
    path("company/positions/<int:pk>/", company.position_edit, name="position_edit"),
    path("company/positions/<int:pk>/delete/", company.position_delete_view, name="position_delete"),
    path("company/fairs/<int:event_id>/scan/", visits.scanner, name="scanner"),
    path("company/fairs/<int:event_id>/scan.json", visits.scan_api, name="scan_api"),
    path("company/fairs/<int:event_id>/visitors/", visits.visitors, name="visitors"),
    path("company/fairs/<int:event_id>/visitors.xlsx", visits.visitors_xlsx, name="visitors_xlsx"),
    path("company/visits/<int:pk>/", visits.visit_note, name="visit_note"),
    path("company/visits/<int:pk>/cv/", visits.visit_cv, name="visit_cv"),
    # organizers
    path("console/fairs/<int:event_id>/", console.floor_plan, name="console_floor"),
    path("console/fairs/<int:event_id>/booths/", console.booth_create_view, name="console_booth_create"),
    path("console/fairs/<int:event_id>/booths/<int:booth_id>/", console.booth_update_view, name="console_booth"),
    path("console/fairs/<int:event_id>/bookings/", console.bookings, name="console_bookings"),
    re_path(
        r"^console/fairs/(?P<event_id>\d+)/bookings/(?P<pk>\d+)/(?P<action>approve|reject|cancel|move)/$",
        console.booking_act,
        name="console_booking_act",
    ),
]
