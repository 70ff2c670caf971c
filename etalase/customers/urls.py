from django.urls import URLPattern, URLResolver, path

from etalase.customers import views

app_name = "customers"

CUSTOMERS = "manage/<slug:slug>/customers/"
CONTACT = CUSTOMERS + "<id:contact_id>/"

urlpatterns: list[URLPattern | URLResolver] = [
    path(CUSTOMERS, views.contact_list_page, name="list"),
    path(CUSTOMERS + "new/", views.contact_add, name="add"),
    path(CUSTOMERS + "tag/", views.contacts_tag_bulk_view, name="tag_bulk"),
    path(CUSTOMERS + "segments/", views.segment_list_page, name="segments"),
    path(CUSTOMERS + "segments/new/", views.segment_create_view, name="segment_create"),
    path(CUSTOMERS + "segments/<id:segment_id>/", views.segment_update_view, name="segment_update"),
    path(CUSTOMERS + "segments/<id:segment_id>/delete/", views.segment_delete_view, name="segment_delete"),
    path(CUSTOMERS + "segments/<id:segment_id>/count/", views.segment_count_fragment, name="segment_count"),
    path(CONTACT, views.contact_detail, name="detail"),
    path(CONTACT + "edit/", views.contact_edit, name="edit"),
    path(CONTACT + "merge/", views.contact_merge_view, name="merge"),
    path(CONTACT + "stage/", views.contact_stage_view, name="stage"),
    path(CONTACT + "tags/", views.contact_tag_add_view, name="tag_add"),
    path(CONTACT + "tags/<id:tag_id>/remove/", views.contact_tag_remove_view, name="tag_remove"),
    path(CONTACT + "notes/", views.contact_note_add, name="note_add"),
    path(CONTACT + "consent/", views.contact_consent_view, name="consent"),
]
