from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "minzheng.core"
    label = "core"
    verbose_name = "核心"

    def ready(self) -> None:
        # connects the task_finished handler that records failed jobs (web and worker)
        from . import jobs  # noqa: F401
