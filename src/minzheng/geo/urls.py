from django.urls import path

from . import views

app_name = "geo"
urlpatterns = [path("picker/", views.picker_options, name="picker")]
