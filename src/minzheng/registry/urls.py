from django.urls import path

from . import views, views_duplicates

app_name = "registry"
urlpatterns = [
    path("households/", views.household_list, name="household_list"),
    path("households/new/", views.household_create, name="household_create"),
    path("households/<uuid:pk>/", views.household_detail, name="household_detail"),
    path("households/<uuid:pk>/edit/", views.household_edit, name="household_edit"),
    path("households/<uuid:pk>/head/", views.household_change_head, name="household_change_head"),
    path("households/<uuid:pk>/members/add/", views.member_add, name="member_add"),
    path("households/<uuid:pk>/incomes/add/", views.income_add, name="income_add"),
    path("households/<uuid:pk>/assets/add/", views.asset_add, name="asset_add"),
    path("households/<uuid:pk>/disabilities/add/", views.disability_add, name="disability_add"),
    path("households/<uuid:pk>/health/add/", views.health_add, name="health_add"),
    path("households/<uuid:pk>/employment/add/", views.employment_add, name="employment_add"),
    path("households/<uuid:pk>/situations/add/", views.situation_add, name="situation_add"),
    path("households/<uuid:pk>/documents/", views.document_upload, name="document_upload"),
    path("persons/<uuid:pk>/", views.person_detail, name="person_detail"),
    path("persons/<uuid:pk>/edit/", views.person_edit, name="person_edit"),
    path("persons/<uuid:pk>/status/", views.person_status, name="person_status"),
    path("persons/<uuid:pk>/reveal/<str:field>/", views.person_reveal, name="person_reveal"),
    path("incomes/<uuid:pk>/", views.income_row, name="income_row"),
    path("incomes/<uuid:pk>/edit/", views.income_edit, name="income_edit"),
    path("incomes/<uuid:pk>/delete/", views.income_delete, name="income_delete"),
    path("assets/<uuid:pk>/edit/", views.asset_edit, name="asset_edit"),
    path("assets/<uuid:pk>/delete/", views.asset_delete, name="asset_delete"),
    path("disabilities/<uuid:pk>/edit/", views.disability_edit, name="disability_edit"),
    path("disabilities/<uuid:pk>/delete/", views.disability_delete, name="disability_delete"),
    path("situations/<uuid:pk>/end/", views.situation_end, name="situation_end"),
    path("situations/<uuid:pk>/delete/", views.situation_delete, name="situation_delete"),
    path("documents/<uuid:pk>/", views.document_download, name="document_download"),
    path("search/", views.search, name="search"),
    path("duplicates/", views_duplicates.duplicate_list, name="duplicates"),
    path("duplicates/merge/", views_duplicates.duplicate_merge, name="duplicate_merge"),
    path("duplicates/undo/", views_duplicates.duplicate_undo, name="duplicate_undo"),
    path("duplicates/dismiss/", views_duplicates.duplicate_dismiss, name="duplicate_dismiss"),
]
