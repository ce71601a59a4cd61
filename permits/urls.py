from django.urls import path

from permits.views import event, files, portal, review

app_name = "permits"

urlpatterns = [
    path("", portal.application_list, name="application_list"),
    path("new/", portal.application_create, name="application_create"),
    path("pickers/venues/", portal.venue_picker, name="venue_picker"),
    path("review/", review.review_queue, name="review_queue"),
    path("<int:pk>/", portal.application_detail, name="application_detail"),
    # The organizer's portal form: one page, one small form per part.
    path("<int:pk>/edit/", portal.application_edit, name="application_edit"),
    path("<int:pk>/edit/event/", portal.edit_event, name="edit_event"),
    path("<int:pk>/edit/sessions/", portal.edit_session_add, name="edit_session_add"),
    path("<int:pk>/edit/sessions/<int:session_pk>/remove/", portal.edit_session_remove, name="edit_session_remove"),
    path("<int:pk>/edit/undertakers/", portal.edit_undertaker_add, name="edit_undertaker_add"),
    path(
        "<int:pk>/edit/undertakers/<int:undertaker_pk>/remove/",
        portal.edit_undertaker_remove,
        name="edit_undertaker_remove",
    ),
    path("<int:pk>/edit/tickets/", portal.edit_tickets, name="edit_tickets"),
    path("<int:pk>/edit/materials/", portal.edit_material_add, name="edit_material_add"),
    path("<int:pk>/edit/materials/<int:material_pk>/remove/", portal.edit_material_remove, name="edit_material_remove"),
    path("<int:pk>/edit/plan/", portal.edit_plan, name="edit_plan"),
    path("<int:pk>/submit/", portal.application_submit, name="application_submit"),
    path("<int:pk>/withdraw/", portal.application_withdraw, name="application_withdraw"),
    path("<int:pk>/cancel/", portal.application_cancel, name="application_cancel"),
    path("<int:pk>/held/", portal.application_held, name="application_held"),
    path("<int:pk>/close/", portal.application_close, name="application_close"),
    path("<int:pk>/changes/", portal.change_request, name="change_request"),
    path("<int:pk>/changes/<int:change_pk>/decide/", portal.change_decide, name="change_decide"),
    path("<int:pk>/comments/", portal.comment_add, name="comment_add"),
    path("<int:pk>/conditions/<int:condition_pk>/report/", portal.condition_report, name="condition_report"),
    path("<int:pk>/conditions/<int:condition_pk>/check/", portal.condition_check, name="condition_check"),
    path("<int:pk>/supervision/", portal.supervision_add, name="supervision_add"),
    # Issue 21: resources, temporary structures and readiness, the post-event review, copying.
    path("<int:pk>/resources/", event.resource_set, name="resource_set"),
    path("<int:pk>/structures/", event.structure_add, name="structure_add"),
    path("<int:pk>/structures/<int:structure_pk>/remove/", event.structure_remove, name="structure_remove"),
    path("<int:pk>/structures/<int:structure_pk>/accept/", event.structure_accept, name="structure_accept"),
    path("<int:pk>/ready/", event.mark_ready, name="mark_ready"),
    path("<int:pk>/post-event-review/", event.review_record, name="review_record"),
    path("<int:pk>/copy/", event.application_copy, name="application_copy"),
    # The licensing department's workspace and its actions.
    path("<int:pk>/review/", review.workspace, name="workspace"),
    path("<int:pk>/review/accept/", review.accept, name="accept"),
    path("<int:pk>/review/return/", review.return_for_correction, name="return_for_correction"),
    path("<int:pk>/review/not-accept/", review.not_accept, name="not_accept"),
    path("<int:pk>/review/start/", review.start_review, name="start_review"),
    path("<int:pk>/review/inspection/", review.start_inspection, name="start_inspection"),
    path("<int:pk>/review/decide/", review.decide, name="decide"),
    path("inspections/<int:pk>/", review.inspection, name="inspection"),
    # Files, served only to those who may see them.
    path("materials/<int:pk>/", files.material_download, name="material_download"),
    path("photos/<int:pk>/", files.photo_download, name="photo_download"),
]
