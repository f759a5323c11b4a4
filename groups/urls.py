from django.urls import path

from groups import invitations, membership, nudges, progress, worth

app_name = "groups"

urlpatterns = [
    path("groups/", membership.group_list, name="list"),
    path("groups/join/<str:token>/", membership.join, name="join"),
    path("groups/<id:pk>/", progress.detail, name="detail"),
    path("groups/<id:pk>/progress.csv", progress.progress_csv, name="progress_csv"),
    path("groups/<id:pk>/settings/", membership.edit_group, name="edit"),
    path("groups/<id:pk>/delete/", membership.delete_group, name="delete"),
    path("groups/<id:pk>/leave/", membership.leave, name="leave"),
    path("groups/<id:pk>/me/", membership.my_settings, name="my_settings"),
    path("groups/<id:pk>/members/remove/", membership.remove_member, name="remove_member"),
    path("groups/<id:pk>/members/role/", membership.set_role, name="set_role"),
    path("groups/<id:pk>/transfer/", membership.transfer, name="transfer"),
    path("groups/<id:pk>/invitations/", invitations.create_link, name="create_link"),
    path("groups/<id:pk>/invitations/email/", invitations.invite_by_email, name="invite_email"),
    path("groups/<id:pk>/invitations/revoke/", invitations.revoke, name="revoke"),
    path("groups/<id:pk>/remind/", nudges.remind, name="remind"),
    path("resources/<id:pk>/worth/", worth.answer, name="worth"),
]
