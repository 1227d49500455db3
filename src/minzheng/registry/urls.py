app_name = "registry"
urlpatterns: list = []  # pages follow in the next commits
