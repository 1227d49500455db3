from django.apps import AppConfig


class GeoConfig(AppConfig):
    name = "minzheng.geo"
    label = "geo"
    verbose_name = "行政区划"
